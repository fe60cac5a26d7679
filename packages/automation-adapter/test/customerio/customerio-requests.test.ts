import { describe, expect, it } from 'vitest';
import { eventIdFromKey, isUlid } from '../../src/customerio/ulid.js';
import {
  adapterFor,
  broadcastAction,
  CREDS,
  context,
  sent,
  serve,
  trackEventAction,
  transactionalAction,
  upsertAction,
  useServer,
} from './helpers.js';

useServer();

const BASIC = `Basic ${Buffer.from('site-123:track-key-abc').toString('base64')}`;
const BEARER = 'Bearer app-key-xyz';

describe('Customer.io request shapes', () => {
  it('tracks an event: POST /api/v1/customers/{id}/events, Basic auth, ULID id from the key', async () => {
    const fake = serve();
    const receipt = await adapterFor().execute(trackEventAction, context('plan-1/opt-a/0'));
    const id = eventIdFromKey('plan-1/opt-a/0', Date.parse('2026-03-01T08:00:00Z'));
    expect(sent).toEqual([
      {
        url: 'https://track.customer.io/api/v1/customers/user-1/events',
        method: 'POST',
        headers: {
          authorization: BASIC,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: {
          name: 'trial_extended',
          id,
          data: { days: 14 },
          timestamp: Date.parse('2026-03-01T08:00:00Z') / 1000,
        },
      },
    ]);
    expect(BASIC).toBe(`Basic ${btoa(`${CREDS.siteId}:${CREDS.trackApiKey}`)}`);
    expect(isUlid(id)).toBe(true);
    expect(receipt).toEqual({ status: 'succeeded', platformRef: id, details: { eventId: id } });
    expect(fake.applied).toHaveLength(1);
    expect(fake.received[0]?.headers.authorization).toBe('[redacted]');
  });

  it('sends the same event id on a retry, and the platform dedupes it', async () => {
    const fake = serve();
    const adapter = adapterFor();
    await adapter.execute(trackEventAction, context('k-1'));
    await adapter.execute(trackEventAction, context('k-1', { attempt: 2 }));
    const [first, second] = sent;
    expect(first?.body).toEqual(second?.body);
    expect(fake.received).toHaveLength(2);
    expect(fake.applied).toHaveLength(1);
    await adapter.execute(trackEventAction, context('k-2'));
    expect(fake.applied).toHaveLength(2);
  });

  it('identifies each contact with one PUT, by externalId else email (percent-encoded)', async () => {
    const fake = serve();
    const receipt = await adapterFor().execute(upsertAction, context('up'));
    expect(sent.map((r) => [r.method, r.url, r.headers.authorization, r.body])).toEqual([
      [
        'PUT',
        'https://track.customer.io/api/v1/customers/user-1',
        BASIC,
        { plan: 'pro', email: 'ada@example.com' },
      ],
      [
        'PUT',
        'https://track.customer.io/api/v1/customers/bob%2Btag%40example.com',
        BASIC,
        { plan: 'free', email: 'bob+tag@example.com', phone: '+14155550100' },
      ],
    ]);
    expect(receipt).toEqual({ status: 'succeeded', details: { contacts: 2 } });
    expect(fake.people.get('bob+tag@example.com')).toEqual({
      plan: 'free',
      email: 'bob+tag@example.com',
      phone: '+14155550100',
    });
    await adapterFor().execute(upsertAction, context('up', { attempt: 2 }));
    expect(fake.applied).toHaveLength(2);
  });

  it('triggers a broadcast: POST /v1/campaigns/{id}/triggers, Bearer, segment recipients', async () => {
    serve();
    const receipt = await adapterFor().execute(broadcastAction, context('bc'));
    expect(sent).toEqual([
      {
        url: 'https://api.customer.io/v1/campaigns/42/triggers',
        method: 'POST',
        headers: {
          authorization: BEARER,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: { data: { headline: 'Spring sale' }, recipients: { segment: { id: 7 } } },
      },
    ]);
    expect(receipt).toEqual({
      status: 'accepted',
      platformRef: '1',
      details: { broadcastId: '42', triggerId: 1 },
    });
  });

  it('triggers a broadcast to its default audience without a segment', async () => {
    serve();
    const action = { ...broadcastAction, params: { broadcastId: '43' } };
    await adapterFor().execute(action, context('bc'));
    expect(sent[0]?.body).toEqual({});
  });

  it('sends a transactional email: POST /v1/send/email with identifiers and message_data', async () => {
    const fake = serve();
    const receipt = await adapterFor().execute(transactionalAction, context('tx'));
    expect(sent[0]).toMatchObject({
      url: 'https://api.customer.io/v1/send/email',
      method: 'POST',
      headers: { authorization: BEARER },
      body: {
        transactional_message_id: 44,
        to: 'ada@example.com',
        identifiers: { id: 'user-1' },
        message_data: { resetUrl: 'https://example.com/r/abc' },
      },
    });
    expect(receipt.status).toBe('accepted');
    expect(isUlid(String(receipt.platformRef))).toBe(true);
    expect(fake.applied).toHaveLength(1);
  });

  it('names a template by trigger name and identifies by email when there is no externalId', async () => {
    serve();
    const action = {
      ...transactionalAction,
      params: { messageId: 'pwdreset', to: { email: 'ada@example.com' } },
    };
    await adapterFor().execute(action, context('tx'));
    expect(sent[0]?.body).toEqual({
      transactional_message_id: 'pwdreset',
      to: 'ada@example.com',
      identifiers: { email: 'ada@example.com' },
    });
  });
});

describe('Customer.io regions', () => {
  it('uses the -eu hosts for the EU region', async () => {
    serve('eu');
    const adapter = adapterFor('eu');
    await adapter.execute(trackEventAction, context('e'));
    await adapter.execute(transactionalAction, context('t'));
    await adapter.execute(broadcastAction, context('b'));
    expect(sent.map((r) => new URL(r.url).origin)).toEqual([
      'https://track-eu.customer.io',
      'https://api-eu.customer.io',
      'https://api-eu.customer.io',
    ]);
  });

  it('honours baseUrls overrides (trailing slashes trimmed)', async () => {
    const fake = serve();
    const adapter = adapterFor('eu', {
      baseUrls: { track: `${fake.trackUrl}/`, app: `${fake.appUrl}/` },
    });
    await adapter.execute(trackEventAction, context('e'));
    expect(sent[0]?.url).toBe('https://track.customer.io/api/v1/customers/user-1/events');
  });

  it('refuses missing credentials at construction', () => {
    expect(() => adapterFor('us', { appApiKey: '' })).toThrow(TypeError);
  });
});
