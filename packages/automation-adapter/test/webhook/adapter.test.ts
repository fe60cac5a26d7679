import { generateKeyPairSync } from 'node:crypto';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  AdapterError,
  type AutomationAdapter,
  CLOUDEVENTS_CONTENT_TYPE,
  createWebhookAdapter,
  type ExecuteContext,
  encodeWebhookPublicKey,
  verifyWebhook,
} from '../../src/index.js';
import { createWebhookFake } from '../../src/testing/index.js';
import {
  HOOKS_BASE_URL,
  SECRET,
  TRACK_EVENT,
  webhookAction,
} from '../conformance/webhook-subject.js';

const NOW_MS = Date.UTC(2026, 2, 1, 9, 30, 0, 250);
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Captured {
  request: Request;
  body: string;
}

/** Answers every POST to the receiver with `answer`, recording the raw request. */
function receiver(answer: () => Response): Captured[] {
  const captured: Captured[] = [];
  server.use(
    http.post(`${HOOKS_BASE_URL}/*`, async ({ request }) => {
      captured.push({ request, body: await request.clone().text() });
      return answer();
    }),
  );
  return captured;
}

function ctx(
  idempotencyKey = 'plan-7:opt-a:0',
  signal = new AbortController().signal,
): ExecuteContext {
  return {
    idempotencyKey,
    signal,
    fetch: (i, init) => globalThis.fetch(i, init),
    now: () => NOW_MS,
    queuedAt: NOW_MS,
    attempt: 1,
  };
}

const adapter: AutomationAdapter = createWebhookAdapter({
  signing: { scheme: 'v1', secret: SECRET },
});

async function rejection(promise: Promise<unknown>): Promise<AdapterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AdapterError);
  return error as AdapterError;
}

