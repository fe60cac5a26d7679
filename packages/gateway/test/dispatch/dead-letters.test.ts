import { afterEach, describe, expect, test } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { createHarness, type Harness } from '../support/harness.js';
import { approvedPlan, eventTypes, ledgerOf, outboxOf, twoActionPlan } from './dispatch-support.js';
import { inDoubt, refused, scriptedAdapter } from './scripted-adapter.js';

let h: Harness;
afterEach(async () => h?.close());

/** A harness whose hubspot adapter refuses the first request: the plan's one action becomes a dead letter. */
async function withDeadLetter(...more: Parameters<typeof scriptedAdapter>[1][]) {
  const hubspot = scriptedAdapter('hubspot', { steps: [refused()], ...more[0] });
  h = await createHarness({ adapters: [hubspot.adapter] });
  const plan = await approvedPlan(h);
  await h.runtime.dispatcher.runDue();
  const [row] = await outboxOf(h, plan.planId);
  if (row?.status !== 'dead') throw new Error(`expected a dead letter, got ${row?.status}`);
  return { hubspot, plan, key: row.idempotencyKey };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isGatewayError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('dead letters and in-doubt dispatches (operator)', () => {
  test('a dead letter keeps the platform error; retry re-sends it with the same key and the plan settles', async () => {
    const { hubspot, plan, key } = await withDeadLetter();
    const operator = h.callers.operator.principal;
    const queue = await h.gateway.listDispatches(operator, {});
    expect(queue.map((r) => [r.idempotencyKey, r.status, r.lastError])).toEqual([
      [key, 'dead', 'INVALID_REQUEST'],
    ]);
    const retried = await h.gateway.resolveDispatch(operator, {
      idempotencyKey: key,
      resolution: 'retry',
      reason: 'workflow re-activated in HubSpot',
    });
    expect(retried.status).toBe('pending');
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ succeeded: 1 });
    expect(hubspot.calls.map((c) => c.idempotencyKey)).toEqual([key, key]);
    expect((await h.gateway.getPlan(operator, plan.planId)).state).toBe('dispatched');
    const types = await eventTypes(h, plan.planId);
    expect(types).toContain('dispatch.dead_lettered');
    expect(types).toContain('dispatch.retried');
    expect(types[types.length - 1]).toBe('plan.settled');
  });

  test('abandoning the last dead letter fails the plan and releases its budget, committing nothing', async () => {
    const { plan, key } = await withDeadLetter();
    const operator = h.callers.operator.principal;
    const abandoned = await h.gateway.resolveDispatch(operator, {
      idempotencyKey: key,
      resolution: 'abandon',
      reason: 'campaign withdrawn',
    });
    expect(abandoned.status).toBe('abandoned');
    expect((await h.gateway.getPlan(operator, plan.planId)).state).toBe('failed');
    expect(await ledgerOf(h, plan.planId)).toEqual([
      ['hubspot-month', 64_500, 'released'],
      ['tenant-month', 64_500, 'released'],
    ]);
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 0 });
  });

  test('a plan whose second action is abandoned ends partially_failed, committing only what was sent', async () => {
    const hubspot = scriptedAdapter('hubspot', {
      steps: [{ ok: { status: 'succeeded' } }, refused()],
    });
    h = await createHarness({ adapters: [hubspot.adapter] });
    const plan = await approvedPlan(h, twoActionPlan());
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ succeeded: 1, deadLettered: 1 });
    const dead = (await outboxOf(h, plan.planId)).find((r) => r.status === 'dead');
    await h.gateway.resolveDispatch(h.callers.operator.principal, {
      idempotencyKey: dead?.idempotencyKey ?? '',
      resolution: 'abandon',
      reason: 'list deleted',
    });
    expect((await h.gateway.getPlan(h.callers.operator.principal, plan.planId)).state).toBe(
      'partially_failed',
    );
    expect(await ledgerOf(h, plan.planId)).toEqual([
      ['hubspot-month', 40_000, 'committed'],
      ['hubspot-month', 64_500, 'released'],
      ['tenant-month', 40_000, 'committed'],
      ['tenant-month', 64_500, 'released'],
    ]);
  });

  test('a retry is refused, changing nothing, while a kill switch covers the plan or once it expired', async () => {
    const { plan, key } = await withDeadLetter();
    const operator = h.callers.operator.principal;
    const retry = () =>
      h.gateway.resolveDispatch(operator, {
        idempotencyKey: key,
        resolution: 'retry',
        reason: 'x',
      });

    await h.gateway.pause(operator, { scopeType: 'adapter', scopeValue: 'hubspot' }, 'incident');
    expect((await h.gateway.getPlan(operator, plan.planId)).state).toBe('paused');
    expect(await codeOf(retry())).toBe('SCOPE_PAUSED');
    expect((await outboxOf(h, plan.planId))[0]?.status).toBe('dead');

    await h.gateway.resume(operator, { scopeType: 'adapter', scopeValue: 'hubspot' });
    expect((await h.gateway.getPlan(operator, plan.planId)).state).toBe('dispatching');
    h.clock.set('2026-11-28T09:00:00Z');
    expect(await codeOf(retry())).toBe('PLAN_EXPIRED');
    expect((await outboxOf(h, plan.planId))[0]?.status).toBe('dead');
  });

  test('only dead or in-doubt rows of the caller tenant can be resolved', async () => {
    const { key } = await withDeadLetter();
    const { operator, otherOperator, auditor } = h.callers;
    const cases = [
      [operator, 'confirm', 'DISPATCH_STATE_CONFLICT'],
      [otherOperator, 'abandon', 'NOT_FOUND'],
      [auditor, 'abandon', 'FORBIDDEN'],
    ] as const;
    for (const [caller, resolution, code] of cases) {
      const attempt = h.gateway.resolveDispatch(caller.principal, {
        idempotencyKey: key,
        resolution,
        reason: 'x',
      });
      expect(await codeOf(attempt), `${caller.principal.id} ${resolution}`).toBe(code);
    }
    const queue = await h.gateway.listDispatches(operator.principal, {});
    expect(queue.map((r) => [r.idempotencyKey, r.status])).toEqual([[key, 'dead']]);
    expect(await h.gateway.listDispatches(otherOperator.principal, {})).toEqual([]);
  });

  test('an in-doubt request is never re-sent on its own; confirming it commits its estimate', async () => {
    const hubspot = scriptedAdapter('hubspot', { steps: [inDoubt()] });
    h = await createHarness({ adapters: [hubspot.adapter] });
    const plan = await approvedPlan(h);
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ inDoubt: 1 });
    h.clock.advance(3_600_000);
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 0 });
    expect(hubspot.calls).toHaveLength(1);
    const [row] = await outboxOf(h, plan.planId);
    expect(row?.status).toBe('in_doubt');
    await h.gateway.resolveDispatch(h.callers.operator.principal, {
      idempotencyKey: row?.idempotencyKey ?? '',
      resolution: 'confirm',
      reason: 'enrolments visible in HubSpot',
    });
    expect((await h.gateway.getPlan(h.callers.operator.principal, plan.planId)).state).toBe(
      'dispatched',
    );
    expect(await ledgerOf(h, plan.planId)).toContainEqual(['tenant-month', 64_500, 'committed']);
  });
});

