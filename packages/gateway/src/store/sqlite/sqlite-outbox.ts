import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { OutboxPatch, OutboxRow, OutboxStatus } from '../store.js';
import type { PreparedByShape } from './prepared-by-shape.js';
import * as s from './schema.js';
import type { SqliteDb } from './sqlite-tx.js';

type DispatchRow = typeof s.dispatches.$inferSelect;

function toOutbox({ reverses, ...row }: DispatchRow): OutboxRow {
  return { ...row, status: row.status as OutboxStatus, ...(reverses ? { reverses } : {}) };
}

/**
 * The outbox statements of a SQLite transaction (the `dispatches` table), kept apart from the rest of
 * {@link SqliteTx} so that each file holds one concept. Times are epoch milliseconds.
 */
export class SqliteOutbox {
  readonly #db: SqliteDb;
  readonly #shapes: PreparedByShape;
  readonly #due;
  readonly #forPlan;
  readonly #get;

  constructor(db: SqliteDb, shapes: PreparedByShape) {
    this.#db = db;
    this.#shapes = shapes;
    const d = s.dispatches;
    this.#forPlan = db
      .select()
      .from(d)
      .where(
        and(eq(d.tenantId, sql.placeholder('tenantId')), eq(d.planId, sql.placeholder('planId'))),
      )
      .orderBy(asc(d.actionIndex))
      .prepare();
    this.#get = db
      .select()
      .from(d)
      .where(eq(d.idempotencyKey, sql.placeholder('idempotencyKey')))
      .prepare();
    this.#due = db
      .select()
      .from(d)
      .where(and(eq(d.status, 'pending'), lte(d.nextAttemptAt, sql.placeholder('atMs'))))
      .orderBy(asc(d.nextAttemptAt), asc(d.createdAt), asc(d.planId), asc(d.actionIndex))
      .limit(sql.placeholder('limit'))
      .prepare();
  }

  insert(rows: readonly OutboxRow[]): void {
    for (const row of rows) this.#shapes.insert(s.dispatches, 'dispatches', row);
  }

  forPlan(tenantId: string, planId: string): OutboxRow[] {
    return this.#forPlan.all({ tenantId, planId }).map(toOutbox);
  }

  get(idempotencyKey: string): OutboxRow | undefined {
    const row = this.#get.get({ idempotencyKey });
    return row ? toOutbox(row) : undefined;
  }

  due(atMs: number, limit: number): OutboxRow[] {
    return this.#due.all({ atMs, limit }).map(toOutbox);
  }

  byStatus(statuses: readonly OutboxStatus[], limit: number, tenantId?: string): OutboxRow[] {
    const d = s.dispatches;
    const inStatus = inArray(d.status, [...statuses]);
    return this.#db
      .select()
      .from(d)
      .where(tenantId === undefined ? inStatus : and(inStatus, eq(d.tenantId, tenantId)))
      .orderBy(asc(d.createdAt), asc(d.planId), asc(d.actionIndex))
      .limit(limit)
      .all()
      .map(toOutbox);
  }

  update(idempotencyKey: string, expected: OutboxStatus, patch: OutboxPatch): boolean {
    const d = s.dispatches;
    const changes = this.#shapes.update(
      d,
      'dispatches',
      patch,
      (where) => and(eq(d.idempotencyKey, where('idempotencyKey')), eq(d.status, where('status'))),
      { idempotencyKey, status: expected },
    );
    return changes === 1;
  }
}
