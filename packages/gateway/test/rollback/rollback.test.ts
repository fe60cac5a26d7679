import { DispatchReceiptSchema } from '@handoff/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { compensationIdempotencyKey } from '../../src/rollback/compensation.js';
import { approvedPlan, ledgerOf, outboxOf } from '../dispatch/dispatch-support.js';
import { scriptedAdapter, unavailable } from '../dispatch/scripted-adapter.js';
import { createHarness, type Harness } from '../support/harness.js';
import { BUDGET_MOVE, eventsOf, rollbackPlan, submitApproved } from './rollback-support.js';

let h: Harness;
afterEach(async () => h?.close());

const DAY_MS = 86_400_000;

/** A harness with a reversible google-ads (budgets) and hubspot (enrolments) platform, the plan dispatched. */
async function dispatched(options: { rollback?: Record<string, unknown> } = {}) {
  const ads = scriptedAdapter('google-ads', { dedupes: true, reversible: ['set_campaign_budget'] });
  const hubspot = scriptedAdapter('hubspot', { reversible: ['enroll_in_workflow'] });
  h = await createHarness({ adapters: [ads.adapter, hubspot.adapter], ...options });
  const plan = await approvedPlan(h, rollbackPlan());
  expect(await h.runtime.dispatcher.runDue()).toMatchObject({ succeeded: 3 });
  const rows = await outboxOf(h, plan.planId);
  return { ads, hubspot, plan, rows };
}

