import { afterEach, describe, expect, test } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { isGatewayError } from '../../src/errors.js';
import { outboxOf } from '../dispatch/dispatch-support.js';
import { refused, scriptedAdapter } from '../dispatch/scripted-adapter.js';
import { createHarness, type Harness } from '../support/harness.js';
import { BUDGET_MOVE, lineageCount, rollbackPlan, submitApproved } from './rollback-support.js';

let h: Harness;
afterEach(async () => h?.close());

/** Calls plans.rollback as `who`, expects the refusal `code`, and checks that nothing was written. */
async function refusedWith(who: Principal, planId: string, code: string) {
  const events = await lineageCount(h);
  const rows = await outboxOf(h, planId);
  const error = await h.gateway.rollbackPlan(who, planId, 'roll back').then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isGatewayError(error) && error.code, `${who.id}`).toBe(code);
  expect(await lineageCount(h)).toBe(events);
  expect(await outboxOf(h, planId)).toEqual(rows);
  return error;
}

async function harness(rollback?: Record<string, unknown>) {
  const ads = scriptedAdapter('google-ads', { dedupes: true, reversible: ['set_campaign_budget'] });
  h = await createHarness({ adapters: [ads.adapter], ...(rollback ? { rollback } : {}) });
  return ads;
}

describe('plans.rollback refusals change nothing', () => {
  test('a plan not dispatched (approved, not sent; or failed) is PLAN_NOT_DISPATCHED', async () => {
    await harness();
    const plan = await submitApproved(h, rollbackPlan([BUDGET_MOVE]));
    const error = await refusedWith(
      h.callers.operator.principal,
      plan.planId,
      'PLAN_NOT_DISPATCHED',
    );
    expect(isGatewayError(error) && error.details).toEqual({ state: 'approved' });
  });

  test('a plan whose every action failed is PLAN_NOT_DISPATCHED', async () => {
    const ads = scriptedAdapter('google-ads', { steps: [refused()] });
    h = await createHarness({ adapters: [ads.adapter] });
    const plan = await submitApproved(h, rollbackPlan([BUDGET_MOVE]));
    await h.runtime.dispatcher.runDue();
    const [row] = await outboxOf(h, plan.planId);
    await h.gateway.resolveDispatch(h.callers.operator.principal, {
      idempotencyKey: row?.idempotencyKey ?? '',
      resolution: 'abandon',
      reason: 'campaign gone',
    });
    await refusedWith(h.callers.operator.principal, plan.planId, 'PLAN_NOT_DISPATCHED');
  });

  test('a plan already rolled back is ROLLBACK_ALREADY_REQUESTED, by any operator', async () => {
    await harness({ approvals: 0 });
    const plan = await submitApproved(h, rollbackPlan([BUDGET_MOVE]));
    await h.runtime.dispatcher.runDue();
    await h.gateway.rollbackPlan(h.callers.operator.principal, plan.planId, 'undo');
    await refusedWith(h.callers.operator.principal, plan.planId, 'ROLLBACK_ALREADY_REQUESTED');
    await refusedWith(
      h.callers.secondOperator.principal,
      plan.planId,
      'ROLLBACK_ALREADY_REQUESTED',
    );
  });

  test('the operator who asked cannot approve their own rollback', async () => {
    await harness();
    const plan = await submitApproved(h, rollbackPlan([BUDGET_MOVE]));
    await h.runtime.dispatcher.runDue();
    await h.gateway.rollbackPlan(h.callers.operator.principal, plan.planId, 'undo');
    const error = await refusedWith(
      h.callers.operator.principal,
      plan.planId,
      'ROLLBACK_ALREADY_REQUESTED',
    );
    expect(isGatewayError(error) && error.details).toMatchObject({
      requestedBy: 'operator-1',
      approvedBy: [],
      approvalsRequired: 1,
    });
  });

  test('other roles are FORBIDDEN; another tenant and an unknown plan are NOT_FOUND', async () => {
    await harness({ approvals: 0 });
    const plan = await submitApproved(h, rollbackPlan([BUDGET_MOVE]));
    await h.runtime.dispatcher.runDue();
    const { copilot, approver, auditor, otherOperator, operator } = h.callers;
    for (const who of [copilot, approver, auditor]) {
      await refusedWith(who.principal, plan.planId, 'FORBIDDEN');
    }
    await refusedWith(otherOperator.principal, plan.planId, 'NOT_FOUND');
    await refusedWith(operator.principal, '019a8f2e-5c4b-7d3e-9a1f-0000000000ff', 'NOT_FOUND');
    // None of the refusals stood in the way of the rightful rollback.
    const answer = await h.gateway.rollbackPlan(operator.principal, plan.planId, 'undo');
    expect(answer.status).toBe('queued');
  });
});
