import { HttpResponse, http } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { isAdapterError } from '../../src/adapter-error.js';
import { createCustomerIoFake } from '../../src/customerio/customerio-fake.js';
import {
  adapterFor,
  broadcastAction,
  CREDS,
  clock,
  context,
  sent,
  server,
  trackEventAction,
  useServer,
} from './helpers.js';

useServer();

beforeEach(() => {
  clock.ms = Date.UTC(2026, 2, 1, 9, 0, 0);
});

/** A fake that knows segment 7 holds 120 people. */
function serveWithSegment() {
  const fake = createCustomerIoFake({ ...CREDS, now: () => clock.ms, segmentSizes: { '7': 120 } });
  server.resetHandlers(...fake.handlers);
  return fake;
}

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAdapterError(error)) throw new Error(`expected an AdapterError, got ${String(error)}`);
  return error;
}

describe('Customer.io readResults (GET /v1/broadcasts/{id}/metrics)', () => {
  it("sums each metric's daily series over 45 days, from the documented endpoint", async () => {
    serveWithSegment();
    const adapter = adapterFor();
    const read = adapter.readResults;
    if (!read) throw new Error('Customer.io reads results');
    expect((await read(broadcastAction, context('r0'))).totals.sent).toBe(0);
    await adapter.execute(broadcastAction, context('a'));
    clock.ms += 10_000;
    await adapter.execute(broadcastAction, context('b'));
    const results = await read(broadcastAction, context('r1'));
    expect(results.totals).toMatchObject({ sent: 240, delivered: 240, opened: 0, converted: 0 });
    expect(results.window).toEqual({ unit: 'days', steps: 45 });
    const uri = 'https://api.customer.io/v1/broadcasts/42/metrics?period=days&steps=45';
    expect(results.source).toEqual({ uri, readAt: new Date(clock.ms).toISOString() });
    const last = sent.at(-1);
    expect(last).toMatchObject({ method: 'GET', url: uri });
    expect(last?.headers.authorization).toBe(`Bearer ${CREDS.appApiKey}`);
  });

  it('an unknown broadcast is NOT_FOUND; another action type is UNSUPPORTED_ACTION, nothing sent', async () => {
    const fake = createCustomerIoFake({ ...CREDS, now: () => clock.ms, broadcastIds: ['1'] });
    server.resetHandlers(...fake.handlers);
    const read = adapterFor().readResults;
    if (!read) throw new Error('Customer.io reads results');
    expect((await failure(read(broadcastAction, context('x')))).code).toBe('NOT_FOUND');
    const before = sent.length;
    expect((await failure(read(trackEventAction, context('y')))).code).toBe('UNSUPPORTED_ACTION');
    expect(sent).toHaveLength(before);
  });

  it('an answer without metric.series of counts is INVALID_REQUEST, not a silent zero', async () => {
    server.resetHandlers(
      http.get('https://api.customer.io/v1/broadcasts/:id/metrics', () =>
        HttpResponse.json({ metric: { series: { sent: [1, -2] } } }),
      ),
    );
    const read = adapterFor().readResults;
    if (!read) throw new Error('Customer.io reads results');
    expect((await failure(read(broadcastAction, context('z')))).code).toBe('INVALID_REQUEST');
  });
});
