import type { WireInput, WireOutput } from '@handoff/protocol';
import { describe, expectTypeOf, test } from 'vitest';
import type {
  DryRunResult,
  GatewayAcceptsSignature,
  HandoffClient,
  HealthResult,
  PlanStatus,
  PlanSubmissionResult,
  SubmitResult,
} from '../src/index.js';

/*
 * The client is typed from the wire API of @handoff/protocol alone (WIRE_PROCEDURES), not from the gateway's
 * router: what a TypeScript consumer sees is exactly the contract's input and output types.
 */
describe('HandoffClient types come from the wire API', () => {
  test('each exported result type is the output of its procedure', () => {
    expectTypeOf<SubmitResult>().toEqualTypeOf<WireOutput<'plans.submit'>>();
    expectTypeOf<DryRunResult>().toEqualTypeOf<WireOutput<'plans.dryRun'>>();
    expectTypeOf<PlanStatus>().toEqualTypeOf<WireOutput<'plans.get'>>();
    expectTypeOf<HealthResult>().toEqualTypeOf<WireOutput<'health'>>();
    expectTypeOf<PlanSubmissionResult>().toEqualTypeOf<WireOutput<'plans.submitBatch'>[number]>();
  });

  test('methods answer the procedure outputs', () => {
    expectTypeOf<HandoffClient['submit']>().returns.resolves.toEqualTypeOf<SubmitResult>();
    expectTypeOf<HandoffClient['cancel']>().returns.resolves.toEqualTypeOf<
      WireOutput<'plans.cancel'>
    >();
    expectTypeOf<HandoffClient['submitPlans']>().returns.resolves.toEqualTypeOf<
      WireOutput<'plans.submitBatch'>
    >();
  });

  test("a plan's status carries its document and each approval's maxSpend and optional reason", () => {
    expectTypeOf<PlanStatus['approvals'][number]['reason']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<PlanStatus['approvals'][number]['maxSpend']>().toEqualTypeOf<{
      amountMinor: number;
      currency: string;
    }>();
    expectTypeOf<NonNullable<PlanStatus['document']>['options'][number]['actions']>().toBeArray();
  });

  test('the plans.submit input carries a signature', () => {
    expectTypeOf<GatewayAcceptsSignature>().toEqualTypeOf<true>();
    expectTypeOf<WireInput<'plans.submit'>>().toHaveProperty('signature');
  });
});
