import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Gateway } from '../../src/gateway.js';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { createHarness, type Harness, TENANT } from '../support/harness.js';
import { sqliteOf } from '../support/sqlite-of.js';
import {
  capsOf,
  capUsage,
  chainBreaks,
  dispose,
  ledgerOf,
  type PlanShape,
  planIdArb,
  planStates,
  shapedPlan,
} from './support.js';

/**
 * Many plans submitted at once against one tenant-wide monthly cap. Transactions are serialised (a promise-chain
 * queue, and BEGIN IMMEDIATE across connections), so the outcome must be the outcome of SOME serial order of the
 * submissions: each plan is reserved if and only if it fits the headroom left by the plans before it in that
 * order. The order is read back from the lineage (`seq` of each plan's budget.reserved / budget.refused event).
 *
 * There are no cancels here, so usage only grows: a refused plan saw at most the final usage, hence every refused
 * plan's cost exceeds the final headroom (with cancels a plan refused early could fit later; the property test
 * covers that world).
 */

const PLANS = 200;
const ACCEPTED = new Set(['awaiting_approval', 'approved']);

const costArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 8_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 8_001, max: 90_000 }) },
);

const scenarioArb = fc.record({
  limit: fc.integer({ min: 50_000, max: 400_000 }),
  plans: fc.uniqueArray(
    fc.record({ planId: planIdArb, recommendedCost: costArb, alternateCost: fc.constant(18_525) }),
    { selector: (p) => p.planId, minLength: PLANS, maxLength: PLANS },
  ),
});

/** Asserts that the database holds a serial, cap-respecting outcome of submitting `shapes`. */
async function expectSerialOutcome(
  h: Harness,
  shapes: readonly PlanShape[],
  views: readonly (PlanView & { created: boolean })[],
  limit: number,
): Promise<void> {
  const sqlite = sqliteOf(h.runtime.store);
  const cost = new Map(shapes.map((s) => [s.planId, s.recommendedCost]));
  const states = planStates(sqlite);
  expect(states.size).toBe(shapes.length);
  expect(views.every((v) => v.created)).toBe(true);

  const accepted = shapes.filter((s) => ACCEPTED.has(states.get(s.planId)?.state ?? ''));
  const refused = shapes.filter((s) => {
    const st = states.get(s.planId);
    return st?.state === 'rejected' && st.reasonCode === 'BUDGET_EXCEEDED';
  });
  expect(accepted.length + refused.length).toBe(shapes.length);

  // The invariant, straight from the ledger table: reserved (unexpired) + committed <= limit, per cap and period.
  const usage = capUsage(sqlite, h.clock.now());
  for (const u of usage) expect(u.used).toBeLessThanOrEqual(u.limitMinor ?? -1);
  const used = accepted.reduce((sum, s) => sum + s.recommendedCost, 0);
  expect(usage.reduce((sum, u) => sum + u.used, 0)).toBe(used);
  expect(used).toBeLessThanOrEqual(limit);

  for (const s of accepted) {
    expect(ledgerOf(sqlite, s.planId)).toMatchObject([
      { capId: 'tenant-month', amountMinor: s.recommendedCost, status: 'reserved' },
    ]);
  }
  const headroom = limit - used;
  for (const s of refused) {
    expect(ledgerOf(sqlite, s.planId)).toEqual([]);
    expect(s.recommendedCost).toBeGreaterThan(headroom);
  }

  // Replay in commit order: each decision must be the right one for the usage at its turn.
  // A reservation is recorded by its plan's arrival (`plan.received`), a refusal by `budget.refused` after the
  // arrival that entered `rejected`.
  const decisions = (
    await h.runtime.store.queryLineage({
      tenantId: TENANT,
      types: ['plan.received', 'budget.refused'],
      limit: 10 * PLANS,
    })
  ).filter((e) => e.type === 'budget.refused' || e.data.state !== 'rejected');
  expect(decisions).toHaveLength(shapes.length);
  expect(new Set(decisions.map((e) => e.planId)).size).toBe(shapes.length);
  let running = 0;
  for (const event of decisions) {
    const amount = cost.get(event.planId ?? '') ?? Number.NaN;
    if (event.type === 'plan.received') {
      expect(running + amount).toBeLessThanOrEqual(limit);
      running += amount;
    } else {
      expect(running + amount).toBeGreaterThan(limit);
      expect(event.data).toMatchObject({ code: 'BUDGET_EXCEEDED', usedMinor: running });
    }
  }
  expect(running).toBe(used);
  expect(chainBreaks(sqlite)).toEqual([]);
}

