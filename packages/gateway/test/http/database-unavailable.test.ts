import { afterEach, describe, expect, test, vi } from 'vitest';
import { isStoreUnavailable, StoreUnavailableError } from '../../src/store/store-unavailable.js';
import { fixturePlan } from '../support/harness.js';
import { type HttpGateway, rawCall, startHttpGateway } from './http-fixture.js';

/*
 * Issue 15, failing closed: a replica whose database does not answer records nothing, answers 503
 * DATABASE_UNAVAILABLE (which clients retry, here or on another replica) rather than 500 INTERNAL, and reports
 * itself not ready; once the database answers again it serves as before, with no restart.
 */

const refusedConnection = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

let g: HttpGateway | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await g?.close();
  g = undefined;
});

describe('the database unreachable', () => {
  test('a submission answers 503 DATABASE_UNAVAILABLE, /ready fails, and both recover with the database', async () => {
    g = await startHttpGateway();
    const submit = () =>
      rawCall(g?.url ?? '', 'plans.submit', {
        type: 'mutation',
        input: { plan: fixturePlan() },
        credential: g?.callers.acme.copilot.apiKey,
      });
    const down = vi.spyOn(g.store, 'transaction').mockRejectedValue(refusedConnection());

    const refused = await submit();
    expect([refused.status, refused.envelope?.code]).toEqual([503, 'DATABASE_UNAVAILABLE']);
    const ready = await fetch(`${g.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      ready: false,
      checks: expect.arrayContaining([expect.objectContaining({ name: 'database', ok: false })]),
    });

    down.mockRestore();
    expect((await fetch(`${g.url}/ready`)).status).toBe(200);
    const accepted = await submit();
    // Nothing of the refused call was recorded: this is the plan's first submission.
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ result: { data: { created: true } } });
  });

  test('any other failure of the store stays 500 INTERNAL', async () => {
    g = await startHttpGateway();
    vi.spyOn(g.store, 'transaction').mockRejectedValue(new Error('no such column: plans.x'));
    const answer = await rawCall(g.url, 'plans.submit', {
      type: 'mutation',
      input: { plan: fixturePlan() },
      credential: g.callers.acme.copilot.apiKey,
    });
    expect([answer.status, answer.envelope?.code]).toEqual([500, 'INTERNAL']);
  });
});

describe('isStoreUnavailable', () => {
  test.each([
    ['a refused socket', refusedConnection()],
    [
      'a reset socket, as the cause of a driver error',
      new Error('query failed', {
        cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      }),
    ],
    ['SQLSTATE 08006 connection_failure', Object.assign(new Error('x'), { code: '08006' })],
    ['SQLSTATE 57P01 admin_shutdown', Object.assign(new Error('x'), { code: '57P01' })],
    ['SQLSTATE 53300 too_many_connections', Object.assign(new Error('x'), { code: '53300' })],
    ['a StoreUnavailableError', new StoreUnavailableError('Connection terminated unexpectedly')],
  ])('%s is unavailable', (_name, error) => {
    expect(isStoreUnavailable(error)).toBe(true);
  });

  test.each([
    ['SQLSTATE 40001 serialization_failure', Object.assign(new Error('x'), { code: '40001' })],
    ['SQLSTATE 23505 unique_violation', Object.assign(new Error('x'), { code: '23505' })],
    ['SQLITE_CONSTRAINT', Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' })],
    ['a plain error', new Error('boom')],
    ['not an error', { code: 'ECONNREFUSED' }],
  ])('%s is not', (_name, error) => {
    expect(isStoreUnavailable(error)).toBe(false);
  });
});
