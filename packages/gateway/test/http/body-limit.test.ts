import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHttpServer } from '../../src/api/http-server.js';
import { validateConfig } from '../../src/config/load-config.js';
import { GatewayError } from '../../src/errors.js';
import { fixturePlan, fixturePolicy } from '../support/harness.js';
import { type HttpGateway, rawCall, startHttpGateway } from './http-fixture.js';

/**
 * `listen.maxBodyBytes`: a request body larger than the limit is refused with 413 `PAYLOAD_TOO_LARGE` while it is
 * read, before any JSON parsing or validation, and nothing is written. The limit is inclusive.
 */

const LIMIT = 8192;

/** `{"plan": <fixture>}` padded with JSON whitespace to exactly `bytes` bytes: valid JSON of a valid plan. */
function paddedBody(bytes: number): string {
  const body = JSON.stringify({ plan: fixturePlan() });
  expect(body.length).toBeLessThan(bytes);
  return `${body.slice(0, -1)}${' '.repeat(bytes - body.length)}}`;
}

describe('a gateway with listen.maxBodyBytes = 8192', () => {
  let gw: HttpGateway;
  beforeAll(async () => {
    gw = await startHttpGateway({ maxBodyBytes: LIMIT });
  });
  afterAll(() => gw?.close());

  const lineageCount = async () => {
    const acme = await gw.gateway.queryLineage(gw.callers.acme.auditor.principal, { limit: 500 });
    const globex = await gw.gateway.queryLineage(gw.callers.globex.auditor.principal, {
      limit: 500,
    });
    return acme.items.length + globex.items.length;
  };
  const planExists = async () =>
    gw.gateway.getPlan(gw.callers.acme.auditor.principal, fixturePlan().planId).then(
      () => true,
      (error: unknown) => {
        expect(error).toBeInstanceOf(GatewayError);
        expect((error as GatewayError).code).toBe('NOT_FOUND');
        return false;
      },
    );
  /** Posts a raw body to plans.submit, as the acme copilot unless `anonymous`. */
  const submitRaw = (body: string, anonymous = false) =>
    rawCall(gw.url, 'plans.submit', {
      type: 'mutation',
      body,
      ...(anonymous ? {} : { credential: gw.callers.acme.copilot.apiKey }),
    });

  test('one byte over the limit: 413 PAYLOAD_TOO_LARGE, no plan, lineage unchanged', async () => {
    const before = await lineageCount();
    const body = paddedBody(LIMIT + 1);
    expect(Buffer.byteLength(body)).toBe(LIMIT + 1);
    const answer = await submitRaw(body);
    expect(answer.status).toBe(413);
    expect(answer.envelope).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', issues: [] });
    expect(answer.envelope?.message).not.toBe('PAYLOAD_TOO_LARGE');
    expect(await planExists()).toBe(false);
    expect(await lineageCount()).toBe(before);
  });

  test('refused before parsing: an oversize body that is not even JSON is 413, not 400', async () => {
    const before = await lineageCount();
    const answer = await submitRaw(`{"plan": "${'x'.repeat(4 * 1_048_576)}`);
    expect([answer.status, answer.envelope?.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(await lineageCount()).toBe(before);
    const health = await rawCall(gw.url, 'health', { type: 'query' });
    expect(health.status).toBe(200);
  });

  test('without a credential the body is never read: 401 comes first', async () => {
    const before = await lineageCount();
    const answer = await submitRaw(paddedBody(LIMIT * 4), true);
    expect([answer.status, answer.envelope?.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(await lineageCount()).toBe(before);
  });

  test('exactly at the limit the same padded plan is accepted and written', async () => {
    const before = await lineageCount();
    const answer = await submitRaw(paddedBody(LIMIT));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      result: { data: { state: 'awaiting_approval', created: true } },
    });
    expect(await planExists()).toBe(true);
    expect(await lineageCount()).toBeGreaterThan(before);
  });
});

test('startHttpServer reports the refusal to onError with its code, never the payload', async () => {
  const gw = await startHttpGateway();
  const seen: { path: string | undefined; code: string; message: string }[] = [];
  const server = await startHttpServer({
    gateway: gw.gateway,
    authenticator: gw.authenticator,
    maxBodyBytes: 2048,
    onError: (info) => seen.push(info),
  });
  try {
    const secret = 'do-not-log-me-'.repeat(400);
    const answer = await rawCall(server.url, 'plans.submit', {
      type: 'mutation',
      credential: gw.callers.acme.copilot.apiKey,
      input: { plan: secret },
    });
    expect(answer.status).toBe(413);
    expect(seen).toEqual([
      {
        path: 'plans.submit',
        code: 'PAYLOAD_TOO_LARGE',
        message: expect.any(String),
        requestId: expect.any(String),
      },
    ]);
    expect(JSON.stringify(seen)).not.toContain('do-not-log-me');
  } finally {
    await server.close();
    await gw.close();
  }
});

test('the configured limit is bounded: below 1024 bytes is CONFIG_INVALID at /listen/maxBodyBytes', () => {
  const config = {
    gatewayId: 'gw-http',
    database: { path: ':memory:' },
    listen: { maxBodyBytes: 1023 },
    approvals: { keys: [{ type: 'inline', jwks: { keys: [] } }] },
    auth: { apiKeys: [] },
    policy: { inline: fixturePolicy() },
  };
  let thrown: unknown;
  try {
    validateConfig(config, '.');
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(GatewayError);
  expect((thrown as GatewayError).code).toBe('CONFIG_INVALID');
  expect((thrown as GatewayError).issues.map((i) => i.path)).toEqual(['/listen/maxBodyBytes']);
});