describe('concurrent submissions against one tenant monthly cap', () => {
  test('200 plans at once: never over the cap, refusals recorded, outcome of one serial order', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ limit, plans }) => {
        let h: Harness | undefined;
        try {
          h = await createHarness({ caps: capsOf(limit) });
          const { gateway, callers } = h;
          const views = await Promise.all(
            plans.map((p) => gateway.submitPlan(callers.copilot.principal, shapedPlan(p))),
          );
          await expectSerialOutcome(h, plans, views, limit);
        } finally {
          await dispose(h);
        }
      }),
      { numRuns: 3, endOnFailure: true }, // shrinking 200-plan runs takes minutes,
    );
  }, 120_000);

  // A second gateway runtime on the file is refused (one writer per database file, see writer-lock.ts); the
  // pipeline is still safe across connections: a second store connection (as an offline writer opens) shares it.
  test('two gateways on two connections to one database file submit concurrently', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ limit, plans }) => {
        let first: Harness | undefined;
        let secondStore: SqliteStore | undefined;
        try {
          first = await createHarness({ caps: capsOf(limit) });
          const shared = join(first.dir, 'gateway.db');
          await expect(
            createHarness({ caps: capsOf(limit), databasePath: shared }),
          ).rejects.toMatchObject({ code: 'DATABASE_IN_USE' });
          secondStore = openSqliteStore({ path: shared });
          const sides = [first.gateway, new Gateway({ ...first.gateway.deps, store: secondStore })];
          const copilot = first.callers.copilot.principal;
          const views = await Promise.all(
            plans.map((p, i) => sides[i % 2]?.submitPlan(copilot, shapedPlan(p))),
          );
          await expectSerialOutcome(
            first,
            plans,
            views as (PlanView & { created: boolean })[],
            limit,
          );
        } finally {
          await secondStore?.close();
          await dispose(first);
        }
      }),
      { numRuns: 2, endOnFailure: true },
    );
  }, 120_000);

  test('at the edge: reaching the cap exactly is accepted, one minor unit more is refused', async () => {
    let h: Harness | undefined;
    try {
      h = await createHarness({ caps: capsOf(100_000) });
      const { gateway, callers } = h;
      const submit = (planId: string, recommendedCost: number) =>
        gateway.submitPlan(
          callers.copilot.principal,
          shapedPlan({ planId, recommendedCost, alternateCost: 1 }),
        );
      const exact = await Promise.all([
        submit('019a8f2e-5c4b-7d3e-9a1f-000000000001', 40_000),
        submit('019a8f2e-5c4b-7d3e-9a1f-000000000002', 60_000),
      ]);
      expect(exact.map((v) => v.state)).toEqual(['approved', 'awaiting_approval']);
      const over = await Promise.all([
        submit('019a8f2e-5c4b-7d3e-9a1f-000000000003', 1),
        submit('019a8f2e-5c4b-7d3e-9a1f-000000000004', 0),
      ]);
      expect(over.map((v) => [v.state, v.reasonCode])).toEqual([
        ['rejected', 'BUDGET_EXCEEDED'],
        ['approved', null],
      ]);
      expect(capUsage(sqliteOf(h.runtime.store), h.clock.now())).toMatchObject([{ used: 100_000 }]);
    } finally {
      await dispose(h);
    }
  });
});
