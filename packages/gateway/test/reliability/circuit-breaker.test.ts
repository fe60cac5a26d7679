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
 * Found as a gap by the chaos test: the dispatcher held rows while cockatiel's state was `Open`, but cockatiel
 * half-opens only inside `execute()`, so the circuit never closed again. The dispatcher now holds rows only until
 * `breakerHalfOpenAfterMs` after the circuit opened (on its own clock), then lets them through to `execute`.
 */

let h: Harness | undefined;
afterEach(async () => h?.close());

describe('circuit breaker', () => {
  test('an open circuit lets a trial request through after breakerHalfOpenAfterMs', async ({
    task,
  }) => {
    const t = tally(task, 'open circuit half-opens');
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
