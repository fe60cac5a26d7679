import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { type AdapterError, isAdapterError } from '../../src/adapter-error.js';
import { readCustomerIoError } from '../../src/customerio/requests.js';
import {
  adapterFor,
  broadcastAction,
  context,
  serve,
  server,
  trackEventAction,
  transactionalAction,
  upsertAction,
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

describe('readCustomerIoError', () => {
  it('reads { meta: { error } }, { meta: { errors } } and { errors: [{ detail, source }] }', () => {
    expect(readCustomerIoError({ meta: { error: 'name cannot be blank' } }, 400)).toEqual({
      platformMessage: 'name cannot be blank',
    });
    expect(readCustomerIoError({ meta: { errors: ['a', 'b'] } }, 400)).toEqual({
      platformMessage: 'a; b',
    });
    const body = {
      errors: [
        {
          detail: 'per user data',
          source: { pointer: '/data/attributes/per_user_data' },
          status: '422',
        },
      ],
    };
    expect(readCustomerIoError(body, 422)).toEqual({
      platformMessage: 'per user data',
      platformCode: '/data/attributes/per_user_data',
    });
    expect(readCustomerIoError('Bad Gateway', 502)).toEqual({ platformMessage: 'Bad Gateway' });
    expect(readCustomerIoError(undefined, 500)).toEqual({});
  });
});

describe('error mapping', () => {
  it('maps refused credentials on both APIs to AUTH_FAILED, not retryable', async () => {
    const fake = serve();
    const wrong = adapterFor('us', { trackApiKey: 'nope', appApiKey: 'nope' });
    for (const action of [trackEventAction, upsertAction, broadcastAction, transactionalAction]) {
      const error = await failure(wrong.execute(action, context('k')));
      expect([error.code, error.retryable, error.platform.status]).toEqual([
        'AUTH_FAILED',
        false,
        401,
      ]);
    }
    expect(fake.applied).toHaveLength(0);
  });

  it('maps a 5xx to PLATFORM_UNAVAILABLE, retryable', async () => {
    const fake = serve();
    fake.inject({ kind: 'server_error', status: 503 });
    const error = await failure(adapterFor().execute(trackEventAction, context('k')));
    expect([error.code, error.retryable, error.platform.status]).toEqual([
      'PLATFORM_UNAVAILABLE',
      true,
      503,
    ]);
  });

  it('maps a Track API 400 to INVALID_REQUEST with the platform message', async () => {
    serve();
    server.use(
      http.post('https://track.customer.io/api/v1/customers/:id/events', () =>
        HttpResponse.json({ meta: { error: 'event name must not be blank' } }, { status: 400 }),
      ),
    );
    const error = await failure(adapterFor().execute(trackEventAction, context('k')));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.retryable).toBe(false);
    expect(error.platform.platformMessage).toBe('event name must not be blank');
  });

  it('maps a broadcast 422 to INVALID_REQUEST with the error pointer', async () => {
    serve();
    server.use(
      http.post('https://api.customer.io/v1/campaigns/:id/triggers', () =>
        HttpResponse.json(
          {
            errors: [
              {
                detail: 'Errors were found',
                source: { pointer: '/data/attributes/data' },
                status: '422',
              },
            ],
          },
          { status: 422 },
        ),
      ),
    );
    const error = await failure(adapterFor().execute(broadcastAction, context('k')));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.platform).toMatchObject({ status: 422, platformCode: '/data/attributes/data' });
  });
});
