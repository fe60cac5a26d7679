import type { HandoffPlan } from '@handoff/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type BatchItemResult,
  type BatchPlanItem,
  MAX_BATCH_PLANS,
} from '../../src/pipeline/submit-batch.js';
import { defaultCaps, fixturePlan, OTHER_TENANT, TENANT } from '../support/harness.js';
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
 * `plans.submitBatch` through the in-process caller and over HTTP: one result per item in order, each item
 * exactly as `plans.submit` would answer it (the same view, or the same error envelope and status), a refused
 * item writing nothing and changing nothing for the others; the batch itself refused whole only for its size,
 * the credential or the role.
 */

type Refused = Awaited<ReturnType<typeof refusal>>;

interface Transport {
  batch(caller: HttpCaller | undefined, plans: BatchPlanItem[]): Promise<BatchItemResult[]>;
  submit(caller: HttpCaller, plan: unknown): Promise<{ planId: string; created: boolean }>;
  refused(call: Promise<unknown>): Promise<Refused>;
}

function inProcess(gw: HttpGateway): Transport {
  const as = inProcessCallers(gw);
  return {
    batch: (c, plans) => as(c).plans.submitBatch({ plans }),
    submit: (c, plan) => as(c).plans.submit({ plan }),
    refused: callerRefusal,
  };
}

function overHttp(gw: HttpGateway): Transport {
  const as = (c: HttpCaller | undefined) => httpClient(gw.url, c?.apiKey);
  return {
    batch: (c, plans) => as(c).plans.submitBatch.mutate({ plans }),
    submit: (c, plan) => as(c).plans.submit.mutate({ plan }),
    refused: refusal,
  };
}

/** Caps with room for every plan of these tests, in both tenants. */
function roomyCaps(): unknown[] {
  const caps = defaultCaps().map((cap) => ({
    ...(cap as object),
    limit: { amountMinor: 900_000_000, currency: 'EUR' },
  }));
  const globex = { ...(caps[0] as object), tenantId: OTHER_TENANT };
  return [...caps, { ...globex, scope: { type: 'tenant', value: OTHER_TENANT } }];
}

let serial = 0;
/** The fixture plan under a fresh id, in `tenantId`. */
function freshPlan(tenantId = TENANT): HandoffPlan {
  serial += 1;
  const plan = fixturePlan();
  plan.planId = `019a8f2e-5c4b-7d3e-9a1f-${serial.toString(16).padStart(12, '0')}`;
  plan.tenantId = tenantId;
  return plan;
}

/** A plan with a negative amount: refused by the contract. */
function malformed(): HandoffPlan {
  const plan = freshPlan();
  const option = plan.options[0];
  if (!option) throw new Error('the fixture has options');
  option.budget.amount.amountMinor = -1;
  return plan;
}

const okPlan = (r: BatchItemResult | undefined) => {
  if (!r?.ok) throw new Error(`expected an accepted item, got ${JSON.stringify(r)}`);
  return r.plan;
};
const refusedItem = (r: BatchItemResult | undefined) => {
  if (r?.ok !== false) throw new Error(`expected a refused item, got ${JSON.stringify(r)}`);
  return { ...r.error, status: r.status };
};

