import { describe, expect, it } from 'vitest';
import { AdapterError } from '../../src/adapter-error.js';
import {
  broadcastAction,
  context,
  enrollAction,
  rejection,
  scheduleAction,
  useBrazeFake,
} from './braze-fixtures.js';

const { fake, adapter } = useBrazeFake();

describe('Braze adapter: requests whose fate is unknown', () => {
  it('reports IN_DOUBT, never resent, when Braze applied the send but the answer timed out', async () => {
    fake.inject({ kind: 'timeout', applied: true });
    const error = await rejection(adapter({ timeoutMs: 50 }).execute(broadcastAction, context()));
    expect(error.code).toBe('IN_DOUBT');
    expect(error.retryable).toBe(false);
    expect(fake.applied).toHaveLength(1);
    expect(fake.received).toHaveLength(1);
  });

  it('reports IN_DOUBT when the connection is reset after sending', async () => {
    fake.inject({ kind: 'reset', applied: true });
    const error = await rejection(adapter().execute(broadcastAction, context()));
    expect(error.code).toBe('IN_DOUBT');
    expect(fake.applied).toHaveLength(1);
  });

  it('stops before sending when the dispatcher aborted (ABORTED, nothing received)', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(
      adapter().execute(broadcastAction, context({ signal: controller.signal })),
    );
    expect(error.code).toBe('ABORTED');
    expect(fake.received).toHaveLength(0);
  });
});

describe('Braze adapter: partial failure of a batched action', () => {
  /** A fetch that injects `fault` into the fake once the first request has been answered. */
  function failSecondRequest(kind: 'rate_limit' | 'timeout') {
    let calls = 0;
    return context({
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        calls += 1;
        if (calls === 1) fake.inject(kind === 'rate_limit' ? { kind } : { kind, applied: false });
        return response;
      },
    });
  }

  it('is a non-retryable IN_DOUBT naming the accepted requests, when request 2 of 3 fails', async () => {
    const error = await rejection(
      adapter().execute(enrollAction(120), failSecondRequest('rate_limit')),
    );
    expect(error.code).toBe('IN_DOUBT');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('accepted 1 of 3 requests (dispatch ids dispatch-1)');
    expect(error.message).toContain('request 2 failed with RATE_LIMITED');
    expect(error.cause).toBeInstanceOf(AdapterError);
    expect(error.platform.status).toBe(429);
    expect(fake.applied).toHaveLength(1);
    expect(fake.received).toHaveLength(2);
  });

  it('is IN_DOUBT when request 2 times out, the third never sent', async () => {
    const error = await rejection(
      adapter({ timeoutMs: 50 }).execute(enrollAction(120), failSecondRequest('timeout')),
    );
    expect(error.code).toBe('IN_DOUBT');
    expect(error.message).toContain('accepted 1 of 3');
    expect(fake.received).toHaveLength(2);
  });

  it('keeps the code of a failing first request (nothing was applied)', async () => {
    fake.inject({ kind: 'rate_limit', retryAfterSeconds: 1 });
    const error = await rejection(adapter().execute(enrollAction(120), context()));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryable).toBe(true);
    expect(fake.received).toHaveLength(1);
  });
});

describe('Braze adapter: schedules', () => {
  it('refuses, before sending, a sendAt in the past or beyond 90 days', async () => {
    const past = {
      ...scheduleAction,
      params: { ...scheduleAction.params, sendAt: '2026-03-01T00:00:00Z' },
    };
    const far = {
      ...scheduleAction,
      params: { ...scheduleAction.params, sendAt: '2026-06-01T00:00:00Z' },
    };
    expect((await rejection(adapter().execute(past, context()))).code).toBe('INVALID_REQUEST');
    expect((await rejection(adapter().execute(far, context()))).code).toBe('INVALID_REQUEST');
    expect(fake.received).toHaveLength(0);
  });

  it('refuses a malformed cancel reference without calling Braze', async () => {
    const error = await rejection(
      adapter().cancel?.('schedule-only', context()) ?? Promise.resolve(),
    );
    expect(error.code).toBe('INVALID_REQUEST');
    expect(fake.received).toHaveLength(0);
  });

  it('maps a cancel of an unknown schedule to Braze refusal', async () => {
    const error = await rejection(
      adapter().cancel?.('campaign-reminder/schedule-404', context()) ?? Promise.resolve(),
    );
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.platform.status).toBe(400);
  });

  it('treats a cancel timeout as a retryable TIMEOUT (a deletion cannot apply twice)', async () => {
    const brazeAdapter = adapter({ timeoutMs: 50 });
    const receipt = await brazeAdapter.execute(scheduleAction, context());
    fake.inject({ kind: 'timeout', applied: true });
    const error = await rejection(
      brazeAdapter.cancel?.(receipt.platformRef ?? '', context()) ?? Promise.resolve(),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
    expect(fake.schedules.size).toBe(0);
  });
});