describe('recovery after a crash (in process)', () => {
  test('an in-flight row is re-sent with its key where the platform dedupes, and in doubt where not', async () => {
    const deduping = scriptedAdapter('hubspot', { dedupes: true });
    h = await createHarness({ adapters: [deduping.adapter] });
    const plan = await approvedPlan(h);
    const [row] = await outboxOf(h, plan.planId);
    const key = row?.idempotencyKey ?? '';
    // What a crash between claim and outcome leaves: the row in flight, its request possibly sent.
    await h.runtime.store.transaction((tx) =>
      tx.updateOutbox(key, 'pending', {
        status: 'in_flight',
        attempts: 1,
        updatedAt: h.clock.now(),
      }),
    );
    expect(await h.runtime.dispatcher.recover()).toEqual({ requeued: 1, inDoubt: 0 });
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ succeeded: 1 });
    expect(deduping.calls.map((c) => [c.idempotencyKey, c.attempt])).toEqual([[key, 2]]);

    const plain = scriptedAdapter('hubspot');
    await h.close();
    h = await createHarness({ adapters: [plain.adapter] });
    const second = await approvedPlan(h);
    const [other] = await outboxOf(h, second.planId);
    await h.runtime.store.transaction((tx) =>
      tx.updateOutbox(other?.idempotencyKey ?? '', 'pending', {
        status: 'in_flight',
        attempts: 1,
        updatedAt: h.clock.now(),
      }),
    );
    expect(await h.runtime.dispatcher.recover()).toEqual({ requeued: 0, inDoubt: 1 });
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 0 });
    expect(plain.calls).toHaveLength(0);
    expect(await eventTypes(h, second.planId)).toContain('dispatch.in_doubt');
  });
});
