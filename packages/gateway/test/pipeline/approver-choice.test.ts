import { afterEach, describe, expect, test } from 'vitest';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { approverEntry, createHarness, fixturePlan, type Harness } from '../support/harness.js';
import { type ApprovalKit, approvalKit, withSubmittedPlan } from './approval-support.js';
import {
  count,
  expectGatewayError,
  ledgerOf,
  OPTION_1,
  OPTION_1_COST,
  OPTION_2,
  OPTION_2_COST,
  planVariant,
} from './helpers.js';

/*
 * What an approver decides on and may choose (issue 17): plans.get answers the plan document to the tenant's
 * approvers, operators and auditors; an approver may choose another option policy allows, also one needing no
 * approval; a maxSpend may narrow what the option's budget allows; a rejection's reason is read back by the
 * copilot; a plan once decided cannot be decided again from a page read before.
 */

let h: Harness;
let k: ApprovalKit;
let view: PlanView;
afterEach(async () => h?.close());

describe('plans.get answers what people decide on', () => {
  test('every option with its actions and full parameters, to approvers, operators and auditors', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    const { approver, operator, auditor, copilot, otherOperator } = h.callers;
    const submitted = fixturePlan();
    for (const caller of [approver, operator, auditor, copilot]) {
      const got = await h.gateway.getPlan(caller.principal, view.planId);
      expect(got.document?.options).toEqual(submitted.options);
      expect(got.document?.options[0]?.actions[0]?.params).toEqual(
        submitted.options[0]?.actions[0]?.params,
      );
    }
    // Lists stay small: the document is plans.get's alone.
    const page = await h.gateway.listPlans(operator.principal, {});
    expect(page.items[0]?.document).toBeUndefined();
    await expectGatewayError(h.gateway.getPlan(otherOperator.principal, view.planId), 'NOT_FOUND');
  });
});

describe('an approver may choose any option policy allows', () => {
  test('the option that needs no approval is approved by one approver the plan waits for', async () => {
    h = await createHarness();
    k = approvalKit(h);
    // Option 2 with the evidence the bar asks for: policy allows it without approval; option 1 stays recommended.
    const cautious = planVariant(2, (plan) => {
      plan.options
        .find((o) => o.optionId === OPTION_2)
        ?.evidence.push({
          type: 'dataset_reference',
          inputId: 'bank-marketing',
          query: 'pdays = -1',
          finding: '3705 clients never contacted',
        });
    });
    view = await h.gateway.submitPlan(h.callers.copilot.principal, cautious);
    const dry = await h.gateway.dryRun(h.callers.operator.principal, cautious);
    expect(dry.evaluation.options[OPTION_2]).toMatchObject({ outcome: 'allow', gates: [] });
    expect(view).toMatchObject({ state: 'awaiting_approval', recommendedOptionId: OPTION_1 });
    const held = (status: string) =>
      ledgerOf(h, view.planId)
        .filter((l) => l.status === status)
        .map((l) => l.amount_minor);
    expect(held('reserved')).toContain(OPTION_1_COST);
    const chosen = await k.submit(await k.finance(view, { optionId: OPTION_2 }));
    expect(chosen).toMatchObject({ state: 'approved', decisive: true, selectedOptionId: OPTION_2 });
    expect(new Set(held('reserved'))).toEqual(new Set([OPTION_2_COST]));
    expect(count(h, 'dispatches', 'plan_id = ?', view.planId)).toBeGreaterThan(0);
  });

  test('a role the plan does not wait for still may not choose it (APPROVAL_ROLE_NOT_REQUIRED)', async () => {
    const legal = await generateSigningKeyPair({ alg: 'EdDSA' });
    ({ h, k, view } = await withSubmittedPlan({
      approvers: [approverEntry(legal, 'lena.legal', ['legal'])],
    }));
    await k.expectRefused(
      await k.finance(view, { key: legal, sub: 'lena.legal', role: 'legal', optionId: OPTION_2 }),
      'APPROVAL_ROLE_NOT_REQUIRED',
      view.planId,
    );
  });
});

describe('maxSpend narrows, never below the cost', () => {
  test('a narrowed maxSpend is accepted and shown; one below the cost is APPROVAL_SPEND_TOO_LOW', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    const narrowed = { amountMinor: OPTION_1_COST, currency: 'EUR' as const };
    const first = await k.submit(await k.finance(view, { maxSpend: narrowed }));
    expect(first.approvals).toEqual([expect.objectContaining({ maxSpend: narrowed })]);
    await k.expectRefused(
      await k.marketing(view, { maxSpend: { amountMinor: OPTION_1_COST - 1, currency: 'EUR' } }),
      'APPROVAL_SPEND_TOO_LOW',
      view.planId,
    );
  });
});

describe('a rejection and a stale page', () => {
  test("the copilot reads the rejection's reason back through plans.get", async () => {
    ({ h, k, view } = await withSubmittedPlan());
    const reason = 'Too costly this quarter: propose the broadcast only';
    await k.submit(await k.finance(view, { decision: 'reject', comment: reason }));
    const seen = await h.gateway.getPlan(h.callers.copilot.principal, view.planId);
    expect(seen).toMatchObject({ state: 'rejected', reasonCode: 'APPROVAL_REJECTED' });
    expect(seen.approvals).toEqual([
      expect.objectContaining({ decision: 'reject', approver: 'fiona.finance', reason }),
    ]);
  });

  test('an approval without a comment carries no reason', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    const first = await k.submit(await k.finance(view));
    expect(first.approvals[0]).not.toHaveProperty('reason');
  });

  test('a plan once decided is not decided again from a page read before the decision', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    const stale = view; // both approvers opened the plan while it was waiting
    await k.submit(await k.finance(stale));
    await k.submit(await k.marketing(stale));
    const lateReject = await k.finance(stale, {
      key: h.keys.fred,
      sub: 'fred.finance',
      decision: 'reject',
    });
    await expectGatewayError(k.submit(lateReject), 'PLAN_NOT_AWAITING_APPROVAL');
    const now = await h.gateway.getPlan(h.callers.approver.principal, view.planId);
    expect(now).toMatchObject({ state: 'approved', selectedOptionId: OPTION_1 });
    expect(now.approvals.map((a) => a.decision)).toEqual(['approve', 'approve']);
  });
});
