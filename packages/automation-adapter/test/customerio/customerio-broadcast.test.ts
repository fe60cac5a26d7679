import { beforeEach, describe, expect, it } from 'vitest';
import { type AdapterError, isAdapterError } from '../../src/adapter-error.js';
import {
  adapterFor,
  broadcastAction,
  clock,
  context,
  sent,
  serve,
  trackEventAction,
  transactionalAction,
  useServer,
} from './helpers.js';

useServer();

async function failure(promise: Promise<unknown>): Promise<AdapterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAdapterError(error)) throw new Error(`expected an AdapterError, got ${String(error)}`);
  return error;
}

function broadcast(id: string) {
  return { ...broadcastAction, params: { ...broadcastAction.params, broadcastId: id } };
}

beforeEach(() => {
  clock.ms = Date.UTC(2026, 2, 1, 9, 0, 0);
});

describe('broadcast throttling, client side (one trigger per broadcast every 10 s)', () => {
  it('refuses a second trigger within 10 s with RATE_LIMITED and the remaining wait, sending nothing', async () => {
    const fake = serve();
    const adapter = adapterFor();
    await adapter.execute(broadcastAction, context('a'));
    clock.ms += 4_000;
    const error = await failure(adapter.execute(broadcastAction, context('b')));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(6_000);
    expect(sent).toHaveLength(1);
    expect(fake.received).toHaveLength(1);
  });

  it('allows the same broadcast again after 10 s, and other broadcasts at once', async () => {
    const fake = serve();
    const adapter = adapterFor();
    await adapter.execute(broadcastAction, context('a'));
    await adapter.execute(broadcast('99'), context('b'));
    clock.ms += 10_000;
    await adapter.execute(broadcastAction, context('c'));
    expect(fake.applied).toHaveLength(3);
  });
});

describe('broadcast throttling, server side (the fake)', () => {
  it('answers 429 to a trigger of the same broadcast within 10 s: RATE_LIMITED, retry after 10 s', async () => {
    const fake = serve();
    await adapterFor().execute(broadcastAction, context('a'));
    clock.ms += 3_000;
    const error = await failure(adapterFor().execute(broadcastAction, context('b')));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.platform.status).toBe(429);
    expect(error.retryAfterMs).toBe(10_000);
    expect(fake.applied).toHaveLength(1);
  });

  it('answers 429 when 5 triggers are already queued', async () => {
    const fake = serve();
    const adapter = adapterFor();
    for (const id of ['1', '2', '3', '4', '5']) await adapter.execute(broadcast(id), context(id));
    const error = await failure(adapter.execute(broadcast('6'), context('6')));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.platform).toMatchObject({
      status: 429,
      platformMessage: 'too many broadcast triggers queued',
    });
    clock.ms += 60_000;
    await adapter.execute(broadcast('6'), context('6'));
    expect(fake.applied).toHaveLength(6);
  });

  it('honours the Retry-After of an injected 429', async () => {
    const fake = serve();
    fake.inject({ kind: 'rate_limit', retryAfterSeconds: 7 });
    const error = await failure(adapterFor().execute(broadcastAction, context('a')));
    expect(error.retryAfterMs).toBe(7_000);
  });

  it('answers 404 for a broadcast that does not exist', async () => {
    serve('us', ['42']);
    const error = await failure(adapterFor().execute(broadcast('41'), context('a')));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.retryable).toBe(false);
  });
});

describe('requests without an idempotency key are never retried blindly', () => {
  it('a timeout after the broadcast was applied is IN_DOUBT, not retryable', async () => {
    const fake = serve();
    fake.inject({ kind: 'timeout', applied: true });
    const error = await failure(adapterFor().execute(broadcastAction, context('a')));
    expect(error.code).toBe('IN_DOUBT');
    expect(error.retryable).toBe(false);
    expect(fake.applied).toHaveLength(1);
  });

  it('a reset after the transactional send was applied is IN_DOUBT', async () => {
    const fake = serve();
    fake.inject({ kind: 'reset', applied: true });
    const error = await failure(adapterFor().execute(transactionalAction, context('a')));
    expect(error.code).toBe('IN_DOUBT');
    expect(fake.applied).toHaveLength(1);
  });

  it('a timeout on a tracked event is TIMEOUT and retryable: the retry is deduplicated', async () => {
    const fake = serve();
    fake.inject({ kind: 'timeout', applied: true });
    const adapter = adapterFor();
    const error = await failure(adapter.execute(trackEventAction, context('k')));
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
    await adapter.execute(trackEventAction, context('k', { attempt: 2 }));
    expect(fake.received).toHaveLength(2);
    expect(fake.applied).toHaveLength(1);
  });

  it('an aborted signal stops a broadcast before the throttle and before sending', async () => {
    const fake = serve();
    const controller = new AbortController();
    controller.abort();
    const error = await failure(
      adapterFor().execute(broadcastAction, context('a', { signal: controller.signal })),
    );
    expect(error.code).toBe('ABORTED');
    expect(fake.received).toHaveLength(0);
  });
});
