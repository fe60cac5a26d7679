import { ErrorEnvelopeSchema } from '@handoff/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixturePlan } from '../support/harness.js';
import { type HttpGateway, rawCall, startHttpGateway } from './http-fixture.js';

/**
 * The lean JSON route of the hot mutations (`POST /json/plans.submit`, `POST /json/approvals.submit`, see
 * `api/json-route.ts`) over real HTTP: the tRPC procedure's answers without its envelope, and its refusals as the
 * bare `ErrorEnvelope` under the HTTP status tRPC gives them. (`caller-and-http.test.ts` runs the shared flow
 * and refusals through it beside the in-process caller and the tRPC client.)
 */

let gw: HttpGateway;
beforeAll(async () => {
  gw = await startHttpGateway({ maxBodyBytes: 64 * 1024 });
});
afterAll(() => gw?.close());

async function post(
  path: string,
  body: string | Uint8Array<ArrayBuffer>,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${gw.url}/json/${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${gw.callers.acme.copilot.apiKey}`,
      ...headers,
    },
    body,
  });
  const json = (await response.json()) as Record<string, unknown>;
  return { status: response.status, json, requestId: response.headers.get('x-request-id') };
}

const refusal = (json: Record<string, unknown>) => ErrorEnvelopeSchema.parse(json);

describe('lean JSON route', () => {
  test('approvals.submit takes the signed token and answers the plan view', async () => {
    const plan = fixturePlan();
    plan.planId = '019a8f2e-5c4b-7d3e-9a1f-0000000000c1';
    const submitted = await post('plans.submit', JSON.stringify({ plan }));
    const view = submitted.json as Parameters<HttpGateway['sign']>[0];
    const token = await gw.sign(view, {
      key: gw.keys.finance,
      sub: 'fiona.finance',
      role: 'finance',
    });
    const approver = { authorization: `Bearer ${gw.callers.acme.approver.apiKey}` };
    const first = await post('approvals.submit', JSON.stringify({ token }), approver);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      planId: plan.planId,
      state: 'awaiting_approval',
      decisive: false,
    });
    const replay = await post('approvals.submit', JSON.stringify({ token }), approver);
    expect([replay.status, refusal(replay.json).code]).toEqual([409, 'APPROVAL_REPLAYED']);
  });

  test('answers plans.submit with what the tRPC procedure answers, without its envelope', async () => {
    const plan = fixturePlan();
    const lean = await post('plans.submit', JSON.stringify({ plan }));
    expect(lean.status).toBe(200);
    expect(lean.json).toMatchObject({ planId: plan.planId, created: true });
    expect(lean.requestId).toMatch(/\S/);
    // The same plan again over tRPC: the same view (whatever the caps decided), only no longer created.
    const trpc = await rawCall(gw.url, 'plans.submit', {
      type: 'mutation',
      credential: gw.callers.acme.copilot.apiKey,
      input: { plan },
    });
    expect(trpc.status).toBe(200);
    const data = (trpc.body as { result: { data: Record<string, unknown> } }).result.data;
    expect({ ...data, created: true }).toEqual(lean.json);
  });

  test('a malformed plan is VALIDATION_FAILED (400) with JSON Pointer paths, and nothing is stored', async () => {
    const { recommendedOptionId: _dropped, ...plan } = fixturePlan();
    plan.planId = '019a8f2e-5c4b-7d3e-9a1f-0000000000c2';
    const answer = await post('plans.submit', JSON.stringify({ plan }));
    expect(answer.status).toBe(400);
    const envelope = refusal(answer.json);
    expect(envelope.code).toBe('VALIDATION_FAILED');
    expect(envelope.issues.map((i) => i.path)).toContain('/recommendedOptionId');
    const read = await rawCall(gw.url, 'plans.get', {
      type: 'query',
      credential: gw.callers.acme.auditor.apiKey,
      input: { planId: plan.planId },
    });
    expect([read.status, read.envelope?.code]).toEqual([404, 'NOT_FOUND']);
  });

  test('refuses without a credential (401) and for a role that may not submit (403)', async () => {
    const plan = JSON.stringify({ plan: fixturePlan() });
    const missing = await post('plans.submit', plan, { authorization: '' });
    expect([missing.status, refusal(missing.json).code]).toEqual([401, 'UNAUTHENTICATED']);
    const auditor = { authorization: `Bearer ${gw.callers.acme.auditor.apiKey}` };
    const forbidden = await post('plans.submit', plan, auditor);
    expect([forbidden.status, refusal(forbidden.json).code]).toEqual([403, 'FORBIDDEN']);
  });

  test('a body that is not JSON, not declared JSON, not UTF-8 or too large is refused before any procedure', async () => {
    const text = await post('plans.submit', '{"plan": ');
    expect([text.status, refusal(text.json).code]).toEqual([400, 'VALIDATION_FAILED']);
    const type = await post('plans.submit', '{}', { 'content-type': 'text/plain' });
    expect([type.status, refusal(type.json).code]).toEqual([415, 'VALIDATION_FAILED']);
    const bytes = new TextEncoder().encode('{"plan":{"planId":"x"}}');
    const latin = new Uint8Array([...bytes.slice(0, 10), 0xff, ...bytes.slice(10)]);
    const utf8 = await post('plans.submit', latin);
    expect(utf8.status).toBe(400);
    expect(refusal(utf8.json).issues[0]).toMatchObject({ path: '', code: 'INVALID_UTF8' });
    const big = await post('plans.submit', JSON.stringify({ plan: 'x'.repeat(70 * 1024) }));
    expect([big.status, refusal(big.json).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });

  test('serves only POST of the two hot mutations; other paths under /json are not routes', async () => {
    const get = await fetch(`${gw.url}/json/plans.submit`);
    expect(get.status).toBe(404);
    const other = await post('plans.cancel', '{}');
    expect(other.status).toBe(404);
  });
});
