import { and, desc, eq, inArray, lte } from 'drizzle-orm';
import { planFilterConditions, toPlan } from '../plan-rows.js';
import type { PlanFilter, StoreTx } from '../store.js';
import type { PgDb } from './postgres-tx.js';
import * as s from './schema.js';

/**
 * The plan methods of a PostgreSQL transaction (the `plans` table, keyed `(tenant_id, plan_id)`). A state change
 * is a compare-and-set (`WHERE state = $expected`): of two replicas moving one plan, the second changes nothing
 * and is told so. Times are epoch milliseconds.
 *
 * `getPlan` locks the plan's row (`SELECT ... FOR NO KEY UPDATE`) until the transaction ends: transactions run at
 * READ COMMITTED (see `PostgresStore`), so everything a transaction decides from a plan it read (counting an
 * approval quorum, appending to the plan's chain, choosing the next state, settling its ledger) is serialised per
 * plan by that lock, the one the plan's state change takes anyway. A second transaction on the same plan waits
 * at its `getPlan` and then reads what the first committed.
 *
 * @param readOnly - the store is read-only (`default_transaction_read_only`): no lock is taken.
 */
export function postgresPlans(
  db: PgDb,
  readOnly = false,
): Pick<StoreTx, 'getPlan' | 'insertPlan' | 'updatePlan' | 'listPlans' | 'plansDue'> {
  const p = s.plans;
  return {
    async getPlan(tenantId, planId) {
      const query = db
        .select()
        .from(p)
        .where(and(eq(p.tenantId, tenantId), eq(p.planId, planId)));
      // A read-only session (the auditor's) cannot lock, and changes nothing a lock would protect.
      const [row] = readOnly ? await query : await query.for('no key update');
      return row ? toPlan(row) : undefined;
    },

    async insertPlan(record) {
      await db.insert(p).values(record);
    },

    async updatePlan(tenantId, planId, expectedState, patch) {
      const result = await db
        .update(p)
        .set(patch)
        .where(and(eq(p.tenantId, tenantId), eq(p.planId, planId), eq(p.state, expectedState)));
      return result.rowCount === 1;
    },

    async listPlans(filter: PlanFilter) {
      const rows = await db
        .select()
        .from(p)
        .where(planFilterConditions(filter, p))
        .orderBy(desc(p.receivedAt), desc(p.planId))
        .limit(filter.limit);
      return rows.map(toPlan);
    },

    async plansDue(field, states, atMs) {
      if (states.length === 0) return [];
      const rows = await db
        .select()
        .from(p)
        .where(and(inArray(p.state, [...states]), lte(p[field], atMs)));
      return rows.map(toPlan);
    },
  };
}
