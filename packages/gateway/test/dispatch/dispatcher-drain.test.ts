import type { AutomationAdapter } from '@handoff/automation-adapter';
import { afterEach, describe, expect, test } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { approvedPlan, outboxOf, twoActionPlan } from './dispatch-support.js';
import { scriptedAdapter } from './scripted-adapter.js';

/**
 * Issue 19: a shutdown drains dispatches. `drain()` lets a send already made be answered and recorded (it is not
 * aborted, so not left in doubt) and starts no new one; `stop()` alone aborts what is in flight.
 */

let h: Harness;
afterEach(async () => h?.close());

/** A HubSpot adapter whose first send waits for `release()`, and fails as the platform would if aborted. */
function gatedHubspot() {
  const scripted = scriptedAdapter('hubspot');
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let entered: () => void = () => undefined;
  const sent = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const adapter: AutomationAdapter = {
    ...scripted.adapter,
    async execute(action, ctx) {
      entered();
      await new Promise<void>((resolve, reject) => {
        void gate.then(resolve);
        ctx.signal?.addEventListener('abort', () => reject(new Error('aborted by the gateway')));
      });
      return scripted.adapter.execute(action, ctx);
    },
  };
  return { adapter, calls: scripted.calls, release, sent };
}

describe('Dispatcher.drain', () => {
  test('the send under way is answered and recorded; the next row of its lane is not started', async () => {
    const hubspot = gatedHubspot();
    h = await createHarness({ adapters: [hubspot.adapter] });
    const plan = await approvedPlan(h, twoActionPlan());
    const run = h.runtime.dispatcher.runDue();
    await hubspot.sent;
    const drained = h.runtime.dispatcher.drain();
    hubspot.release();
    await drained;
    await run;
    const rows = await outboxOf(h, plan.planId);
    expect(rows.map((r) => r.status)).toEqual(['succeeded', 'pending']);
    expect(hubspot.calls).toHaveLength(1);
    // Nothing starts after a drain, even when asked.
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 0 });
  });

  test('stop() without drain aborts the send under way (what the drain avoids)', async () => {
    const hubspot = gatedHubspot();
    h = await createHarness({ adapters: [hubspot.adapter] });
    const plan = await approvedPlan(h, twoActionPlan());
    const run = h.runtime.dispatcher.runDue();
    await hubspot.sent;
    await h.runtime.dispatcher.stop();
    await run.catch(() => undefined);
    const [first] = await outboxOf(h, plan.planId);
    expect(first?.status).not.toBe('succeeded');
  });
});
