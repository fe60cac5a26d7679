import { expectTypeOf, test } from 'vitest';
import type {
  ApprovalClaims,
  DispatchReceipt,
  ErrorEnvelope,
  HandoffPlan,
  LineageEvent,
  OutcomeReport,
  PolicyDecision,
} from '../src/index.js';
import type * as Generated from '../types/v1/index.js';

// The plain declarations generated from the JSON Schema must describe exactly the zod-inferred types.
test('generated declarations equal the zod-inferred types', () => {
  expectTypeOf<Generated.HandoffPlan>().toEqualTypeOf<HandoffPlan>();
  expectTypeOf<Generated.ApprovalClaims>().toEqualTypeOf<ApprovalClaims>();
  expectTypeOf<Generated.PolicyDecision>().toEqualTypeOf<PolicyDecision>();
  expectTypeOf<Generated.LineageEvent>().toEqualTypeOf<LineageEvent>();
  expectTypeOf<Generated.DispatchReceipt>().toEqualTypeOf<DispatchReceipt>();
  expectTypeOf<Generated.ErrorEnvelope>().toEqualTypeOf<ErrorEnvelope>();
  expectTypeOf<Generated.OutcomeReport>().toEqualTypeOf<OutcomeReport>();
});

test('the comparison can fail: a changed field is told apart', () => {
  type Altered = Omit<HandoffPlan, 'tenantId'> & { tenantId: number };
  expectTypeOf<Generated.HandoffPlan>().not.toEqualTypeOf<Altered>();
});