describe('createWebhookAdapter', () => {
  test('POSTs a signed CloudEvents 1.0 structured-mode event', async () => {
    const captured = receiver(() => HttpResponse.json({ ok: true }));
    const receipt = await adapter.execute(webhookAction(), ctx());
    expect(receipt).toEqual({
      status: 'succeeded',
      platformRef: 'plan-7:opt-a:0',
      details: { httpStatus: 200, webhookId: 'plan-7:opt-a:0' },
    });
    const [call] = captured;
    if (!call) throw new Error('no request');
    expect(call.request.method).toBe('POST');
    expect(call.request.url).toBe(`${HOOKS_BASE_URL}/handoff/events`);
    expect(call.request.headers.get('content-type')).toBe(CLOUDEVENTS_CONTENT_TYPE);
    expect(call.request.headers.get('webhook-id')).toBe('plan-7:opt-a:0');
    expect(call.request.headers.get('webhook-timestamp')).toBe(String(Math.floor(NOW_MS / 1000)));
    expect(JSON.parse(call.body)).toEqual({
      specversion: '1.0',
      id: 'plan-7:opt-a:0',
      source: 'urn:handoff:gateway',
      type: 'campaign.approved',
      time: '2026-03-01T09:30:00.250Z',
      subject: 'notify-crm',
      datacontenttype: 'application/json',
      data: { campaignId: 'spring-sale', audience: 1200 },
    });
    const verified = verifyWebhook({
      headers: call.request.headers,
      body: call.body,
      secret: SECRET,
      now: () => NOW_MS,
    });
    expect(verified).toEqual({
      id: 'plan-7:opt-a:0',
      timestampSec: Math.floor(NOW_MS / 1000),
      scheme: 'v1',
    });
  });

  test('derives a stable id from keys the spec does not allow, and uses a custom id and source', async () => {
    const captured = receiver(() => new HttpResponse(null, { status: 202 }));
    const custom = createWebhookAdapter({
      id: 'crm-hook',
      source: '/handoff/eu',
      signing: { scheme: 'v1', secret: SECRET },
    });
    expect(custom.manifest.id).toBe('crm-hook');
    const first = await custom.execute(webhookAction(), ctx('sha256:ab.cd/1'));
    const second = await custom.execute(webhookAction(), ctx('sha256:ab.cd/1'));
    expect(first.status).toBe('accepted');
    expect(first.platformRef).toMatch(/^sha256_/);
    expect(second.platformRef).toBe(first.platformRef);
    const ids = captured.map((c) => c.request.headers.get('webhook-id'));
    expect(ids).toEqual([first.platformRef, first.platformRef]);
    expect(JSON.parse(captured[0]?.body ?? '{}').source).toBe('/handoff/eu');
  });

  test('maps receiver answers: 410 NOT_FOUND, 400 INVALID_REQUEST, 429 with an HTTP-date Retry-After', async () => {
    receiver(() => HttpResponse.json({ message: 'gone' }, { status: 410 }));
    const gone = await rejection(adapter.execute(webhookAction(), ctx()));
    expect([gone.code, gone.retryable, gone.platform.platformCode]).toEqual([
      'NOT_FOUND',
      false,
      'GONE',
    ]);
    server.resetHandlers();
    receiver(() => HttpResponse.json({ error: 'bad payload', code: 'E_SCHEMA' }, { status: 400 }));
    const bad = await rejection(adapter.execute(webhookAction(), ctx()));
    expect(bad.code).toBe('INVALID_REQUEST');
    expect(bad.platform).toMatchObject({
      status: 400,
      platformCode: 'E_SCHEMA',
      platformMessage: 'bad payload',
    });
    server.resetHandlers();
    const retryAt = new Date(NOW_MS + 30_000).toUTCString();
    receiver(
      () => new HttpResponse('slow down', { status: 429, headers: { 'retry-after': retryAt } }),
    );
    const limited = await rejection(adapter.execute(webhookAction(), ctx()));
    expect([limited.code, limited.retryable]).toEqual(['RATE_LIMITED', true]);
    expect(limited.retryAfterMs).toBeGreaterThanOrEqual(29_000);
    expect(limited.platform.platformMessage).toBe('slow down');
  });

  test('validate refuses other types, schema failures and private hosts', () => {
    expect(adapter.validate(webhookAction())).toEqual({ ok: true });
    const unsupported = adapter.validate(TRACK_EVENT);
    expect(unsupported.ok === false && unsupported.issues[0]?.code).toBe('UNSUPPORTED_ACTION');
    const insecure = adapter.validate(webhookAction({ url: 'http://hooks.example.test/x' }));
    expect(insecure.ok === false && insecure.issues.map((i) => [i.path, i.code])).toContainEqual([
      '/params/url',
      'INVALID_ACTION',
    ]);
    for (const url of [
      'https://localhost/x',
      'https://api.localhost/x',
      'https://127.0.0.1/x',
      'https://10.1.2.3/x',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/x',
      'https://[fd00::1]/x',
      'https://[::ffff:192.168.0.1]/x',
    ]) {
      const result = adapter.validate(webhookAction({ url }));
      expect(result.ok === false && result.issues[0]?.code, url).toBe('PRIVATE_HOST');
    }
    expect(adapter.validate(webhookAction({ url: 'https://93.184.216.34/hook' })).ok).toBe(true);
  });

  test('execute refuses what validate refuses, sending nothing', async () => {
    const captured = receiver(() => HttpResponse.json({}));
    for (const action of [TRACK_EVENT, webhookAction({ url: 'https://127.0.0.1/x' })]) {
      const error = await rejection(adapter.execute(action, ctx()));
      expect(error.code).toBe('UNSUPPORTED_ACTION');
    }
    expect(captured).toHaveLength(0);
  });

  test('signs with Ed25519 (v1a) and with several keys during a rotation', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const old = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
    const fake = createWebhookFake({
      baseUrl: HOOKS_BASE_URL,
      publicKey: encodeWebhookPublicKey(publicKey),
      secret: old,
      now: () => NOW_MS,
    });
    server.use(...fake.handlers);
    const ed = createWebhookAdapter({
      signing: { scheme: 'v1a', privateKey: privateKey.export({ format: 'jwk' }) },
    });
    await ed.execute(webhookAction(), ctx('k-ed'));
    const rotating = createWebhookAdapter({
      signing: [
        { scheme: 'v1', secret: SECRET },
        { scheme: 'v1', secret: old },
      ],
    });
    await rotating.execute(webhookAction(), ctx('k-rot'));
    expect(fake.applied.map((c) => c.headers['webhook-id'])).toEqual(['k-ed', 'k-rot']);
    expect(fake.applied[1]?.headers['webhook-signature']?.split(' ')).toHaveLength(2);
  });

  test('refuses unusable signing keys at creation', () => {
    expect(() =>
      createWebhookAdapter({ signing: { scheme: 'v1', secret: 'not-a-secret' } }),
    ).toThrow(RangeError);
    expect(() => createWebhookAdapter({ signing: [] })).toThrow(RangeError);
    const { publicKey } = generateKeyPairSync('ed25519');
    expect(() =>
      createWebhookAdapter({ signing: { scheme: 'v1a', privateKey: publicKey } }),
    ).toThrow(RangeError);
  });
});
