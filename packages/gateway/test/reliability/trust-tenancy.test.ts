import type { HandoffPlan } from '@handoff/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import {
  type HttpGateway,
  type RawAnswer,
  rawCall,
  startHttpGateway,
} from '../http/http-fixture.js';
import { count, planVariant } from '../pipeline/helpers.js';
import { defaultCaps, fixturePlan, OTHER_TENANT, TENANT } from '../support/harness.js';
import { tally } from './tally.js';

/**
 * Observation 11 of issue 13 (second half): submitting under another tenant's plan id answered 409 PLAN_CONFLICT
 * where an unused id answered 200, an existence oracle across tenants. Plan ids are now scoped per tenant, so
 * globex probing with acme's plan id must get exactly what an unused id gets: the same status and body shape,
 * the same effect on globex's side, and nothing of acme's plan changed or revealed. Against a real gateway over
 * HTTP. (The first half of observation 11, look-alike labels escaping a kill switch, is tested elsewhere.)
 */

let gw: HttpGateway;
let acmePlan: PlanView;

beforeAll(async () => {
  // Room in globex's cap for both probes: each must be judged on its own, not on what the other spent.
  const acmeCap = defaultCaps()[0] as Record<string, unknown>;
  gw = await startHttpGateway({
    caps: [
      ...defaultCaps(),
      {
        ...acmeCap,
        tenantId: OTHER_TENANT,
        scope: { type: 'tenant', value: OTHER_TENANT },
        limit: { amountMinor: 10_000_000, currency: 'EUR' },
      },
    ],
  });
  const submitted = await rawCall(gw.url, 'plans.submit', {
    type: 'mutation',
    input: { plan: fixturePlan() },
    credential: gw.callers.acme.copilot.apiKey,
  });
  expect(submitted.status).toBe(200);
  acmePlan = (submitted.body as { result: { data: PlanView } }).result.data;
});
afterAll(() => gw?.close());

/** The fixture as a globex plan under `planId`. */
function globexPlan(planId: string): HandoffPlan {
  return { ...fixturePlan(), planId, tenantId: OTHER_TENANT };
}

/** The shape of a JSON value: its keys and the type of every leaf, values left out. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value === null || typeof value !== 'object') return value === null ? 'null' : typeof value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, shapeOf(v)]),
  );
}

/** An answer with the probed plan id (and what derives from it) replaced, so two probes can be compared. */
function neutral(answer: RawAnswer, planId: string, digest?: string): unknown {
  let text = JSON.stringify(answer.body).replaceAll(planId, '<planId>');
  if (digest) text = text.replaceAll(digest, '<digest>');
  return { status: answer.status, body: JSON.parse(text) };
}

/** Everything of acme's plan a globex probe must leave as it was. */
async function acmeSide() {
  return {
    view: await gw.gateway.getPlan(gw.callers.acme.auditor.principal, acmePlan.planId),
    events: count(gw, 'lineage_events', 'tenant_id = ? and plan_id = ?', TENANT, acmePlan.planId),
  };
}

function globexPlans(): number {
  return count(gw, 'plans', 'tenant_id = ?', OTHER_TENANT);
}

describe('trust: tenant isolation', () => {
  test("observation 11: a foreign plan id answers as an unknown one would (submitting under another tenant's plan id)", async ({
    task,
  }) => {
    const t = tally(task, 'trust: tenant isolation');
    const foreignId = acmePlan.planId;
    const unusedId = planVariant(77).planId;
    const copilot = gw.callers.globex.copilot.apiKey;
    const acmeBefore = await acmeSide();

    // Reads first: get and cancel of the foreign id answer as of an unused id.
    t.tried();
    for (const [path, type, input] of [
      ['plans.get', 'query', (planId: string) => ({ planId })],
      ['plans.cancel', 'mutation', (planId: string) => ({ planId, reason: 'probe' })],
    ] as const) {
      const credential = path === 'plans.get' ? copilot : gw.callers.globex.operator.apiKey;
      const foreign = await rawCall(gw.url, path, { type, input: input(foreignId), credential });
      const unused = await rawCall(gw.url, path, { type, input: input(unusedId), credential });
      expect(foreign.status, path).toBe(404);
      expect(neutral(foreign, foreignId), path).toEqual(neutral(unused, unusedId));
    }
    t.held();

    // Submission: the same status, body shape and effect as an unused id.
    t.tried();
    const before = globexPlans();
    const foreign = await rawCall(gw.url, 'plans.submit', {
      type: 'mutation',
      input: { plan: globexPlan(foreignId) },
      credential: copilot,
    });
    expect(foreign.status, JSON.stringify(foreign.body)).toBe(200);
    const afterForeign = globexPlans();
    const unused = await rawCall(gw.url, 'plans.submit', {
      type: 'mutation',
      input: { plan: globexPlan(unusedId) },
      credential: copilot,
    });
    expect(unused.status, JSON.stringify(unused.body)).toBe(200);
    expect([afterForeign - before, globexPlans() - afterForeign]).toEqual([1, 1]);
    expect(shapeOf(foreign.body)).toEqual(shapeOf(unused.body));
    const foreignView = (foreign.body as { result: { data: PlanView & { created: boolean } } })
      .result.data;
    const unusedView = (unused.body as { result: { data: PlanView & { created: boolean } } }).result
      .data;
    expect(neutral(foreign, foreignId, foreignView.digest)).toEqual(
      neutral(unused, unusedId, unusedView.digest),
    );
    expect(foreignView).toMatchObject({ tenantId: OTHER_TENANT, created: true });
    t.held();

    // Acme's plan: unchanged, and nothing of it reached globex.
    t.tried();
    expect(await acmeSide()).toEqual(acmeBefore);
    const globexView = await gw.gateway.getPlan(gw.callers.globex.auditor.principal, foreignId);
    expect(globexView.digest).not.toBe(acmePlan.digest);
    expect(globexView.submittedBy).toBe(gw.callers.globex.copilot.principal.id);
    t.held();
  });
});
