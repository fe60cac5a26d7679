import type { Action, HandoffPlan } from '@handoff/protocol';
import { expect } from 'vitest';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { type HttpGateway, rawCall } from '../http/http-fixture.js';
import { fixturePlan, TENANT } from '../support/harness.js';

/*
 * What the `trust:` (and `lineage:`) reliability cases share: a procedure called over HTTP and read back as data or
 * a refusal, a plan submitted and approved over HTTP, a monthly cap of the fixture tenant, and the example ad
 * campaign's daily budget raise.
 */

/** A procedure's answer over HTTP: its status, its data (on success) or its refusal's code and message. */
export type Answer<T> = { status: number; data: T; code: string | undefined; message: string };

/** Calls `path` on a gateway over HTTP with `credential`, as `rawCall` does, and reads the answer. */
export async function call<T>(
  g: HttpGateway,
  path: string,
  type: 'query' | 'mutation',
  input: unknown,
  credential: string,
): Promise<Answer<T>> {
  const answer = await rawCall(g.url, path, { type, input, credential });
  return {
    status: answer.status,
    data: (answer.body as { result?: { data: T } }).result?.data as T,
    code: answer.envelope?.code,
    message: answer.envelope?.message ?? '',
  };
}

/** A monthly EUR cap of the fixture tenant (Europe/Lisbon), of `amountMinor` minor units. */
export function monthCap(
  capId: string,
  scope: { type: string; value: string },
  amountMinor: number,
) {
  return {
    capId,
    tenantId: TENANT,
    scope,
    period: 'month',
    limit: { amountMinor, currency: 'EUR' },
    timeZone: 'Europe/Lisbon',
  };
}

/**
 * The example ad campaign aimed at retirees: a daily budget of EUR 400.00 raised by 20 % to EUR 480.00 (EUR 80.00
 * more a day), declaring `declared` minor units as its estimated cost.
 */
export function dailyRaise(declared: number): Action {
  return {
    type: 'set_campaign_budget',
    actionId: 'raise-search-retired',
    adapter: 'google-ads',
    description: 'search-retired: daily budget +20 %',
    estimatedCost: { amountMinor: declared, currency: 'EUR' },
    params: {
      campaignId: 'search-retired',
      budgetType: 'daily',
      currentBudget: { amountMinor: 40_000, currency: 'EUR' },
      newBudget: { amountMinor: 48_000, currency: 'EUR' },
    },
  };
}

/** Submits `plan` (default: the fixture plan) over HTTP as acme's copilot; its view. */
export async function submitOverHttp(
  g: HttpGateway,
  plan: HandoffPlan = fixturePlan(),
): Promise<PlanView> {
  const submitted = await rawCall(g.url, 'plans.submit', {
    type: 'mutation',
    input: { plan },
    credential: g.callers.acme.copilot.apiKey,
  });
  expect(submitted.status).toBe(200);
  return (submitted.body as { result: { data: PlanView } }).result.data;
}

/** Submits `plan` over HTTP and approves it with the finance and marketing-lead keys; its view at submission. */
export async function approvedPlan(
  g: HttpGateway,
  plan: HandoffPlan = fixturePlan(),
): Promise<PlanView> {
  const view = await submitOverHttp(g, plan);
  expect(view.state).toBe('awaiting_approval');
  let last: PlanView = view;
  for (const [key, sub, role] of [
    [g.keys.finance, 'fiona.finance', 'finance'],
    [g.keys.marketing, 'mark.lead', 'marketing_lead'],
  ] as const) {
    const answer = await rawCall(g.url, 'approvals.submit', {
      type: 'mutation',
      input: { token: await g.sign(view, { key, sub, role }) },
      credential: g.callers.acme.approver.apiKey,
    });
    expect(answer.status).toBe(200);
    last = (answer.body as { result: { data: PlanView } }).result.data;
  }
  expect(['approved', 'dispatching', 'completed', 'failed']).toContain(last.state);
  return view;
}
