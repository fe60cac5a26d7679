import { type Column, eq, gt, gte, inArray, lte, or, type SQL, sql, type Table } from 'drizzle-orm';
import type { LineageFilter } from './store.js';

/** The columns of `lineage_events` a {@link LineageFilter} reads, in either dialect's drizzle schema. */
export interface LineageFilterColumns {
  events: Table &
    Record<
      'id' | 'tenantId' | 'planId' | 'type' | 'actorId' | 'actorType' | 'occurredAt' | 'body',
      Column
    >;
  plans: Table & Record<'tenantId' | 'planId' | 'workflowId', Column>;
  dispatches: Table & Record<'tenantId' | 'planId' | 'adapter', Column>;
}

/**
 * The conditions of a {@link LineageFilter} on `lineage_events`, shared by the SQLite and PostgreSQL stores:
 * every filter is the same SQL in both but for reading `data.adapter` out of an event's body, which each dialect
 * passes as `dataAdapter` (SQLite `json_extract`, PostgreSQL `->>`). Plan ids are per tenant: a plan is matched on
 * (tenant_id, plan_id), never on its id alone.
 */
export function lineageFilterConditions(
  filter: LineageFilter,
  { events: t, plans: p, dispatches: d }: LineageFilterColumns,
  dataAdapter: SQL,
): SQL[] {
  const where: SQL[] = [];
  if (filter.tenantId !== undefined) where.push(eq(t.tenantId, filter.tenantId));
  if (filter.planId !== undefined) where.push(eq(t.planId, filter.planId));
  if (filter.types !== undefined && filter.types.length > 0)
    where.push(inArray(t.type, [...filter.types]));
  if (filter.actorId !== undefined) where.push(eq(t.actorId, filter.actorId));
  if (filter.actorType !== undefined) where.push(eq(t.actorType, filter.actorType));
  if (filter.workflowId !== undefined) {
    where.push(
      sql`exists (select 1 from ${p} where ${p.tenantId} = ${t.tenantId} and ${p.planId} = ${t.planId} and ${p.workflowId} = ${filter.workflowId})`,
    );
  }
  if (filter.adapter !== undefined) {
    const onAdapter = sql`exists (select 1 from ${d} where ${d.tenantId} = ${t.tenantId} and ${d.planId} = ${t.planId} and ${d.adapter} = ${filter.adapter})`;
    const either = or(onAdapter, sql`${dataAdapter} = ${filter.adapter}`);
    if (either) where.push(either);
  }
  if (filter.fromMs !== undefined) where.push(gte(t.occurredAt, filter.fromMs));
  if (filter.toMs !== undefined) where.push(lte(t.occurredAt, filter.toMs));
  if (filter.after !== undefined) where.push(gt(t.id, filter.after));
  return where;
}
