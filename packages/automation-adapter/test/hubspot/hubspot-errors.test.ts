import { beforeEach, describe, expect, test } from 'vitest';
import { type AdapterError, isAdapterError } from '../../src/adapter-error.js';
import {
  hubspotErrorFromResponse,
  msUntilMidnight,
  readHubSpotError,
} from '../../src/hubspot/hubspot-errors.js';
import { context, enrollAction, NOW_MS, sendAction, useHubSpotFake } from './hubspot-fixtures.js';

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  return { status, body, headers: new Headers(headers) };
}

const correlationId = 'a43683b0-5717-4ceb-80b4-104d02915d8c';

describe('HubSpot error bodies -> AdapterError', () => {
  test.each([
    [400, 'VALIDATION_ERROR', 'INVALID_REQUEST', false],
    [401, 'INVALID_AUTHENTICATION', 'AUTH_FAILED', false],
    [403, 'MISSING_SCOPES', 'AUTH_FAILED', false],
    [404, 'OBJECT_NOT_FOUND', 'NOT_FOUND', false],
    [409, 'CONFLICT', 'CONFLICT', false],
    [500, 'INTERNAL_ERROR', 'PLATFORM_UNAVAILABLE', true],
    [503, 'SERVICE_UNAVAILABLE', 'PLATFORM_UNAVAILABLE', true],
  ])('%i %s -> %s', (status, category, code, retryable) => {
    const body = { status: 'error', message: 'Something is wrong', correlationId, category };
    const error = hubspotErrorFromResponse(answer(status, body), NOW_MS);
    expect([error.code, error.retryable, error.retryAfterMs]).toEqual([code, retryable, undefined]);
    expect(error.platform).toEqual({
      status,
      platformCode: category,
      platformMessage: 'Something is wrong',
      requestId: correlationId,
    });
    expect(error.message).toBe(`${status} ${category}: Something is wrong`);
  });

  test('the messages of errors[] follow the top message; the correlation header wins over the body', () => {
    const body = {
      status: 'error',
      message: 'Property values were not valid',
      correlationId,
      category: 'VALIDATION_ERROR',
      errors: [
        { message: 'Property "colour" does not exist', in: 'colour' },
        { message: 'Invalid email' },
      ],
    };
    const error = hubspotErrorFromResponse(
      answer(400, body, { 'x-hubspot-correlation-id': 'from-header' }),
      NOW_MS,
    );
    expect(error.platform.platformMessage).toBe(
      'Property values were not valid; Property "colour" does not exist; Invalid email',
    );
    expect(error.platform.requestId).toBe('from-header');
  });

  test('a non-JSON 502 page is PLATFORM_UNAVAILABLE with the page as message; an empty body reads as nothing', () => {
    const error = hubspotErrorFromResponse(answer(502, '<html>Bad Gateway</html>'), NOW_MS);
    expect([error.code, error.platform.platformMessage]).toEqual([
      'PLATFORM_UNAVAILABLE',
      '<html>Bad Gateway</html>',
    ]);
    expect(readHubSpotError(undefined, 500)).toEqual({});
    expect(readHubSpotError('', 500)).toEqual({});
  });
});

describe('429 -> RATE_LIMITED with retryAfterMs', () => {
  const tenSecondly = {
    status: 'error',
    message: 'You have reached your secondly limit.',
    errorType: 'RATE_LIMIT',
    correlationId,
    policyName: 'TEN_SECONDLY_ROLLING',
  };

  test('TEN_SECONDLY_ROLLING: the X-HubSpot-RateLimit-Interval-Milliseconds window', () => {
    const headers = {
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
      'x-hubspot-ratelimit-max': '100',
      'x-hubspot-ratelimit-remaining': '0',
    };
    const error = hubspotErrorFromResponse(answer(429, tenSecondly, headers), NOW_MS);
    expect([error.code, error.retryable, error.retryAfterMs]).toEqual([
      'RATE_LIMITED',
      true,
      10_000,
    ]);
    expect(error.platform).toEqual({
      status: 429,
      platformCode: 'RATE_LIMIT:TEN_SECONDLY_ROLLING',
      platformMessage: 'You have reached your secondly limit.',
      requestId: correlationId,
    });
  });

  test('Retry-After, when sent, wins; without any header the 10 s window is assumed', () => {
    const withRetryAfter = answer(429, tenSecondly, {
      'retry-after': '3',
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
    });
    expect(hubspotErrorFromResponse(withRetryAfter, NOW_MS).retryAfterMs).toBe(3000);
    expect(hubspotErrorFromResponse(answer(429, tenSecondly), NOW_MS).retryAfterMs).toBe(10_000);
  });

  test('DAILY waits until midnight in the account time zone', () => {
    const daily = {
      ...tenSecondly,
      message: 'You have reached your daily limit.',
      policyName: 'DAILY',
    };
    const error = hubspotErrorFromResponse(answer(429, daily), NOW_MS, 'UTC');
    expect([error.code, error.platform.platformCode, error.retryAfterMs]).toEqual([
      'RATE_LIMITED',
      'RATE_LIMIT:DAILY',
      12 * 3_600_000,
    ]);
    // 12:00 UTC is 07:00 in New York (EST, UTC-5): 17 hours to midnight.
    expect(
      hubspotErrorFromResponse(answer(429, daily), NOW_MS, 'America/New_York').retryAfterMs,
    ).toBe(17 * 3_600_000);
  });

  test('msUntilMidnight counts seconds and milliseconds', () => {
    expect(msUntilMidnight(Date.UTC(2026, 0, 15, 23, 59, 59, 500), 'UTC')).toBe(500);
    expect(msUntilMidnight(Date.UTC(2026, 0, 15, 0, 0, 0), 'UTC')).toBe(86_400_000);
  });
});

