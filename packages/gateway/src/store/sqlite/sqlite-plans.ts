import { and, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { PlanState } from '../../plan-state.js';
import { planFilterConditions, toPlan } from '../plan-rows.js';
import type { PlanFilter, PlanPatch, PlanRecord } from '../store.js';
import type { PreparedByShape } from './prepared-by-shape.js';
import * as s from './schema.js';
import type { SqliteDb } from './sqlite-tx.js';

/**
 * The plan statements of a SQLite transaction (the `plans` table, keyed `(tenant_id, plan_id)`), kept apart from
 * the rest of {@link SqliteTx} so that each file holds one concept. The lookup by id is prepared once, in the
 * constructor; inserts and state changes are prepared once per shape ({@link PreparedByShape}). Times are epoch
 * milliseconds.
 */
export class SqlitePlans {
  readonly #db: SqliteDb;
  readonly #shapes: PreparedByShape;
  readonly #planById;

  constructor(db: SqliteDb, shapes: PreparedByShape) {
    this.#db = db;
    this.#shapes = shapes;
    const p = sql.placeholder;
    this.#planById = db
      .select()
      .from(s.plans)
      .where(and(eq(s.plans.tenantId, p('tenantId')), eq(s.plans.planId, p('planId'))))
      .prepare();
  }

  get(tenantId: string, planId: string): PlanRecord | undefined {
    const row = this.#planById.get({ tenantId, planId });
    return row ? toPlan(row) : undefined;
  }

  insert(record: PlanRecord): void {
    this.#shapes.insert(s.plans, 'plans', record);
  }

  update(tenantId: string, planId: string, expectedState: PlanState, patch: PlanPatch): boolean {
    const p = s.plans;
    const changes = this.#shapes.update(
      p,
      'plans',
      patch,
      (where) =>
        and(
          eq(p.tenantId, where('tenantId')),
          eq(p.planId, where('planId')),
          eq(p.state, where('state')),
        ),
      { tenantId, planId, state: expectedState },
    );
    return changes === 1;
  }

  list(filter: PlanFilter): PlanRecord[] {
    const p = s.plans;
    const rows = this.#db
      .select()
      .from(p)
      .where(planFilterConditions(filter, p))
      .orderBy(desc(p.receivedAt), desc(p.planId))
      .limit(filter.limit)
      .all();
    return rows.map(toPlan);
  }

  due(
    field: 'approvalDeadline' | 'expiresAt',
    states: readonly PlanState[],
    atMs: number,
  ): PlanRecord[] {
    const p = s.plans;
    const rows = this.#db
      .select()
      .from(p)
      .where(and(inArray(p.state, [...states]), lte(p[field], atMs)))
      .all();
    return rows.map(toPlan);
  }
}
