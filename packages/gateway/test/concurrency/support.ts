import { rmSync } from 'node:fs';
import { GENESIS_HASH, type HandoffPlan } from '@handoff/protocol';
import type Database from 'better-sqlite3';
import fc from 'fast-check';
import { fixturePlan, type Harness, TENANT } from '../support/harness.js';

/** A valid plan id: a UUIDv7 (lower case) or a ULID (upper-case Crockford base32). */
export const planIdArb: fc.Arbitrary<string> = fc.oneof(fc.uuid({ version: 7 }), fc.ulid());

/** What varies between the generated plans: the id and what each option's single action costs (EUR cents). */
export interface PlanShape {
  planId: string;
  /** Cost of the recommended option `call-prior-successes` (one hubspot action). */
  recommendedCost: number;
  /** Cost of the alternate option `nurture-broadcast` (one customerio action). */
  alternateCost: number;
  /** Plan lifetime from `nowMs`; the fixture's own dates when absent. */
  expiresInMs?: number;
}

/**
 * The two-option fixture with another id and costs; each option's budget equals its action's cost, so the plan
 * stays valid (ACTIONS_EXCEED_BUDGET cannot fire) and digests differ between plans.
 */
export function shapedPlan(shape: PlanShape, nowMs?: number): HandoffPlan {
  const plan = fixturePlan();
  plan.planId = shape.planId;
  if (shape.expiresInMs !== undefined && nowMs !== undefined) {
    plan.createdAt = new Date(nowMs - 60_000).toISOString();
    plan.expiresAt = new Date(nowMs + shape.expiresInMs).toISOString();
  }
  const costs = [shape.recommendedCost, shape.alternateCost];
  plan.options.forEach((option, index) => {
    const amountMinor = costs[index] ?? 0;
    option.budget.amount.amountMinor = amountMinor;
    for (const action of option.actions) action.estimatedCost.amountMinor = amountMinor;
  });
  return plan;
}

/** One tenant-wide monthly EUR cap, and optionally a monthly cap on the hubspot adapter. */
export function capsOf(tenantLimit: number, hubspotLimit?: number): unknown[] {
  const caps: unknown[] = [
    {
      capId: 'tenant-month',
      tenantId: TENANT,
      scope: { type: 'tenant', value: TENANT },
      period: 'month',
      limit: { amountMinor: tenantLimit, currency: 'EUR' },
      timeZone: 'Europe/Lisbon',
    },
  ];
  if (hubspotLimit !== undefined) {
    caps.push({
      capId: 'hubspot-month',
      tenantId: TENANT,
      scope: { type: 'adapter', value: 'hubspot' },
      period: 'month',
      limit: { amountMinor: hubspotLimit, currency: 'EUR' },
    });
  }
  return caps;
}

/** What one cap holds in one period at a time, read straight from the ledger table. */
export interface CapUsage {
  tenantId: string;
  capId: string;
  periodKey: string;
  /** SUM(amount_minor) of committed lines and of every reserved line (a reservation never lapses by time). */
  used: number;
  /** The cap's current limit (null when the cap no longer exists). */
  limitMinor: number | null;
}

/**
 * Reserved + committed minor units per cap and period, with each cap's limit. This is the definition `usedBudget`
 * implements, re-derived in SQL so the test does not trust the code under test. A reserved line counts until its
 * plan releases or commits it, whatever its `expires_at` and whatever the time (`_atMs` is when it is asked).
 */
export function capUsage(sqlite: Database.Database, _atMs?: number): CapUsage[] {
  return sqlite
    .prepare(
      `SELECT l.tenant_id AS tenantId, l.cap_id AS capId, l.period_key AS periodKey,
              SUM(CASE WHEN l.status IN ('committed', 'reserved') THEN l.amount_minor ELSE 0 END) AS used,
              c.limit_minor AS limitMinor
         FROM budget_ledger l
         LEFT JOIN budget_caps c ON c.tenant_id = l.tenant_id AND c.cap_id = l.cap_id
        GROUP BY l.tenant_id, l.cap_id, l.period_key
        ORDER BY l.tenant_id, l.cap_id, l.period_key`,
    )
    .all() as CapUsage[];
}

/** The key of a cap and period in maps. */
export function usageKey(u: Pick<CapUsage, 'tenantId' | 'capId' | 'periodKey'>): string {
  return `${u.tenantId}/${u.capId}/${u.periodKey}`;
}

/** Ledger lines with a negative amount (there must be none). */
export function negativeLines(sqlite: Database.Database): number {
  const row = sqlite
    .prepare('SELECT COUNT(*) AS n FROM budget_ledger WHERE amount_minor < 0')
    .get();
  return (row as { n: number }).n;
}

/** Each plan's state and reason code. */
export function planStates(
  sqlite: Database.Database,
): Map<string, { state: string; reasonCode: string | null; selectedOptionId: string | null }> {
  const rows = sqlite
    .prepare(
      'SELECT plan_id AS planId, state, reason_code AS reasonCode, selected_option_id AS selectedOptionId FROM plans',
    )
    .all() as {
    planId: string;
    state: string;
    reasonCode: string | null;
    selectedOptionId: string | null;
  }[];
  return new Map(rows.map(({ planId, ...rest }) => [planId, rest]));
}

/** Ledger lines of one plan, oldest first. */
export function ledgerOf(
  sqlite: Database.Database,
  planId: string,
): { capId: string; amountMinor: number; status: string; expiresAt: number | null }[] {
  return sqlite
    .prepare(
      `SELECT cap_id AS capId, amount_minor AS amountMinor, status, expires_at AS expiresAt
         FROM budget_ledger WHERE plan_id = ? ORDER BY id`,
    )
    .all(planId) as {
    capId: string;
    amountMinor: number;
    status: string;
    expiresAt: number | null;
  }[];
}

/**
 * Checks every hash chain of the lineage (each plan's and each tenant's: seq from 1, no gap, each prevHash the
 * hash before, in insertion order); [] when intact.
 */
export function chainBreaks(sqlite: Database.Database): string[] {
  const rows = sqlite
    .prepare(
      `SELECT seq, tenant_id AS tenantId, plan_id AS planId, prev_hash AS prevHash, hash
       FROM lineage_events ORDER BY id`,
    )
    .all() as {
    seq: number;
    tenantId: string;
    planId: string | null;
    prevHash: string;
    hash: string;
  }[];
  const heads = new Map<string, { seq: number; hash: string }>();
  const breaks: string[] = [];
  for (const row of rows) {
    const key = `${row.tenantId}\u0000${row.planId ?? ''}`;
    const before = heads.get(key) ?? { seq: 0, hash: GENESIS_HASH };
    if (row.seq !== before.seq + 1) breaks.push(`${key}: seq ${row.seq} after ${before.seq}`);
    if (row.prevHash !== before.hash)
      breaks.push(`${key}: seq ${row.seq} does not follow ${before.seq}`);
    heads.set(key, { seq: row.seq, hash: row.hash });
  }
  return breaks;
}

/** Closes a harness and removes its temporary directory. */
export async function dispose(h: Harness | undefined): Promise<void> {
  if (!h) return;
  await h.close();
  rmSync(h.dir, { recursive: true, force: true });
}
