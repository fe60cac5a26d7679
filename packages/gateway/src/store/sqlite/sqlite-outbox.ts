import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { OutboxPatch, OutboxRow, OutboxStatus } from '../store.js';
import * as s from './schema.js';
import type { SqliteDb } from './sqlite-store.js';

type DispatchRow = typeof s.dispatches.$inferSelect;

function toOutbox(row: DispatchRow): OutboxRow {
  return { ...row, status: row.status as OutboxStatus };
}

/**
 * The outbox statements of a SQLite transaction (the `dispatches` table), kept apart from the rest of
 * {@link SqliteTx} so that each file holds one concept. Times are epoch milliseconds.
 */
export class SqliteOutbox {
  readonly #db: SqliteDb;
  readonly #due;

  constructor(db: SqliteDb) {
    this.#db = db;
    const d = s.dispatches;
    this.#due = db
      .select()
      .from(d)
      .where(and(eq(d.status, 'pending'), lte(d.nextAttemptAt, sql.placeholder('atMs'))))
      .orderBy(asc(d.nextAttemptAt), asc(d.createdAt), asc(d.planId), asc(d.actionIndex))
      .limit(sql.placeholder('limit'))
      .prepare();
  }

  insert(rows: readonly OutboxRow[]): void {
    if (rows.length > 0)
      this.#db
        .insert(s.dispatches)
        .values([...rows])
        .run();
  }

  forPlan(planId: string): OutboxRow[] {
    const d = s.dispatches;
    return this.#db
      .select()
      .from(d)
      .where(eq(d.planId, planId))
      .orderBy(asc(d.actionIndex))
      .all()
      .map(toOutbox);
  }

  get(idempotencyKey: string): OutboxRow | undefined {
    const row = this.#db
      .select()
      .from(s.dispatches)
      .where(eq(s.dispatches.idempotencyKey, idempotencyKey))
      .get();
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
    const result = this.#db
      .update(d)
      .set(patch)
      .where(and(eq(d.idempotencyKey, idempotencyKey), eq(d.status, expected)))
      .run();
    return result.changes === 1;
  }
}
