import {
  type ErrorEnvelope,
  ErrorEnvelopeSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@handoff/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { fixturePlan } from '../support/harness.js';
import {
  callerRefusal,
  type HttpCaller,
  type HttpGateway,
  httpClient,
  inProcessCallers,
  rawCall,
  refusal,
  startHttpGateway,
} from './http-fixture.js';

/**
 * The same operations through the two ways in: the in-process caller (`createCallerFactory(appRouter)`, what an
 * embedding application uses) and a real HTTP server with `@trpc/client`. Both must give the same results and the
 * same error envelopes; raw `fetch` then checks the HTTP status codes a non-TypeScript client sees.
 */

type Refused = ErrorEnvelope & { status: number };

interface Transport {
  submit(caller: HttpCaller | undefined, plan: unknown): Promise<PlanView & { created: boolean }>;
  approve(caller: HttpCaller, token: string): Promise<PlanView & { decisive: boolean }>;
  get(caller: HttpCaller, planId: string): Promise<PlanView>;
  health(): Promise<{ status: string; gatewayId: string }>;
  refused(call: Promise<unknown>): Promise<Refused>;
}

function inProcess(
  gw: HttpGateway,
  authorization?: (c: HttpCaller | undefined) => string,
): Transport {
  const as = inProcessCallers(gw, authorization);
  return {
    submit: (c, plan) => as(c).plans.submit({ plan }),
    approve: (c, token) => as(c).approvals.submit({ token }),
    get: (c, planId) => as(c).plans.get({ planId }),
    health: () => as(undefined).health(),
    refused: callerRefusal,
  };
}

function overHttp(gw: HttpGateway): Transport {
  const as = (c: HttpCaller | undefined) => httpClient(gw.url, c?.apiKey);
  return {
    submit: (c, plan) => as(c).plans.submit.mutate({ plan }),
    approve: (c, token) => as(c).approvals.submit.mutate({ token }),
    get: (c, planId) => as(c).plans.get.query({ planId }),
    health: () => as(undefined).health.query(),
    refused: refusal,
  };
}

/**
 * The lean JSON route (`POST /json/plans.submit`, `/json/approvals.submit`: input as body, output or
 * `ErrorEnvelope` as answer) for the two hot mutations; reads go through the tRPC client.
 */
function leanJson(gw: HttpGateway): Transport {
  const http = overHttp(gw);
  const post = async (c: HttpCaller | undefined, path: string, input: unknown) => {
    const response = await fetch(`${gw.url}/json/${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(c ? { authorization: `Bearer ${c.apiKey}` } : {}),
      },
      body: JSON.stringify(input),
    });
    const body = (await response.json()) as Record<string, unknown>;
    if (response.ok) return body;
    throw { ...ErrorEnvelopeSchema.parse(body), status: response.status };
  };
  return {
    ...http,
    submit: (c, plan) =>
      post(c, 'plans.submit', { plan }) as Promise<PlanView & { created: boolean }>,
    approve: (c, token) =>
      post(c, 'approvals.submit', { token }) as Promise<PlanView & { decisive: boolean }>,
    refused: (call) =>
      call.then(
        () => expect.unreachable('expected a refusal'),
        (refused: Refused) => refused,
      ),
  };
}

/** A plan with two contract errors at known places. */
function malformedPlan(): Record<string, unknown> {
  const { recommendedOptionId: _dropped, ...plan } = fixturePlan();
  const [first, ...rest] = plan.options;
  if (!first) throw new Error('the fixture has options');
  const negative = { ...first.budget, amount: { ...first.budget.amount, amountMinor: -1 } };
  return { ...plan, options: [{ ...first, budget: negative }, ...rest] };
}

/** What each transport answered to the same refused requests, compared at the end. */
const seen: Record<string, Refused[]> = {};

describe.each([
  ['in-process caller', inProcess],
  ['HTTP client', overHttp],
  ['lean JSON route', leanJson],
] as const)('through the %s', (name, make) => {
  let gw: HttpGateway;
  let t: Transport;
  beforeAll(async () => {
    gw = await startHttpGateway();
    t = make(gw);
    seen[name] = [];
  });
  afterAll(() => gw?.close());
  const record = (r: Refused) => {
    seen[name]?.push(r);
    return r;
  };

  test('health answers without a credential', async () => {
    await expect(t.health()).resolves.toMatchObject({ status: 'ok', gatewayId: 'gw-http' });
  });

  test('submit -> awaiting_approval -> finance + marketing lead -> approved', async () => {
    const { copilot, approver, auditor } = gw.callers.acme;
    const submitted = await t.submit(copilot, fixturePlan());
    expect(submitted.state).toBe('awaiting_approval');
    const view = submitted;
    const first = await t.approve(
      approver,
      await gw.sign(view, { key: gw.keys.finance, sub: 'fiona.finance', role: 'finance' }),
    );
    expect(first).toMatchObject({ state: 'awaiting_approval', decisive: false });
    const second = await t.approve(
      approver,
      await gw.sign(view, { key: gw.keys.marketing, sub: 'mark.lead', role: 'marketing_lead' }),
    );
    expect(second).toMatchObject({ state: 'approved', decisive: true });
    const read = await t.get(auditor, submitted.planId);
    // The server's dispatcher starts on the approval at once: the plan is approved or already dispatching.
    expect(['approved', 'dispatching']).toContain(read.state);
    expect(read.selectedOptionId).toBe(view.recommendedOptionId);
    expect(read.approvals).toHaveLength(2);
  });

  test('no credential or an invalid one is UNAUTHENTICATED (401)', async () => {
    const missing = record(await t.refused(t.submit(undefined, fixturePlan())));
    expect(missing).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', issues: [] });
    const unknown = { ...gw.callers.acme.copilot, apiKey: 'hk_not-a-key-anyone-was-given' };
    const bad = record(await t.refused(t.submit(unknown, fixturePlan())));
    expect(bad).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(JSON.stringify(bad)).not.toContain(unknown.apiKey);
  });

  test('a role the operation does not admit is FORBIDDEN (403)', async () => {
    const refused = record(await t.refused(t.submit(gw.callers.acme.auditor, fixturePlan())));
    expect(refused).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  test('a malformed plan is VALIDATION_FAILED (400) with JSON Pointer issue paths', async () => {
    const refused = record(await t.refused(t.submit(gw.callers.acme.copilot, malformedPlan())));
    expect(refused).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      kind: 'ErrorEnvelope',
    });
    expect(refused.message.length).toBeGreaterThan(0);
    const paths = refused.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/recommendedOptionId', '/options/0/budget/amount/amountMinor']),
    );
    for (const issue of refused.issues) {
      expect(issue.path).toMatch(/^(\/[^/]*)*$/);
      expect(issue.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
    }
  });

  test('an unsupported protocol version names the supported versions (400)', async () => {
    const refused = record(
      await t.refused(
        t.submit(gw.callers.acme.copilot, { ...fixturePlan(), protocolVersion: '2.0' }),
      ),
    );
    expect(refused).toMatchObject({
      status: 400,
      code: 'UNSUPPORTED_VERSION',
      supportedVersions: [...SUPPORTED_PROTOCOL_VERSIONS],
    });
  });
});

test('every way in refuses the same requests with the same envelopes and statuses', () => {
  const caller = seen['in-process caller'];
  expect(caller?.length).toBeGreaterThan(0);
  expect(seen['HTTP client']).toEqual(caller);
  expect(seen['lean JSON route']).toEqual(caller);
});

describe('raw fetch: the HTTP status of each refusal', () => {
  let gw: HttpGateway;
  beforeAll(async () => {
    gw = await startHttpGateway();
  });
  afterAll(() => gw?.close());
  const submit = (credential: string | undefined, plan: unknown) =>
    rawCall(gw.url, 'plans.submit', {
      type: 'mutation',
      input: { plan },
      ...(credential ? { credential } : {}),
    });

  test('200 for an accepted plan, then 409 PLAN_CONFLICT for the same id with other content', async () => {
    const { copilot } = gw.callers.acme;
    const ok = await submit(copilot.apiKey, fixturePlan());
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      result: { data: { state: 'awaiting_approval', created: true } },
    });
    const changed = fixturePlan();
    changed.workflow.name = 'Another name for the same plan id';
    const conflict = await submit(copilot.apiKey, changed);
    expect(conflict.status).toBe(409);
    expect(conflict.envelope?.code).toBe('PLAN_CONFLICT');
  });

  test('400 VALIDATION_FAILED for a malformed plan, input of the wrong shape, or a body that is not JSON', async () => {
    const { copilot } = gw.callers.acme;
    const plan = await submit(copilot.apiKey, malformedPlan());
    expect([plan.status, plan.envelope?.code]).toEqual([400, 'VALIDATION_FAILED']);
    const shape = await rawCall(gw.url, 'plans.submit', {
      type: 'mutation',
      credential: copilot.apiKey,
      input: { plan: {}, extra: 1 },
    });
    expect([shape.status, shape.envelope?.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(shape.envelope?.issues[0]).toMatchObject({ code: 'UNRECOGNIZED_KEYS' });
    const text = await rawCall(gw.url, 'plans.submit', {
      type: 'mutation',
      credential: copilot.apiKey,
      body: '{"plan": ',
    });
    expect([text.status, text.envelope?.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  test('401 UNAUTHENTICATED without a credential, with an unknown key or another scheme', async () => {
    for (const answer of [
      await submit(undefined, fixturePlan()),
      await submit('hk_unknown', fixturePlan()),
      await fetch(`${gw.url}/plans.submit`, {
        method: 'POST',
        headers: { authorization: 'Basic dXNlcjpwYXNz', 'content-type': 'application/json' },
        body: '{"plan":{}}',
      }).then(async (r) => ({
        status: r.status,
        envelope: ((await r.json()) as { error: { data: { handoff: ErrorEnvelope } } }).error.data
          .handoff,
      })),
    ]) {
      expect([answer.status, answer.envelope?.code]).toEqual([401, 'UNAUTHENTICATED']);
    }
  });

  test('403 FORBIDDEN for a role that may not submit, 404 NOT_FOUND for an unknown plan or procedure', async () => {
    const { auditor, operator } = gw.callers.acme;
    const forbidden = await submit(auditor.apiKey, fixturePlan());
    expect([forbidden.status, forbidden.envelope?.code]).toEqual([403, 'FORBIDDEN']);
    const cancel = await rawCall(gw.url, 'plans.cancel', {
      type: 'mutation',
      credential: operator.apiKey,
      input: { planId: '019a8f2e-5c4b-7d3e-9a1f-000000000000', reason: 'test' },
    });
    expect([cancel.status, cancel.envelope?.code]).toEqual([404, 'NOT_FOUND']);
    const procedure = await rawCall(gw.url, 'plans.nothing', {
      type: 'mutation',
      credential: operator.apiKey,
      input: {},
    });
    expect([procedure.status, procedure.envelope?.code]).toEqual([404, 'NOT_FOUND']);
  });

  test('413 PAYLOAD_TOO_LARGE for a body over the default 1 MiB', async () => {
    const big = await submit(gw.callers.acme.copilot.apiKey, 'x'.repeat(1_048_576));
    expect([big.status, big.envelope?.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });

  test('a GET of a mutation is a client error (405), not INTERNAL', async () => {
    const answer = await rawCall(gw.url, 'plans.submit', {
      type: 'query',
      credential: gw.callers.acme.copilot.apiKey,
      input: { plan: {} },
    });
    expect(answer.status).toBe(405);
    expect(answer.envelope?.code).toBe('VALIDATION_FAILED');
  });
});
