import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { rateLimitResetMs, readBrazeError } from '../../src/braze/braze-api.js';
import {
  API_KEY,
  broadcastAction,
  context,
  enrollAction,
  NOW,
  REST_ENDPOINT,
  rejection,
  upsertAction,
  useBrazeFake,
} from './braze-fixtures.js';

const { fake, server, adapter } = useBrazeFake({
  knownCampaigns: ['campaign-winback'],
  knownCanvases: ['canvas-onboarding'],
  knownUsers: Array.from({ length: 118 }, (_, i) => `user-${i + 1}`),
});

describe('Braze adapter: success with non-fatal errors', () => {
  it('lists non-fatal errors of a 201 success in the receipt, never swallowing them', async () => {
    const receipt = await adapter().execute(enrollAction(120), context());
    expect(receipt.status).toBe('accepted');
    expect(receipt.details).toMatchObject({
      requests: 3,
      nonFatalErrorCount: 2,
      nonFatalErrors: [
        'external_user_id user-119 does not match an existing user',
        'external_user_id user-120 does not match an existing user',
      ],
    });
  });

  it('records /users/track error objects and Braze queued answers', async () => {
    server.use(
      http.post(`${REST_ENDPOINT}/users/track`, () =>
        HttpResponse.json(
          {
            message: 'queued',
            attributes_processed: 1,
            errors: [{ type: "'external_id' is required", input_array: 'attributes', index: 1 }],
          },
          { status: 202 },
        ),
      ),
    );
    const receipt = await adapter().execute(upsertAction(2), context());
    expect(receipt.details).toEqual({
      requests: 1,
      contacts: 2,
      attributesProcessed: 1,
      queued: true,
      nonFatalErrorCount: 1,
      nonFatalErrors: [
        JSON.stringify({ type: "'external_id' is required", input_array: 'attributes', index: 1 }),
      ],
    });
  });
});

describe('Braze adapter: fatal errors', () => {
  it('maps 401 Invalid API key to AUTH_FAILED', async () => {
    const error = await rejection(adapter({ apiKey: 'wrong' }).execute(broadcastAction, context()));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.retryable).toBe(false);
    expect(error.platform).toMatchObject({ status: 401, platformCode: 'Invalid API key' });
  });

  it('maps the documented 400 Invalid Campaign ID to NOT_FOUND', async () => {
    const action = { ...broadcastAction, params: { broadcastId: 'campaign-gone' } };
    const error = await rejection(adapter().execute(action, context()));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.platform).toMatchObject({ status: 400, platformCode: 'Invalid Campaign ID' });
    expect(fake.applied).toHaveLength(0);
  });

  it('maps an unknown Canvas to NOT_FOUND', async () => {
    const action = enrollAction(1);
    action.params.workflowId = 'canvas-x';
    const error = await rejection(adapter().execute(action, context()));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.platform.platformCode).toBe('Invalid Canvas ID');
  });

  it('maps 5xx to a retryable PLATFORM_UNAVAILABLE', async () => {
    fake.inject({ kind: 'server_error', status: 503 });
    const error = await rejection(adapter().execute(broadcastAction, context()));
    expect(error.code).toBe('PLATFORM_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.platform.status).toBe(503);
  });

  it('keeps the fatal message and its errors from the body', () => {
    expect(readBrazeError({ message: 'Bad Request', errors: ['a', { b: 1 }] }, 400)).toEqual({
      platformCode: 'Bad Request',
      platformMessage: 'a; {"b":1}',
    });
    expect(readBrazeError('upstream timeout', 504)).toEqual({
      platformMessage: 'upstream timeout',
    });
    expect(readBrazeError(undefined, 500)).toEqual({});
  });
});

describe('Braze fake: documented refusals', () => {
  const post = (path: string, body: unknown, key = API_KEY) =>
    fetch(`${REST_ENDPOINT}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('refuses more than 50 recipients with Braze message', async () => {
    const recipients = Array.from({ length: 51 }, (_, i) => ({ external_user_id: `user-${i}` }));
    const response = await post('/canvas/trigger/send', {
      canvas_id: 'canvas-onboarding',
      recipients,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      message: 'The max number of external_ids and aliases per request was exceeded',
    });
  });

  it('refuses recipients with broadcast true, and neither without broadcast', async () => {
    const both = await post('/campaigns/trigger/send', {
      campaign_id: 'campaign-winback',
      broadcast: true,
      recipients: [{ external_user_id: 'user-1' }],
    });
    expect(both.status).toBe(400);
    const neither = await post('/campaigns/trigger/send', { campaign_id: 'campaign-winback' });
    expect(await neither.json()).toEqual({ message: 'No Recipients' });
  });

  it('refuses more than 75 attribute objects, and returns rate-limit headers', async () => {
    const attributes = Array.from({ length: 76 }, (_, i) => ({ external_id: `u${i}` }));
    const response = await post('/users/track', { attributes });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-ratelimit-limit')).toBe('250000');
    expect(response.headers.get('x-ratelimit-reset')).toBe(String(NOW / 1000 + 3600));
  });

  it('answers a bad key with 401 Invalid API key', async () => {
    const response = await post('/users/track', { attributes: [] }, 'nope');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Invalid API key' });
  });
});

describe('Braze adapter: rate limits', () => {
  it('turns a 429 X-RateLimit-Reset (epoch seconds) into retryAfterMs from ctx.now', async () => {
    fake.inject({ kind: 'rate_limit', retryAfterSeconds: 30 });
    const error = await rejection(
      adapter().execute(broadcastAction, context({ now: () => NOW + 10_000 })),
    );
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(20_000);
    expect(error.platform).toMatchObject({ status: 429, platformCode: 'Rate Limited' });
    expect(fake.applied).toHaveLength(0);
  });

  it('reads X-RateLimit-Reset defensively', () => {
    const headers = (value: string) => new Headers({ 'X-RateLimit-Reset': value });
    expect(rateLimitResetMs(headers('1000'), 999_000)).toBe(1000);
    expect(rateLimitResetMs(headers('1000'), 2_000_000)).toBe(0);
    expect(rateLimitResetMs(headers('soon'), 0)).toBeUndefined();
    expect(rateLimitResetMs(new Headers(), 0)).toBeUndefined();
  });

  it('prefers Retry-After when Braze sends one', async () => {
    server.use(
      http.post(`${REST_ENDPOINT}/campaigns/trigger/send`, () =>
        HttpResponse.json(
          { message: 'Rate Limited' },
          { status: 429, headers: { 'Retry-After': '5', 'X-RateLimit-Reset': '9999999999' } },
        ),
      ),
    );
    const error = await rejection(adapter().execute(broadcastAction, context()));
    expect(error.retryAfterMs).toBe(5000);
  });
});
