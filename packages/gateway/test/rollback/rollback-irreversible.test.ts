import { afterEach, describe, expect, test } from 'vitest';
import { compensationIdempotencyKey } from '../../src/rollback/compensation.js';
import { eventTypes, outboxOf } from '../dispatch/dispatch-support.js';
import { inDoubt, scriptedAdapter } from '../dispatch/scripted-adapter.js';
import { createHarness, fixturePlan, type Harness } from '../support/harness.js';
import { BROADCAST, BUDGET_MOVE, rollbackPlan, submitApproved } from './rollback-support.js';

let h: Harness;
afterEach(async () => h?.close());

describe('what a rollback cannot undo is listed, never skipped', () => {
  test('each reason: contract, adapter, nothing captured, send time passed', async () => {
    const ads = scriptedAdapter('google-ads', {
      reversible: ['set_campaign_budget'],
      capture: () => undefined, // captures no previousBudget
    });
    const hubspot = scriptedAdapter('hubspot'); // reverses nothing
    const braze = scriptedAdapter('braze', {
      reversible: ['schedule_message'],
      capture: () => ({ scheduledId: 'schedule-1' }),
    });
    h = await createHarness({ adapters: [ads.adapter, hubspot.adapter, braze.adapter] });
    const enrol = fixturePlan().options[0]?.actions[0];
    if (!enrol) throw new Error('fixture changed');
    const scheduled = {
      type: 'schedule_message' as const,
      actionId: 'reminder',
      adapter: 'braze',
      estimatedCost: { amountMinor: 1_000, currency: 'EUR' as const },
      params: { campaignId: 'reminder', sendAt: '2026-11-21T10:00:00Z', segmentId: 'savers' },
    };
    const plan = await submitApproved(
      h,
      rollbackPlan([
        BUDGET_MOVE,
        BROADCAST,
        { ...enrol, estimatedCost: { amountMinor: 30_000, currency: 'EUR' } },
        scheduled,
      ]),
    );
    await h.runtime.dispatcher.runDue();
    h.clock.advance(3_600_000); // 10:30 UTC: the reminder went out at 10:00.
    const answer = await h.gateway.rollbackPlan(h.callers.operator.principal, plan.planId, 'x');
    expect(answer.compensations).toEqual([]);
    expect(answer.irreversible.map((i) => [i.actionId, i.reason])).toEqual([
      ['raise-search', 'no_reversal_captured'],
      ['announce-rate', 'not_reversible'],
      ['enroll-call-list', 'adapter_cannot_reverse'],
      ['reminder', 'send_time_passed'],
    ]);
    // Nothing to send: no approval needed, the rollback completes at once and says what it could not undo.
    expect(answer).toMatchObject({ status: 'queued', approvals: { required: 0 } });
    const types = await eventTypes(h, plan.planId);
    expect(types.filter((t) => t === 'rollback.irreversible')).toHaveLength(4);
    expect(types.at(-1)).toBe('rollback.completed');
  });
});

describe('a compensation in doubt after a crash', () => {
  test('is re-sent under its own key where the platform dedupes, and applied once', async () => {
    const ads = scriptedAdapter('google-ads', {
      dedupes: true,
      reversible: ['set_campaign_budget'],
    });
    h = await createHarness({ adapters: [ads.adapter], rollback: { approvals: 0 } });
    const plan = await submitApproved(h, rollbackPlan([BUDGET_MOVE]));
    await h.runtime.dispatcher.runDue();
    await h.gateway.rollbackPlan(h.callers.operator.principal, plan.planId, 'undo');
    const [, compensation] = await outboxOf(h, plan.planId);
    const key = compensation?.idempotencyKey ?? '';
    // What a crash between claim and outcome leaves: the compensation in flight, possibly applied.
    await h.runtime.store.transaction((tx) =>
      tx.updateOutbox(key, 'pending', {
        status: 'in_flight',
        attempts: 1,
        updatedAt: h.clock.now(),
      }),
    );
    expect(await h.runtime.dispatcher.recover()).toEqual({ requeued: 1, inDoubt: 0 });
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ succeeded: 1 });
    expect(ads.reverseCalls.map((c) => [c.idempotencyKey, c.attempt])).toEqual([[key, 2]]);
    expect(await eventTypes(h, plan.planId)).toContain('rollback.retry_scheduled');
  });

  test('an in-doubt compensation waits for an operator, and its confirmation completes the rollback', async () => {
    const ads = scriptedAdapter('google-ads', {
      reversible: ['set_campaign_budget'],
      reverseSteps: [inDoubt()],
    });
    h = await createHarness({ adapters: [ads.adapter], rollback: { approvals: 0 } });
    const plan = await submitApproved(h, rollbackPlan([BUDGET_MOVE]));
    await h.runtime.dispatcher.runDue();
    await h.gateway.rollbackPlan(h.callers.operator.principal, plan.planId, 'undo');
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ inDoubt: 1 });
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 0 });
    expect(await eventTypes(h, plan.planId)).not.toContain('rollback.completed');
    const [row] = await outboxOf(h, plan.planId);
    await h.gateway.resolveDispatch(h.callers.operator.principal, {
      idempotencyKey: compensationIdempotencyKey(row?.idempotencyKey ?? ''),
      resolution: 'confirm',
      reason: 'budget back at EUR 100.00 in the console',
    });
    expect(ads.reverseCalls).toHaveLength(1);
    const types = await eventTypes(h, plan.planId);
    expect(types.slice(-4)).toEqual([
      'rollback.in_doubt',
      'rollback.succeeded',
      'budget.released',
      'rollback.completed',
    ]);
  });
});
