import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { CLOUDEVENTS_CONTENT_TYPE } from '../../src/index.js';
import { createWebhookFake } from '../../src/testing/index.js';
import { resolveSigningKey } from '../../src/webhook/webhook-keys.js';
import { webhookHeaders } from '../../src/webhook/webhook-signature.js';
import { HOOKS_BASE_URL, SECRET, WRONG_SECRET } from '../conformance/webhook-subject.js';

const NOW_MS = 1_767_225_600_000;
const fake = createWebhookFake({
  baseUrl: `${HOOKS_BASE_URL}/`,
  secret: SECRET,
  now: () => NOW_MS,
});
const server = setupServer(...fake.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => fake.reset());
afterAll(() => server.close());

interface SendOptions {
  id?: string;
  secret?: string;
  timestampSec?: number;
  contentType?: string;
  event?: Record<string, unknown>;
  signal?: AbortSignal;
}

/** POSTs a webhook to the fake, signed as told. */
function send(options: SendOptions = {}): Promise<Response> {
  const id = options.id ?? 'msg_1';
  const body = JSON.stringify(
    options.event ?? { specversion: '1.0', id, source: 'urn:test', type: 'x.happened', data: {} },
  );
  const headers = webhookHeaders(
    { id, timestampSec: options.timestampSec ?? NOW_MS / 1000, body },
    [resolveSigningKey({ scheme: 'v1', secret: options.secret ?? SECRET })],
  );
  return fetch(`${HOOKS_BASE_URL}/in`, {
    method: 'POST',
    headers: { ...headers, 'content-type': options.contentType ?? CLOUDEVENTS_CONTENT_TYPE },
    body,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

async function answer(response: Response): Promise<[number, unknown]> {
  return [response.status, await response.json()];
}

describe('createWebhookFake', () => {
  test('applies a verified CloudEvent once and dedupes repeats on webhook-id', async () => {
    expect(await answer(await send())).toEqual([200, { received: true, duplicate: false }]);
    expect(await answer(await send())).toEqual([200, { received: true, duplicate: true }]);
    await send({ id: 'msg_2' });
    expect(fake.received).toHaveLength(3);
    expect(fake.applied.map((c) => c.headers['webhook-id'])).toEqual(['msg_1', 'msg_2']);
    expect(fake.applied[0]).toMatchObject({ method: 'POST', path: '/in', at: NOW_MS });
  });

  test('answers 401 with the verifier code for bad signatures and stale or future timestamps', async () => {
    const cases: Array<[SendOptions, string]> = [
      [{ secret: WRONG_SECRET }, 'NO_MATCHING_SIGNATURE'],
      [{ timestampSec: NOW_MS / 1000 - 301 }, 'TIMESTAMP_TOO_OLD'],
      [{ timestampSec: NOW_MS / 1000 + 301 }, 'TIMESTAMP_TOO_NEW'],
    ];
    for (const [options, code] of cases) {
      const [status, body] = await answer(await send(options));
      expect([status, (body as { code: string }).code]).toEqual([401, code]);
    }
    expect(fake.applied).toHaveLength(0);
    expect(fake.received).toHaveLength(3);
  });

  test('answers 415 for another content type and 400 for a non-CloudEvent or a mismatched id', async () => {
    expect((await send({ contentType: 'application/json' })).status).toBe(415);
    const invalid = await answer(await send({ event: { specversion: '0.3', id: 'msg_1' } }));
    expect(invalid).toEqual([
      400,
      { code: 'INVALID_CLOUDEVENT', message: 'specversion is not "1.0"' },
    ]);
    const event = { specversion: '1.0', id: 'other', source: 's', type: 't' };
    expect((await answer(await send({ event })))[1]).toMatchObject({ code: 'ID_MISMATCH' });
    expect(fake.applied).toHaveLength(0);
  });

  test('injects rate limits and server errors without applying', async () => {
    fake.inject({ kind: 'rate_limit', retryAfterSeconds: 12, policy: 'PER_ENDPOINT' });
    fake.inject({ kind: 'server_error', status: 502 }, 2);
    const limited = await send();
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '12']);
    expect((await send()).status).toBe(502);
    expect((await send()).status).toBe(502);
    expect((await send()).status).toBe(200);
    expect(fake.applied).toHaveLength(1);
  });

  test('injects resets before or after applying, and holds timeouts until the client aborts', async () => {
    fake.inject({ kind: 'reset' });
    await expect(send()).rejects.toThrow(TypeError);
    expect(fake.applied).toHaveLength(0);
    fake.inject({ kind: 'reset', applied: true });
    await expect(send()).rejects.toThrow(TypeError);
    expect(fake.applied).toHaveLength(1);
    for (const applied of [false, true]) {
      fake.inject({ kind: 'timeout', applied });
      const started = Date.now();
      const held = send({ id: `msg_t_${applied}`, signal: AbortSignal.timeout(100) });
      await expect(held).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    }
    expect(fake.applied.map((c) => c.headers['webhook-id'])).toEqual(['msg_1', 'msg_t_true']);
  });

  test('reset forgets calls, dedupe state and faults', async () => {
    await send();
    fake.inject({ kind: 'server_error' });
    fake.reset();
    expect([fake.received.length, fake.applied.length]).toEqual([0, 0]);
    expect(await answer(await send())).toEqual([200, { received: true, duplicate: false }]);
  });
});
