import { http, passthrough } from 'msw';
import { describe, expect, it } from 'vitest';
import { serveFake } from '../../src/testing/serve-fake.js';
import {
  adapterFor,
  broadcastAction,
  CREDS,
  context,
  serve,
  server,
  trackEventAction,
  useServer,
} from './helpers.js';

useServer();

const BASIC = `Basic ${btoa(`${CREDS.siteId}:${CREDS.trackApiKey}`)}`;
const BEARER = `Bearer ${CREDS.appApiKey}`;

async function call(method: string, url: string, auth: string, body: unknown) {
  const response = await fetch(url, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const TRACK = 'https://track.customer.io/api/v1/customers';
const APP = 'https://api.customer.io/v1';

describe('Customer.io fake: auth', () => {
  it('wants Basic site:trackKey on the Track API and Bearer appKey on the App API', async () => {
    const fake = serve();
    expect((await call('PUT', `${TRACK}/u1`, BEARER, {})).status).toBe(401);
    expect((await call('PUT', `${TRACK}/u1`, BASIC, {})).status).toBe(200);
    expect((await call('POST', `${APP}/campaigns/1/triggers`, BASIC, {})).status).toBe(401);
    const denied = await call('POST', `${APP}/send/email`, 'Bearer wrong', {});
    expect(denied).toEqual({ status: 401, body: { meta: { error: 'Unauthorized request' } } });
    expect(fake.received.every((c) => c.headers.authorization === '[redacted]')).toBe(true);
  });
});

describe('Customer.io fake: Track API limits, in its error shape', () => {
  it('refuses identify calls over the documented limits with { meta: { error } }', async () => {
    serve();
    const long = await call('PUT', `${TRACK}/u1`, BASIC, { bio: 'x'.repeat(1_001) });
    expect(long).toEqual({
      status: 400,
      body: { meta: { error: "value for attribute 'bio' cannot be longer than 1000 bytes" } },
    });
    const many = Object.fromEntries(Array.from({ length: 301 }, (_, i) => [`a${i}`, i]));
    expect((await call('PUT', `${TRACK}/u1`, BASIC, many)).body).toEqual({
      meta: { error: 'cannot identify more than 300 attributes in one request' },
    });
  });

  it('refuses blank names, non-hash data and non-ULID ids; dedupes on the id', async () => {
    const fake = serve();
    const events = `${TRACK}/u1/events`;
    expect((await call('POST', events, BASIC, { name: ' ' })).status).toBe(400);
    expect((await call('POST', events, BASIC, { name: 'a', data: '' })).status).toBe(400);
    expect((await call('POST', events, BASIC, { name: 'a', id: 'not-a-ulid' })).status).toBe(400);
    const event = { name: 'a', id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' };
    expect((await call('POST', events, BASIC, event)).status).toBe(200);
    expect((await call('POST', events, BASIC, event)).status).toBe(200);
    expect((await call('POST', events, BASIC, { name: 'a' })).status).toBe(200);
    expect(fake.applied).toHaveLength(2);
  });
});

describe('Customer.io fake: App API', () => {
  it('refuses trigger payloads over the documented limits with 422 { errors: [...] }', async () => {
    serve();
    const url = `${APP}/campaigns/9/triggers`;
    const ids = Array.from({ length: 10_001 }, (_, i) => String(i));
    expect(await call('POST', url, BEARER, { ids })).toEqual({
      status: 422,
      body: {
        errors: [
          {
            detail: 'ids must list at most 10000 recipients',
            source: { pointer: '/data/attributes/ids' },
            status: '422',
          },
        ],
      },
    });
    expect((await call('POST', url, BEARER, { ids: ['1'], emails: ['a@b.c'] })).status).toBe(422);
    expect((await call('POST', url, BEARER, { data: { x: 'y'.repeat(50_000) } })).status).toBe(422);
    expect((await call('POST', url, BEARER, { ids: ['1'] })).body).toEqual({ id: 1 });
  });

  it('requires to and exactly one identifier for transactional email', async () => {
    serve();
    const url = `${APP}/send/email`;
    const twoIds = {
      transactional_message_id: 1,
      to: 'a@b.c',
      identifiers: { id: '1', email: 'a@b.c' },
    };
    expect((await call('POST', url, BEARER, twoIds)).status).toBe(400);
    const sixteen = Array.from({ length: 16 }, (_, i) => `p${i}@b.c`).join(',');
    const tooMany = { transactional_message_id: 1, to: sixteen, identifiers: { id: '1' } };
    expect((await call('POST', url, BEARER, tooMany)).body).toEqual({
      meta: { error: 'too many recipients: at most 15 across to, cc and bcc' },
    });
    const ok = await call('POST', url, BEARER, {
      transactional_message_id: 1,
      to: 'a@b.c',
      identifiers: { id: '1' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      delivery_id: expect.any(String),
      queued_at: expect.any(Number),
    });
  });

  it('forgets calls, faults and state on reset', async () => {
    const fake = serve();
    await adapterFor().execute(broadcastAction, context('a'));
    fake.inject({ kind: 'server_error' }, 3);
    fake.reset();
    expect([fake.received.length, fake.applied.length]).toEqual([0, 0]);
    await adapterFor().execute(broadcastAction, context('b'));
    expect(fake.applied).toHaveLength(1);
  });
});

describe('Customer.io fake over HTTP', () => {
  it('serves both APIs on one local port from baseUrl', async () => {
    const fake = serve();
    const served = await serveFake(fake.handlers, fake.baseUrl);
    server.use(http.all(`${served.url}/*`, () => passthrough()));
    try {
      const adapter = adapterFor('us', { baseUrls: { track: served.url, app: served.url } });
      const ctx = { ...context('k'), fetch: globalThis.fetch };
      await adapter.execute(trackEventAction, ctx);
      await adapter.execute(broadcastAction, ctx);
      expect(fake.applied.map((c) => c.path)).toEqual([
        '/api/v1/customers/user-1/events',
        '/v1/campaigns/42/triggers',
      ]);
    } finally {
      await served.close();
    }
  });
});
