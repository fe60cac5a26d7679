import type { HandoffPlan, LineageEvent } from '@handoff/protocol';
import { expect } from 'vitest';
import { GatewayError, type GatewayErrorCode } from '../../src/errors.js';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { fixturePlan, type Harness } from '../support/harness.js';
import { sqliteOf } from '../support/sqlite-of.js';

/** The fixture's options: 1 costs EUR 645.00 on hubspot (phone, email), 2 costs EUR 185.25 on customerio (email). */
export const OPTION_1 = 'call-prior-successes';
export const OPTION_2 = 'nurture-broadcast';
export const OPTION_1_COST = 64_500;
export const OPTION_2_COST = 18_525;
/** The fixture's copilot model as the kill switch names it. */
export const COPILOT_MODEL = 'Example Copilot Co/example-planner@2026-10-01';
/** The policy's approval window (approvalTtlSeconds: 172800), in ms. */
export const APPROVAL_WINDOW_MS = 172_800 * 1000;

/** A plan id (UUID v7 shape) distinct for each `n`. */
export function planIdOf(n: number): string {
  return `019a8f2e-5c4b-7d3e-9a1f-${n.toString(16).padStart(12, '0')}`;
}

/** The fixture plan under another plan id, optionally changed further. */
export function planVariant(n: number, change?: (plan: HandoffPlan) => void): HandoffPlan {
  const plan = fixturePlan();
  plan.planId = planIdOf(n);
  change?.(plan);
  return plan;
}

/**
 * A plan below every threshold: option 2 recommended (EUR 185.25, customerio) with the dataset evidence the
 * evidence bar asks for, so policy allows it without a gate.
 */
export function autoApprovablePlan(n: number): HandoffPlan {
  return planVariant(n, (plan) => {
    plan.recommendedOptionId = OPTION_2;
    const option = plan.options.find((o) => o.optionId === OPTION_2);
    option?.evidence.push({
      type: 'dataset_reference',
      inputId: 'bank-marketing',
      query: 'pdays = -1',
      finding: '3705 clients never contacted',
    });
  });
}

/** Expects `work` to fail with a GatewayError of `code`, and returns it. */
export async function expectGatewayError(
  work: Promise<unknown> | (() => unknown),
  code: GatewayErrorCode,
): Promise<GatewayError> {
  let caught: unknown;
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected GatewayError ${code}`).toBeInstanceOf(GatewayError);
  expect((caught as GatewayError).code).toBe(code);
  return caught as GatewayError;
}

/** Rows of a table (read straight from SQLite, bypassing the API). */
export function rows<T = Record<string, unknown>>(
  h: Pick<Harness, 'runtime'>,
  sql: string,
  ...params: unknown[]
): T[] {
  return sqliteOf(h.runtime.store)
    .prepare(sql)
    .all(...params) as T[];
}

/** `select count(*)` of a table, optionally filtered. */
export function count(
  h: Pick<Harness, 'runtime'>,
  table: string,
  where = '1 = 1',
  ...params: unknown[]
): number {
  const row = sqliteOf(h.runtime.store)
    .prepare(`select count(*) c from ${table} where ${where}`)
    .get(...params) as { c: number };
  return row.c;
}

/** The ledger lines of one plan, as stored. */
export interface LedgerRow {
  plan_id: string;
  cap_id: string;
  period_key: string;
  currency: string;
  amount_minor: number;
  status: string;
  expires_at: number | null;
}

export function ledgerOf(h: Harness, planId: string): LedgerRow[] {
  return rows<LedgerRow>(
    h,
    'select * from budget_ledger where plan_id = ? order by cap_id',
    planId,
  );
}

/** Everything a refused call must leave untouched. */
export function snapshot(h: Pick<Harness, 'runtime'>) {
  return {
    lineage: count(h, 'lineage_events'),
    plans: count(h, 'plans'),
    ledger: rows(h, 'select * from budget_ledger order by id'),
    payloads: count(h, 'payloads'),
    outbox: count(h, 'dispatches'),
    approvals: count(h, 'approvals'),
    caps: rows(h, 'select * from budget_caps order by tenant_id, cap_id'),
    controls: count(h, 'controls'),
  };
}

/** Every lineage event of the fixture tenant (through the API, as the auditor). */
export async function lineage(
  h: Harness,
  filter: { planId?: string; types?: LineageEvent['type'][] } = {},
): Promise<LineageEvent[]> {
  const page = await h.gateway.queryLineage(h.callers.auditor.principal, { ...filter, limit: 500 });
  expect(page.nextCursor).toBeUndefined();
  return page.items;
}

/** Signs and submits the finance and marketing-lead approvals that complete option 1's gate. */
export async function approveByBoth(h: Harness, view: PlanView): Promise<PlanView> {
  const { approver } = h.callers;
  await h.gateway.submitApproval(
    approver.principal,
    await h.sign(view, { key: h.keys.finance, sub: 'fiona.finance', role: 'finance' }),
  );
  return h.gateway.submitApproval(
    approver.principal,
    await h.sign(view, { key: h.keys.marketing, sub: 'mark.lead', role: 'marketing_lead' }),
  );
}
