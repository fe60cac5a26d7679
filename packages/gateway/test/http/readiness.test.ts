import { afterEach, describe, expect, test } from 'vitest';
import { readinessOf } from '../../src/readiness.js';
import { type HttpGateway, startHttpGateway } from './http-fixture.js';

/** `GET /ready` beside `/health`: each check that can fail makes the gateway not ready, and says which. */

let gw: HttpGateway | undefined;

afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe('readiness', () => {
  test('GET /ready is unauthenticated JSON, 200 when ready; /health still answers', async () => {
    gw = await startHttpGateway();
    const response = await fetch(`${gw.url}/ready`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({ ready: true });
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
  });

  test('shutting down: not ready, and only that check fails', async () => {
    gw = await startHttpGateway();
    const report = await readinessOf(gw.runtime, () => true);
    expect(report.ready).toBe(false);
    expect(report.checks.filter((c) => !c.ok)).toEqual([
      { name: 'shuttingDown', ok: false, message: 'The gateway is shutting down' },
    ]);
  });

  test('a database that takes no write: not ready, the database check says why', async () => {
    gw = await startHttpGateway();
    await gw.store.close();
    const report = await readinessOf(gw.runtime, () => false);
    expect(report.ready).toBe(false);
    const database = report.checks.find((c) => c.name === 'database');
    expect(database).toMatchObject({ ok: false, message: expect.stringContaining('not writable') });
  });
});