describe.each([
  ['in-process caller', inProcess],
  ['HTTP client', overHttp],
] as const)('plans.submitBatch through the %s', (_name, make) => {
  let gw: HttpGateway;
  let t: Transport;
  beforeAll(async () => {
    gw = await startHttpGateway({ caps: roomyCaps() });
    t = make(gw);
  });
  afterAll(() => gw?.close());

  const lineageOf = async (planId: string) =>
    (await gw.gateway.queryLineage(gw.callers.acme.auditor.principal, { planId })).items.length;
  const lineageCount = async () =>
    (await gw.gateway.queryLineage(gw.callers.acme.auditor.principal, { limit: 500 })).items
      .length +
    (await gw.gateway.queryLineage(gw.callers.globex.auditor.principal, { limit: 500 })).items
      .length;

  test('mixed items: each answered in order as plans.submit would, refused ones write nothing', async () => {
    const { copilot } = gw.callers.acme;
    const [first, second, foreign] = [freshPlan(), freshPlan(), freshPlan(OTHER_TENANT)];
    const bad = malformed();
    // Not an item of the schema (strict): refused alone, as plans.submit refuses the same input.
    const unknownKey = { plan: freshPlan(), extra: true };
    const results = await t.batch(copilot, [
      { plan: first },
      { plan: bad },
      { plan: second },
      { plan: foreign },
      { plan: freshPlan(), signature: '' },
      unknownKey,
    ]);
    expect(results).toHaveLength(6);
    expect(okPlan(results[0])).toMatchObject({ planId: first.planId, created: true });
    expect(okPlan(results[2])).toMatchObject({ planId: second.planId, created: true });
    expect(okPlan(results[0]).state).toBe('awaiting_approval');

    // The same refusal, envelope and status, as plans.submit gives for the same plan.
    const alone = await t.refused(t.submit(copilot, bad));
    expect(refusedItem(results[1])).toEqual(alone);
    expect(alone).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(alone.issues.map((i) => i.path)).toContain('/options/0/budget/amount/amountMinor');
    expect(refusedItem(results[3])).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(refusedItem(results[4])).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      issues: [{ path: '/signature', code: 'TOO_SMALL' }],
    });
    expect(refusedItem(results[5])).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      issues: [{ code: 'UNRECOGNIZED_KEYS' }],
    });

    for (const planId of [bad.planId, foreign.planId]) expect(await lineageOf(planId)).toBe(0);
    const globex = gw.callers.globex.auditor.principal;
    expect((await gw.gateway.queryLineage(globex, { planId: foreign.planId })).items).toHaveLength(
      0,
    );
    expect(await lineageOf(first.planId)).toBe(await lineageOf(second.planId));
  });

  test('resubmission is idempotent as in plans.submit; another plan under a known id is PLAN_CONFLICT', async () => {
    const { copilot } = gw.callers.acme;
    const plan = freshPlan();
    const single = await t.submit(copilot, plan);
    expect(single.created).toBe(true);
    const before = await lineageOf(plan.planId);
    const changed = { ...plan, expiresAt: '2026-12-20T00:00:00Z' };
    const results = await t.batch(copilot, [{ plan }, { plan: changed }]);
    expect(okPlan(results[0])).toMatchObject({ planId: plan.planId, created: false });
    const conflict = refusedItem(results[1]);
    expect(conflict).toEqual(await t.refused(t.submit(copilot, changed)));
    expect(conflict).toMatchObject({ status: 409, code: 'PLAN_CONFLICT' });
    expect(await lineageOf(plan.planId)).toBe(before);

    const twice = freshPlan();
    const both = (await t.batch(copilot, [{ plan: twice }, { plan: twice }])).map(okPlan);
    expect(both.map((v) => v.created).sort()).toEqual([false, true]);
    expect(both[0]?.digest).toBe(both[1]?.digest);
  });

  test(`a batch of 0 or more than ${MAX_BATCH_PLANS} plans is refused whole, nothing written`, async () => {
    const before = await lineageCount();
    const copilot = gw.callers.acme.copilot;
    const over = Array.from({ length: MAX_BATCH_PLANS + 1 }, () => ({ plan: freshPlan() }));
    const tooBig = await t.refused(t.batch(copilot, over));
    expect(tooBig).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      issues: [{ path: '/plans', code: 'TOO_BIG' }],
    });
    const empty = await t.refused(t.batch(copilot, []));
    expect(empty).toMatchObject({ status: 400, issues: [{ path: '/plans', code: 'TOO_SMALL' }] });
    expect(await lineageCount()).toBe(before);
    expect(await lineageOf(over[0]?.plan.planId ?? '')).toBe(0);
  });

  test('no credential is UNAUTHENTICATED, a role other than copilot FORBIDDEN; nothing written', async () => {
    const before = await lineageCount();
    const items = [{ plan: freshPlan() }];
    expect(await t.refused(t.batch(undefined, items))).toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    for (const role of ['approver', 'operator', 'auditor'] as const) {
      const refused = await t.refused(t.batch(gw.callers.acme[role], items));
      expect(refused).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    }
    expect(await lineageCount()).toBe(before);
  });
});

describe('plans.submitBatch over raw HTTP', () => {
  let gw: HttpGateway;
  beforeAll(async () => {
    gw = await startHttpGateway({ caps: roomyCaps() });
  });
  afterAll(() => gw?.close());

  test(`${MAX_BATCH_PLANS} plans fit the default 1 MiB body limit and are all accepted, in order`, async () => {
    const plans = Array.from({ length: MAX_BATCH_PLANS }, () => ({ plan: freshPlan() }));
    const body = JSON.stringify({ plans });
    expect(Buffer.byteLength(body)).toBeLessThan(1_048_576 / 2);
    const answer = await rawCall(gw.url, 'plans.submitBatch', {
      type: 'mutation',
      body,
      credential: gw.callers.acme.copilot.apiKey,
    });
    expect(answer.status).toBe(200);
    const results = (answer.body as { result: { data: BatchItemResult[] } }).result.data;
    expect(results.map((r) => (r.ok ? r.plan.planId : r.error.code))).toEqual(
      plans.map((p) => p.plan.planId),
    );
    expect(results.every((r) => r.ok && r.plan.created)).toBe(true);
  });
});
