import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isAdapterError } from '../../src/adapter-error.js';
import { createHubSpotAdapter } from '../../src/hubspot/hubspot-adapter.js';
import { createHubSpotFake } from '../../src/hubspot/hubspot-fake.js';
import { type ServedFake, serveFake } from '../../src/testing/serve-fake.js';
import { context, enrollAction, listAction, SEED, sendAction, TOKEN } from './hubspot-fixtures.js';

// No msw interception in this file: the fake is served over real HTTP on 127.0.0.1, so the adapter meets real
// sockets (resets, held connections) rather than msw's in-process network errors.
describe('the HubSpot fake over HTTP (serveFake)', () => {
  const fake = createHubSpotFake({ accessToken: TOKEN, ...SEED, maxHoldMs: 300 });
  let served: ServedFake;
  beforeAll(async () => {
    served = await serveFake(fake.handlers, fake.baseUrl);
  });
  afterAll(() => served.close());

  const adapter = (token = TOKEN) =>
    createHubSpotAdapter({ accessToken: token, baseUrl: served.url, timeoutMs: 100 });
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.catch((e: unknown) => e);
    if (!isAdapterError(error)) throw new Error(`expected an AdapterError, got ${String(error)}`);
    return error;
  };

  test('executes the actions end to end', async () => {
    await adapter().execute(enrollAction(['ada@example.com']), context('k1', { fetch }));
    await adapter().execute(listAction([{ email: 'grace@example.com' }]), context('k2', { fetch }));
    const receipt = await adapter().execute(sendAction(), context('k3', { fetch }));
    expect(receipt.status).toBe('accepted');
    expect(fake.enrollments).toEqual([{ workflowId: '4242', email: 'ada@example.com' }]);
    expect(fake.listMembers('77')).toEqual(['1002']);
    expect(fake.sends.map((s) => s.sendId)).toEqual(['k3']);
  });

  test('401 is AUTH_FAILED', async () => {
    const error = await failure(
      adapter('pat-wrong').execute(sendAction(), context('k4', { fetch })),
    );
    expect([error.code, error.platform.platformCode]).toEqual([
      'AUTH_FAILED',
      'INVALID_AUTHENTICATION',
    ]);
  });

  test('a reset socket: IN_DOUBT for an enrolment, retryable for a single send', async () => {
    fake.inject({ kind: 'reset', applied: true });
    const enrolment = await failure(
      adapter().execute(enrollAction(['grace@example.com']), context('k5', { fetch })),
    );
    expect(enrolment.code).toBe('IN_DOUBT');
    fake.inject({ kind: 'reset', applied: true });
    const send = await failure(adapter().execute(sendAction(), context('k6', { fetch })));
    expect([send.code, send.retryable]).toEqual(['PLATFORM_UNAVAILABLE', true]);
  });

  test('a held connection times out: TIMEOUT for a single send, and its retry sends no second email', async () => {
    fake.inject({ kind: 'timeout', applied: true });
    const send = await failure(adapter().execute(sendAction(), context('k7', { fetch })));
    expect([send.code, send.retryable]).toEqual(['TIMEOUT', true]);
    await adapter().execute(sendAction(), context('k7', { fetch, attempt: 2 }));
    expect(fake.sends.filter((s) => s.sendId === 'k7')).toHaveLength(1);
  });
});