describe('plans.rollback', () => {
  test('after a second operator approves, compensations run through the outbox and unspent budget is released', async () => {
    const { ads, hubspot, plan, rows } = await dispatched();
    const [move, broadcast, enrol] = rows;
    // The adapter captured what the undo needs, and the gateway kept it with the receipt.
    const body = await h.runtime.store.transaction((tx) =>
      tx.getPayload(move?.receiptDigest ?? ''),
    );
    expect(DispatchReceiptSchema.parse(JSON.parse(body ?? '{}')).reversal).toEqual({
      previousBudget: { amountMinor: 10_000, currency: 'EUR' },
    });
    h.clock.advance(DAY_MS); // Sunday 2026-11-22 09:30 UTC.

    const asked = await h.gateway.rollbackPlan(h.callers.operator.principal, plan.planId, 'CPA up');
    expect(asked).toMatchObject({
      status: 'awaiting_approval',
      requestedBy: 'operator-1',
      approvals: { required: 1, approvedBy: [] },
      untouched: [],
    });
    expect(asked.compensations.map((c) => [c.reverses, c.type, c.method])).toEqual([
      [move?.idempotencyKey, 'set_campaign_budget', 'restore_budget'],
      [enrol?.idempotencyKey, 'enroll_in_workflow', 'unenroll'],
    ]);
    expect(asked.irreversible).toEqual([
      expect.objectContaining({
        reverses: broadcast?.idempotencyKey,
        type: 'trigger_broadcast',
        reason: 'not_reversible',
      }),
    ]);
    // Nothing is queued before the approval.
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 0 });

    const approved = await h.gateway.rollbackPlan(
      h.callers.secondOperator.principal,
      plan.planId,
      'agreed',
    );
    expect(approved).toMatchObject({
      status: 'queued',
      approvals: { required: 1, approvedBy: ['operator-2'] },
    });
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 2, succeeded: 2 });

    const key = compensationIdempotencyKey(move?.idempotencyKey ?? '');
    expect(ads.reverseCalls).toEqual([
      expect.objectContaining({
        actionId: BUDGET_MOVE.actionId,
        idempotencyKey: key,
        reversal: { previousBudget: { amountMinor: 10_000, currency: 'EUR' } },
      }),
    ]);
    expect(hubspot.reverseCalls.map((c) => c.idempotencyKey)).toEqual([
      compensationIdempotencyKey(enrol?.idempotencyKey ?? ''),
    ]);
    const after = await outboxOf(h, plan.planId);
    expect(after.filter((r) => r.reverses).map((r) => [r.reverses, r.status])).toEqual([
      [move?.idempotencyKey, 'succeeded'],
      [enrol?.idempotencyKey, 'succeeded'],
    ]);

    // The lineage links each compensation to what it reverses.
    const events = await eventsOf(h, plan.planId);
    const rollback = events.filter(
      (e) => e.type.startsWith('rollback.') || e.data.reason === 'rollback',
    );
    expect(rollback.map((e) => e.type)).toEqual([
      'rollback.requested',
      'rollback.approved',
      'rollback.queued',
      'rollback.irreversible',
      'rollback.attempted',
      'rollback.succeeded',
      'rollback.attempted',
      'rollback.succeeded',
      'budget.released',
      'rollback.completed',
    ]);
    const succeeded = events.filter((e) => e.type === 'rollback.succeeded');
    expect(succeeded.map((e) => [e.data.idempotencyKey, e.data.reverses])).toEqual([
      [key, move?.idempotencyKey],
      [compensationIdempotencyKey(enrol?.idempotencyKey ?? ''), enrol?.idempotencyKey],
    ]);
    // An auditor's trace of the compensation shows its attempts and what it reversed.
    const trace = await h.gateway.traceLineage(h.callers.auditor.principal, {
      idempotencyKey: key,
    });
    const traced = trace.dispatches.find((d) => d.idempotencyKey === key);
    expect(traced?.events.map((e) => [e.type, e.data.reverses])).toEqual([
      ['rollback.attempted', move?.idempotencyKey],
      ['rollback.succeeded', move?.idempotencyKey],
    ]);
    expect(events.find((e) => e.type === 'rollback.irreversible')?.data).toMatchObject({
      reverses: broadcast?.idempotencyKey,
      reason: 'not_reversible',
    });

    // EUR 10.00 a day was committed for 8 days; rolled back on day 2, the 6 days after today are given back.
    expect(await ledgerOf(h, plan.planId)).toEqual(
      expect.arrayContaining([
        ['tenant-month', 58_000, 'committed'],
        ['tenant-month', -6_000, 'committed'],
      ]),
    );
    const used = await h.runtime.store.transaction((tx) =>
      tx.usedBudget('acme-bank', 'tenant-month', 'month:2026-11', h.clock.now()),
    );
    expect(used).toBe(52_000n);
  });

  test('the policy lets listed action types roll back without approval', async () => {
    const ads = scriptedAdapter('google-ads', {
      dedupes: true,
      reversible: ['set_campaign_budget'],
    });
    h = await createHarness({
      adapters: [ads.adapter],
      rollback: { withoutApproval: ['set_campaign_budget'] },
    });
    const plan = await submitApproved(h, rollbackPlan([BUDGET_MOVE]));
    await h.runtime.dispatcher.runDue();
    const answer = await h.gateway.rollbackPlan(h.callers.operator.principal, plan.planId, 'undo');
    expect(answer).toMatchObject({ status: 'queued', approvals: { required: 0, approvedBy: [] } });
    const requested = (await eventsOf(h, plan.planId)).find((e) => e.type === 'rollback.requested');
    expect(requested?.data).toMatchObject({ approvalsRequired: 0, rule: 'withoutApproval' });
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ succeeded: 1 });
    expect(ads.reversedKeys).toHaveLength(1);
  });

  test('a compensation is retried like any dispatch, under its own key', async () => {
    const ads = scriptedAdapter('google-ads', {
      dedupes: true,
      reversible: ['set_campaign_budget'],
      reverseSteps: [unavailable()],
    });
    h = await createHarness({ adapters: [ads.adapter], rollback: { approvals: 0 } });
    const plan = await submitApproved(h, rollbackPlan([BUDGET_MOVE]));
    await h.runtime.dispatcher.runDue();
    await h.gateway.rollbackPlan(h.callers.operator.principal, plan.planId, 'undo');
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 1, retryScheduled: 1 });
    h.clock.advance(60_000);
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ succeeded: 1 });
    const keys = ads.reverseCalls.map((c) => [c.idempotencyKey, c.attempt]);
    const [row] = await outboxOf(h, plan.planId);
    const key = compensationIdempotencyKey(row?.idempotencyKey ?? '');
    expect(keys).toEqual([
      [key, 1],
      [key, 2],
    ]);
    const types = (await eventsOf(h, plan.planId)).map((e) => e.type);
    expect(types).toContain('rollback.retry_scheduled');
    expect(types.at(-1)).toBe('rollback.completed');
  });
});