describe('through the fake', () => {
  let clock = NOW_MS;
  const { fake, adapter } = useHubSpotFake({ rateLimit: { perTenSeconds: 2 }, now: () => clock });
  beforeEach(() => {
    clock = NOW_MS;
  });

  async function failure(promise: Promise<unknown>): Promise<AdapterError> {
    const error = await promise.catch((e: unknown) => e);
    if (!isAdapterError(error)) throw new Error(`expected an AdapterError, got ${String(error)}`);
    return error;
  }

  test('a wrong token is AUTH_FAILED with HubSpot category', async () => {
    const error = await failure(
      adapter({ accessToken: 'pat-wrong' }).execute(sendAction(), context()),
    );
    expect([error.code, error.platform.status, error.platform.platformCode]).toEqual([
      'AUTH_FAILED',
      401,
      'INVALID_AUTHENTICATION',
    ]);
  });

  test('an unknown workflow is NOT_FOUND', async () => {
    const action = { ...enrollAction(), params: { ...enrollAction().params, workflowId: '999' } };
    const error = await failure(adapter().execute(action, context()));
    expect([error.code, error.platform.platformCode]).toEqual(['NOT_FOUND', 'OBJECT_NOT_FOUND']);
  });

  test('the fake own burst window: the third request in 10 s is RATE_LIMITED after 10 s', async () => {
    const error = await failure(
      adapter().execute(
        enrollAction(['ada@example.com', 'grace@example.com', 'x@example.com']),
        context(),
      ),
    );
    expect([error.code, error.retryAfterMs, error.platform.platformCode]).toEqual([
      'RATE_LIMITED',
      10_000,
      'RATE_LIMIT:TEN_SECONDLY_ROLLING',
    ]);
    expect(fake.enrollments).toHaveLength(2);
    clock += 10_000;
    await adapter().execute(enrollAction(['ada@example.com']), context());
    expect(fake.enrollments).toHaveLength(3);
  });

  test('an injected DAILY 429 with Retry-After', async () => {
    fake.inject({ kind: 'rate_limit', policy: 'DAILY', retryAfterSeconds: 60 });
    const error = await failure(adapter().execute(sendAction(), context()));
    expect([error.code, error.retryAfterMs, error.platform.platformCode]).toEqual([
      'RATE_LIMITED',
      60_000,
      'RATE_LIMIT:DAILY',
    ]);
  });

  test('timeout and reset: IN_DOUBT for an enrolment (no key), retryable for a single send (sendId)', async () => {
    const hubspot = adapter({ timeoutMs: 50 });
    fake.inject({ kind: 'timeout', applied: true });
    const enrolment = await failure(hubspot.execute(enrollAction(['ada@example.com']), context()));
    expect([enrolment.code, enrolment.retryable]).toEqual(['IN_DOUBT', false]);
    fake.inject({ kind: 'timeout', applied: true });
    const send = await failure(hubspot.execute(sendAction(), context('send-key')));
    expect([send.code, send.retryable]).toEqual(['TIMEOUT', true]);
    fake.inject({ kind: 'reset' });
    const reset = await failure(
      hubspot.execute(enrollAction(['ada@example.com']), context('other')),
    );
    expect(reset.code).toBe('IN_DOUBT');
    // The retried send is deduplicated on sendId: one email in all. (The window of 2 per 10 s is full.)
    clock += 10_000;
    await hubspot.execute(sendAction(), context('send-key', { attempt: 2 }));
    expect(fake.sends).toHaveLength(1);
  });
});
