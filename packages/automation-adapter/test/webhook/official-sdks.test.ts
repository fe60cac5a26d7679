import { generateKeyPairSync, verify } from 'node:crypto';
import { CloudEvent, HTTP, ValidationError } from 'cloudevents';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { createWebhookAdapter, type ExecuteContext } from '../../src/index.js';
import { HOOKS_BASE_URL, SECRET, webhookAction } from '../conformance/webhook-subject.js';

/**
 * The webhook adapter's output checked by the standards' own implementations rather than our verifier: the
 * Standard Webhooks reference library (`standardwebhooks`, HMAC `v1`; it has no `v1a`, so Ed25519 is checked
 * against the spec's definition with node:crypto) and the CloudEvents SDK (`cloudevents`, HTTP binding).
 */

/** When approval queued the action. */
const QUEUED_AT = Date.UTC(2026, 2, 1, 9, 30, 0, 250);
/** The first attempt, 2 s after queueing, and a retry 10 minutes later. */
const FIRST_AT = QUEUED_AT + 2_000;
const RETRY_AT = QUEUED_AT + 602_000;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  vi.useRealTimers();
});
afterAll(() => server.close());

interface Delivery {
  headers: Record<string, string>;
  body: string;
}

/** Records every POST to the receiver (answering `status`): its headers as a plain object and its raw body. */
function receiver(status = 200): Delivery[] {
  const deliveries: Delivery[] = [];
  server.use(
    http.post(`${HOOKS_BASE_URL}/*`, async ({ request }) => {
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        headers[name] = value;
      });
      deliveries.push({ headers, body: await request.text() });
      return new HttpResponse(null, { status });
    }),
  );
  return deliveries;
}

function ctx(attempt: number, nowMs: number): ExecuteContext {
  return {
    idempotencyKey: 'plan-7:opt-a:0',
    signal: new AbortController().signal,
    fetch: (input, init) => globalThis.fetch(input, init),
    now: () => nowMs,
    queuedAt: QUEUED_AT,
    attempt,
  };
}

/** Delivers the same action twice (a first attempt and a retry 10 minutes later). */
async function deliverTwice(signing: Parameters<typeof createWebhookAdapter>[0]['signing']) {
  const deliveries = receiver();
  const adapter = createWebhookAdapter({ signing });
  await adapter.execute(webhookAction(), ctx(1, FIRST_AT));
  await adapter.execute(webhookAction(), ctx(2, RETRY_AT));
  const [first, retry] = deliveries;
  if (!first || !retry) throw new Error(`expected 2 deliveries, got ${deliveries.length}`);
  return { first, retry };
}

/** The delivery as the CloudEvents SDK reads an HTTP message: one event (not a batch), an SDK `CloudEvent`. */
function sdkEvent(delivery: Delivery): CloudEvent<unknown> {
  const event = HTTP.toEvent(delivery);
  if (!(event instanceof CloudEvent)) throw new Error('the SDK did not read one CloudEvent');
  return event;
}

describe('CloudEvents time on retries', () => {
  test('every delivery carries the time the action was queued; only webhook-timestamp moves', async () => {
    const { first, retry } = await deliverTwice({ scheme: 'v1', secret: SECRET });
    expect(JSON.parse(first.body).time).toBe('2026-03-01T09:30:00.250Z');
    expect(retry.body).toBe(first.body);
    expect([first.headers['webhook-timestamp'], retry.headers['webhook-timestamp']]).toEqual([
      String(Math.floor(FIRST_AT / 1000)),
      String(Math.floor(RETRY_AT / 1000)),
    ]);
    expect(retry.headers['webhook-id']).toBe(first.headers['webhook-id']);
  });
});

