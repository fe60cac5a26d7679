import { afterEach, describe, expect, test } from 'vitest';
import { DEFAULT_LEASE_MS, Dispatcher } from '../../src/dispatch/dispatcher.js';
import { createHarness, type Harness } from '../support/harness.js';
import { approvedPlan, eventTypes, outboxOf } from './dispatch-support.js';
import { scriptedAdapter } from './scripted-adapter.js';

let h: Harness;
afterEach(async () => h?.close());

/** A gate a scripted request waits at: `entered` resolves once the request is at the platform. */
function gate() {
  let enter = () => {};
  let open = () => {};
  const entered = new Promise<void>((r) => {
    enter = r;
  });
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return {
    entered,
    open,
    step: {
      before: async () => {
        enter();
        await opened;
      },
      next: { ok: { status: 'succeeded' as const } },
    },
  };
}

describe('an outbox lease that ends while its owner still waits on the platform', () => {
  test('the stalled replica records nothing over the attempt of the replica that recovered the row', async () => {
    const first = gate();
    const second = gate();
    // The platform dedupes on the idempotency key: a recovered row goes back to pending and is re-sent.
    const hubspot = scriptedAdapter('hubspot', { dedupes: true, steps: [first.step, second.step] });
    h = await createHarness({ adapters: [hubspot.adapter] });
    const plan = await approvedPlan(h);

    // Replica A (the runtime's dispatcher) sends and stalls; its lease runs out meanwhile.
    const runA = h.runtime.dispatcher.runDue();
    await first.entered;
    h.clock.advance(DEFAULT_LEASE_MS + 1);
    // Replica B recovers the row, claims it again (attempt 2) and is at the platform with it.
    const b = new Dispatcher({
      store: h.runtime.store,
      clock: h.clock,
      adapters: [hubspot.adapter],
      replicaId: 'replica-b',
    });
    const runB = b.runDue();
    await second.entered;

    // A's answer comes back: the row is B's attempt now, so A's outcome is refused and nothing changes.
    first.open();
    await expect(runA).rejects.toThrow(/no longer in flight on attempt 1/);
    const [held] = await outboxOf(h, plan.planId);
    expect(held).toMatchObject({ status: 'in_flight', attempts: 2, leaseOwner: 'replica-b' });

    second.open();
    expect(await runB).toMatchObject({ attempted: 1, succeeded: 1 });
    const [row] = await outboxOf(h, plan.planId);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(hubspot.appliedKeys).toEqual([row?.idempotencyKey]);
    const types = (await eventTypes(h, plan.planId)).filter((t) => t.startsWith('dispatch.'));
    expect(types).toEqual([
      'dispatch.attempted',
      'dispatch.retry_scheduled',
      'dispatch.attempted',
      'dispatch.succeeded',
    ]);
    await b.stop();
  });
});
