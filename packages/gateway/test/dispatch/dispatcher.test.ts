import { DispatchReceiptSchema } from '@handoff/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { approvedPlan, eventTypes, ledgerOf, outboxOf, twoActionPlan } from './dispatch-support.js';
import { scriptedAdapter, throttled, unavailable } from './scripted-adapter.js';

let h: Harness;
afterEach(async () => h?.close());

describe('the outbox dispatcher', () => {
  test('sends an approved action once, stores its receipt, commits the actual cost and settles the plan', async () => {
    const hubspot = scriptedAdapter('hubspot', {
      steps: [
        { ok: { status: 'succeeded', actualCost: { amountMinor: 60_000, currency: 'EUR' } } },
      ],
    });
    h = await createHarness({ adapters: [hubspot.adapter] });
    const plan = await approvedPlan(h);
    expect(await ledgerOf(h, plan.planId)).toEqual([
      ['hubspot-month', 64_500, 'reserved'],
      ['tenant-month', 64_500, 'reserved'],
    ]);

    const summary = await h.runtime.dispatcher.runDue();
    expect(summary).toMatchObject({ attempted: 1, succeeded: 1, deadLettered: 0 });
    expect(hubspot.calls).toHaveLength(1);
    const [row] = await outboxOf(h, plan.planId);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(hubspot.calls[0]?.idempotencyKey).toBe(row?.idempotencyKey);

    const receiptBody = await h.runtime.store.transaction((tx) =>
      tx.getPayload(row?.receiptDigest ?? ''),
    );
    const receipt = DispatchReceiptSchema.parse(JSON.parse(receiptBody ?? 'null'));
    expect(receipt).toMatchObject({
      status: 'succeeded',
      platformRef: 'hubspot-1',
      actualCost: { amountMinor: 60_000, currency: 'EUR' },
      planDigest: plan.digest,
    });

    const view = await h.gateway.getPlan(h.callers.auditor.principal, plan.planId);
    expect(view.state).toBe('dispatched');
    expect(await ledgerOf(h, plan.planId)).toEqual([
      ['hubspot-month', 60_000, 'committed'],
      ['hubspot-month', 64_500, 'released'],
      ['tenant-month', 60_000, 'committed'],
      ['tenant-month', 64_500, 'released'],
    ]);
    // One event per transition: the claim (entering dispatching), the outcome, the settlement.
    const types = await eventTypes(h, plan.planId);
    expect(types.slice(types.indexOf('dispatch.attempted'))).toEqual([
      'dispatch.attempted',
      'dispatch.succeeded',
      'plan.settled',
    ]);
    expect(types).not.toContain('plan.state_changed');
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 0 });
  });

  test('a 429 is retried no sooner than its Retry-After, with the same idempotency key', async () => {
    const hubspot = scriptedAdapter('hubspot', { steps: [throttled(30_000)] });
    h = await createHarness({ adapters: [hubspot.adapter] });
    const plan = await approvedPlan(h);

    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 1, retryScheduled: 1 });
    const [waiting] = await outboxOf(h, plan.planId);
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1, lastError: 'RATE_LIMITED' });
    expect(waiting?.nextAttemptAt).toBeGreaterThanOrEqual(h.clock.now() + 30_000);

    h.clock.advance(29_999);
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 0 });
    h.clock.advance((waiting?.nextAttemptAt ?? 0) - h.clock.now());
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 1, succeeded: 1 });
    expect(hubspot.calls.map((c) => [c.idempotencyKey, c.attempt])).toEqual([
      [waiting?.idempotencyKey, 1],
      [waiting?.idempotencyKey, 2],
    ]);
    const types = await eventTypes(h, plan.planId);
    expect(types.filter((t) => t.startsWith('dispatch.'))).toEqual([
      'dispatch.attempted',
      'dispatch.failed',
      'dispatch.retry_scheduled',
      'dispatch.attempted',
      'dispatch.succeeded',
    ]);
  });

  test('every attempt is told when its action was queued (the approval), while its clock moves on', async () => {
    const hubspot = scriptedAdapter('hubspot', { steps: [unavailable()] });
    h = await createHarness({ adapters: [hubspot.adapter] });
    const plan = await approvedPlan(h);
    const approvedAt = h.clock.now();
    h.clock.advance(5_000);
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ retryScheduled: 1 });
    h.clock.advance(600_000);
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ succeeded: 1 });
    const [row] = await outboxOf(h, plan.planId);
    expect(row?.createdAt).toBe(approvedAt);
    expect(hubspot.calls.map((c) => [c.attempt, c.queuedAt, c.calledAt])).toEqual([
      [1, approvedAt, approvedAt + 5_000],
      [2, approvedAt, approvedAt + 605_000],
    ]);
  });

  test('retryable failures become a dead letter once attempts run out, and the budget stays held', async () => {
    const hubspot = scriptedAdapter('hubspot', { steps: Array.from({ length: 6 }, unavailable) });
    h = await createHarness({ adapters: [hubspot.adapter], dispatch: { breakerThreshold: 100 } });
    const plan = await approvedPlan(h);
    for (let i = 0; i < 6; i += 1) {
      await h.runtime.dispatcher.runDue();
      h.clock.advance(600_000);
    }
    const [row] = await outboxOf(h, plan.planId);
    expect(row).toMatchObject({ status: 'dead', attempts: 6, lastError: 'PLATFORM_UNAVAILABLE' });
    expect(hubspot.calls).toHaveLength(6);
    expect((await h.gateway.getPlan(h.callers.operator.principal, plan.planId)).state).toBe(
      'dispatching',
    );
    expect((await ledgerOf(h, plan.planId)).map((l) => l[2])).toEqual(['reserved', 'reserved']);
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 0 });
  });

  test('consecutive platform failures open the adapter circuit: later actions wait, unsent', async () => {
    const hubspot = scriptedAdapter('hubspot', { steps: Array.from({ length: 3 }, unavailable) });
    h = await createHarness({
      adapters: [hubspot.adapter],
      dispatch: { breakerThreshold: 3, breakerHalfOpenAfterMs: 60_000, maxDelayMs: 1_000 },
    });
    const plan = await approvedPlan(h);
    for (let i = 0; i < 3; i += 1) {
      h.clock.advance(1_000);
      await h.runtime.dispatcher.runDue();
    }
    const openedAt = h.clock.now();
    expect(hubspot.calls).toHaveLength(3);
    h.clock.advance(1_000);
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 0, held: 1 });
    expect(hubspot.calls).toHaveLength(3);
    const [row] = await outboxOf(h, plan.planId);
    expect(row).toMatchObject({ status: 'pending', attempts: 3 });
    expect(row?.nextAttemptAt).toBe(openedAt + 60_000);
  });

  test('an action naming no configured adapter is a dead letter, never sent anywhere', async () => {
    const other = scriptedAdapter('customerio');
    h = await createHarness({ adapters: [other.adapter] });
    const plan = await approvedPlan(h);
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ deadLettered: 1 });
    const [row] = await outboxOf(h, plan.planId);
    expect(row).toMatchObject({ status: 'dead', lastError: 'UNSUPPORTED_ACTION' });
    expect(other.calls).toHaveLength(0);
  });

  test('the kill switch stops a dispatch before its next action; resuming finishes it', async () => {
    const hubspot = scriptedAdapter('hubspot');
    h = await createHarness({ adapters: [hubspot.adapter] });
    const plan = await approvedPlan(h, twoActionPlan());
    const operator = h.callers.operator.principal;
    hubspot.append({
      before: async () => {
        await h.gateway.pause(
          operator,
          { scopeType: 'adapter', scopeValue: 'hubspot' },
          'incident',
        );
      },
      next: { ok: { status: 'succeeded' } },
    });

    const first = await h.runtime.dispatcher.runDue();
    expect(first).toMatchObject({ attempted: 1, succeeded: 1, held: 1 });
    expect(hubspot.calls.map((c) => c.actionId)).toEqual(['enroll-call-list']);
    expect((await h.gateway.getPlan(operator, plan.planId)).state).toBe('paused');
    h.clock.advance(5_000);
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 0 });

    await h.gateway.resume(operator, { scopeType: 'adapter', scopeValue: 'hubspot' });
    h.clock.advance(5_000);
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 1, succeeded: 1 });
    expect(hubspot.calls.map((c) => c.actionId)).toEqual([
      'enroll-call-list',
      'enroll-second-wave',
    ]);
    expect((await h.gateway.getPlan(operator, plan.planId)).state).toBe('dispatched');
    expect(await ledgerOf(h, plan.planId)).toContainEqual(['tenant-month', 64_500, 'committed']);
  });

  test('rows of a plan cancelled before dispatch are abandoned, not sent', async () => {
    const hubspot = scriptedAdapter('hubspot');
    h = await createHarness({ adapters: [hubspot.adapter] });
    const plan = await approvedPlan(h);
    await h.gateway.cancelPlan(h.callers.operator.principal, plan.planId, 'campaign withdrawn');
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 0, abandoned: 1 });
    expect(hubspot.calls).toHaveLength(0);
    const [row] = await outboxOf(h, plan.planId);
    expect(row).toMatchObject({ status: 'abandoned', lastError: 'plan_cancelled' });
  });
});
