import { and, type Column, eq, inArray, lt, or, type SQL } from 'drizzle-orm';
import type { PlanState } from '../plan-state.js';
import type { PlanFilter, PlanRecord } from './store.js';

/**
 * A `plans` row as either dialect's drizzle schema selects it (`sqlite/schema.ts`, `postgres/schema.ts`): the
 * states as text. Times are epoch milliseconds.
 */
export type StoredPlanRow = Omit<PlanRecord, 'state' | 'pausedFrom'> & {
  state: string;
  pausedFrom: string | null;
};

/** A stored plan row as a record, in both dialects (its states are ones the store wrote: `PlanState`s). */
export function toPlan(row: StoredPlanRow): PlanRecord {
  return { ...row, state: row.state as PlanState, pausedFrom: row.pausedFrom as PlanState | null };
}

/** The columns of `plans` a {@link PlanFilter} reads, in either dialect's drizzle schema. */
export type PlanFilterColumns = Record<
  'tenantId' | 'state' | 'submittedBy' | 'workflowId' | 'receivedAt' | 'planId',
  Column
>;

/**
 * The conditions of a {@link PlanFilter} on `plans` (`listPlans`), shared by the SQLite and PostgreSQL stores:
 * the tenant always; the states, submitter and workflow when given; and, with `before` (the keyset cursor of the
 * newest-first order `received_at desc, plan_id desc`), only plans strictly older than it. Neither the order nor
 * the limit is part of it: each store adds both to its statement.
 */
export function planFilterConditions(filter: PlanFilter, p: PlanFilterColumns): SQL | undefined {
  const where: (SQL | undefined)[] = [eq(p.tenantId, filter.tenantId)];
  if (filter.states && filter.states.length > 0) where.push(inArray(p.state, [...filter.states]));
  if (filter.submittedBy !== undefined) where.push(eq(p.submittedBy, filter.submittedBy));
  if (filter.workflowId !== undefined) where.push(eq(p.workflowId, filter.workflowId));
  const before = filter.before;
  if (before) {
    where.push(
      or(
        lt(p.receivedAt, before.receivedAt),
        and(eq(p.receivedAt, before.receivedAt), lt(p.planId, before.planId)),
      ),
    );
  }
  return and(...where);
}
