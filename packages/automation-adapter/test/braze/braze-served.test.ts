import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ExecuteContext } from '../../src/adapter.js';
import { createBrazeAdapter } from '../../src/braze/braze-adapter.js';
import { createBrazeFake } from '../../src/braze/braze-fake.js';
import { type ServedFake, serveFake } from '../../src/testing/serve-fake.js';
import {
  API_KEY,
  broadcastAction,
  enrollAction,
  NOW,
  rejection,
  scheduleAction,
} from './braze-fixtures.js';

/** The Braze fake over a real socket on 127.0.0.1 (no msw interception in this file). */
const fake = createBrazeFake({ apiKey: API_KEY, now: () => NOW });
let served: ServedFake | undefined;

beforeAll(async () => {
  served = await serveFake(fake.handlers, fake.baseUrl);
});
afterEach(() => fake.reset());
afterAll(async () => {
  await served?.close();
});

function adapter(timeoutMs = 200) {
  return createBrazeAdapter({ restEndpoint: served?.url ?? '', apiKey: API_KEY, timeoutMs });
}

function context(): ExecuteContext {
  return {
    idempotencyKey: 'plan-1:option-1:0',
    signal: new AbortController().signal,
    fetch: globalThis.fetch,
    now: () => NOW,
    queuedAt: NOW,
    attempt: 1,
  };
}

describe('Braze adapter against the fake served on 127.0.0.1', () => {
  it('batches a Canvas enrollment over HTTP', async () => {
    const receipt = await adapter().execute(enrollAction(120), context());
    expect(receipt.details).toMatchObject({ requests: 3, recipients: 120 });
    expect(fake.applied).toHaveLength(3);
  });

  it('schedules and cancels over HTTP', async () => {
    const brazeAdapter = adapter();
    const receipt = await brazeAdapter.execute(scheduleAction, context());
    expect(fake.schedules.size).toBe(1);
    await brazeAdapter.cancel?.(receipt.platformRef ?? '', context());
    expect(fake.schedules.size).toBe(0);
  });

  it('reports IN_DOUBT when the answer times out after Braze applied the send', async () => {
    fake.inject({ kind: 'timeout', applied: true });
    const error = await rejection(adapter(100).execute(broadcastAction, context()));
    expect(error.code).toBe('IN_DOUBT');
    expect(fake.applied).toHaveLength(1);
    expect(fake.received).toHaveLength(1);
  });

  it('reports IN_DOUBT when the socket is reset after Braze applied the send', async () => {
    fake.inject({ kind: 'reset', applied: true });
    const error = await rejection(adapter().execute(broadcastAction, context()));
    expect(error.code).toBe('IN_DOUBT');
    expect(fake.applied).toHaveLength(1);
  });

  it('reads X-RateLimit-Reset from a real 429 answer', async () => {
    fake.inject({ kind: 'rate_limit', retryAfterSeconds: 7 });
    const error = await rejection(adapter().execute(broadcastAction, context()));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfterMs).toBe(7000);
  });
});