describe('the standardwebhooks reference library', () => {
  test('verifies the v1 signature of every attempt at the time it was sent', async () => {
    const { first, retry } = await deliverTwice({ scheme: 'v1', secret: SECRET });
    const receiverLib = new Webhook(SECRET);
    for (const [delivery, at] of [
      [first, FIRST_AT],
      [retry, RETRY_AT],
    ] as const) {
      vi.setSystemTime(at);
      expect(receiverLib.verify(delivery.body, delivery.headers)).toEqual(
        JSON.parse(delivery.body),
      );
    }
  });

  test('refuses a tampered body, a wrong secret and a stale attempt (the checks are live)', async () => {
    const { first } = await deliverTwice({ scheme: 'v1', secret: SECRET });
    vi.setSystemTime(FIRST_AT);
    const tampered = first.body.replace('spring-sale', 'summer-sale');
    expect(() => new Webhook(SECRET).verify(tampered, first.headers)).toThrow(
      WebhookVerificationError,
    );
    const wrong = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    expect(() => new Webhook(wrong).verify(first.body, first.headers)).toThrow(
      WebhookVerificationError,
    );
    vi.setSystemTime(FIRST_AT + 10 * 60_000);
    expect(() => new Webhook(SECRET).verify(first.body, first.headers)).toThrow(/too old/);
  });

  test('finds the v1 entry among several (Ed25519 first, then HMAC during a migration)', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const { first } = await deliverTwice([
      { scheme: 'v1a', privateKey },
      { scheme: 'v1', secret: SECRET },
    ]);
    expect(first.headers['webhook-signature']?.split(' ').map((e) => e.split(',')[0])).toEqual([
      'v1a',
      'v1',
    ]);
    vi.setSystemTime(FIRST_AT);
    expect(new Webhook(SECRET).verify(first.body, first.headers)).toEqual(JSON.parse(first.body));
  });
});

describe('Standard Webhooks v1a (Ed25519) by the spec', () => {
  test('each v1a entry is base64 Ed25519 over "<webhook-id>.<webhook-timestamp>.<body>"', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const { first, retry } = await deliverTwice({ scheme: 'v1a', privateKey });
    for (const delivery of [first, retry]) {
      const [scheme, signature, ...rest] = (delivery.headers['webhook-signature'] ?? '').split(',');
      expect([scheme, rest]).toEqual(['v1a', []]);
      const content = `${delivery.headers['webhook-id']}.${delivery.headers['webhook-timestamp']}.${delivery.body}`;
      const bytes = Buffer.from(signature ?? '', 'base64');
      expect(bytes).toHaveLength(64);
      expect(verify(null, Buffer.from(content, 'utf8'), publicKey, bytes)).toBe(true);
      expect(verify(null, Buffer.from(`${content} `, 'utf8'), publicKey, bytes)).toBe(false);
    }
  });
});

describe('the cloudevents SDK (HTTP protocol binding)', () => {
  test('reads each delivery as a valid structured-mode CloudEvent 1.0 with the queued time', async () => {
    const { first, retry } = await deliverTwice({ scheme: 'v1', secret: SECRET });
    for (const delivery of [first, retry]) {
      expect(HTTP.isEvent(delivery)).toBe(true);
      const event = sdkEvent(delivery);
      expect(event.validate()).toBe(true);
      expect({
        specversion: event.specversion,
        id: event.id,
        source: event.source,
        type: event.type,
        subject: event.subject,
        time: event.time,
        datacontenttype: event.datacontenttype,
        data: event.data,
      }).toEqual({
        specversion: '1.0',
        id: delivery.headers['webhook-id'],
        source: 'urn:handoff:gateway',
        type: 'campaign.approved',
        subject: 'notify-crm',
        time: '2026-03-01T09:30:00.250Z',
        datacontenttype: 'application/json',
        data: { campaignId: 'spring-sale', audience: 1200 },
      });
    }
  });

  // The SDK replaces a missing or unparseable `time` (and a missing `id`) with its own values when parsing, so the
  // `time` equality above is what proves ours is kept; its schema validation is checked here.
  test('the SDK validation is live: an event without its source or its type fails it', async () => {
    const { first } = await deliverTwice({ scheme: 'v1', secret: SECRET });
    const { source: _source, ...sourceless } = JSON.parse(first.body);
    const { type: _type, ...typeless } = JSON.parse(first.body);
    for (const body of [sourceless, typeless]) {
      const event = sdkEvent({ headers: first.headers, body: JSON.stringify(body) });
      expect(() => event.validate()).toThrow(ValidationError);
    }
  });
});
