import { AdapterError } from '@handoff/automation-adapter';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { approvedPlan, outboxOf } from '../dispatch/dispatch-support.js';
import { scriptedAdapter } from '../dispatch/scripted-adapter.js';
import { createHarness, type Harness } from '../support/harness.js';
import { tally } from './tally.js';

/**
 * Liveness of the dispatcher's circuit breaker, found by the chaos test: once consecutive platform failures open an
 * adapter's circuit, dispatch must resume after `breakerHalfOpenAfterMs` (one trial request, then closed again).
 *
 * KNOWN GAP (reported on issue 8): `Dispatcher#dispatchOne` holds every row while `breaker.state` is `Open`, but
 * cockatiel only moves an open circuit to half-open inside `execute()`, which the dispatcher then never calls: the
 * circuit stays open, and the adapter's rows are held, until the process restarts. The fix is to let the row
 * through to `breaker.execute` once `halfOpenAfter` has passed (or to hold on `BrokenCircuitError` instead of
 * checking the state first). This test flips to failing once that is fixed: then drop `.fails`.
 */

let h: Harness | undefined;
afterEach(async () => h?.close());

describe('circuit breaker', () => {
  test.fails('an open circuit lets a trial request through after breakerHalfOpenAfterMs', async ({
    task,
  }) => {
    const t = tally(task, 'known gap: open circuit');
    t.tried();
    const down = new AdapterError('PLATFORM_UNAVAILABLE', '503 from the platform', {
      retryable: true,
      platform: { status: 503 },
    });
    const platform = scriptedAdapter('hubspot', { steps: [{ fail: down }] });
    h = await createHarness({
      adapters: [platform.adapter],
      dispatch: {
        breakerThreshold: 1,
        breakerHalfOpenAfterMs: 100,
        initialDelayMs: 1,
        maxDelayMs: 1,
      },
    });
    const view = await approvedPlan(h);
    await h.runtime.dispatcher.runDue();
    expect(platform.calls).toHaveLength(1);
    // Real time must pass for cockatiel's half-open delay; the gateway's own clock moves past each hold.
    const harness = h;
    await vi.waitFor(
      async () => {
        harness.clock.advance(1_000);
        await harness.runtime.dispatcher.runDue();
        expect((await outboxOf(harness, view.planId)).map((r) => r.status)).toEqual(['succeeded']);
      },
      { timeout: 3_000, interval: 50 },
    );
    expect(platform.calls).toHaveLength(2);
    t.held();
  });
});
