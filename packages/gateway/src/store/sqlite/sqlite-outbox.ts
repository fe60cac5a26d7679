import type Database from 'better-sqlite3';
import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { ClaimOutboxRequest } from '../outbox-leases.js';
import { toOutbox, unleased, withLeaseRule } from '../outbox-rows.js';
import type { OutboxExpectation, OutboxPatch, OutboxRow, OutboxStatus } from '../store.js';
import type { PreparedByShape } from './prepared-by-shape.js';
import * as s from './schema.js';
import type { SqliteDb } from './sqlite-tx.js';

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
  readonly #claimable;
  readonly #lease;
  readonly #expired;

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
    const at = sql.placeholder('atMs');
    this.#claimable = db
      .select({ key: d.idempotencyKey })
      .from(d)
      .where(
        and(
          eq(d.status, 'pending'),
          lte(d.nextAttemptAt, at),
          or(
            isNull(d.leaseUntil),
            lte(d.leaseUntil, at),
            eq(d.leaseOwner, sql.placeholder('owner')),
          ),
        ),
      )
      .orderBy(asc(d.nextAttemptAt), asc(d.createdAt), asc(d.planId), asc(d.actionIndex))
      .limit(sql.placeholder('limit'))
      .prepare();
    this.#lease = db
      .update(d)
      .set({
        leaseOwner: sql`${sql.placeholder('owner')}`,
        leaseUntil: sql`${sql.placeholder('until')}`,
      })
      .where(and(eq(d.idempotencyKey, sql.placeholder('key')), eq(d.status, 'pending')))
      .returning()
      .prepare();
    // A row without a lease was left in flight by a gateway older than leases: recovered like an expired one.
    this.#expired = db
      .select()
      .from(d)
      .where(and(eq(d.status, 'in_flight'), or(isNull(d.leaseUntil), lte(d.leaseUntil, at))))
      .orderBy(asc(d.leaseUntil), asc(d.createdAt), asc(d.planId), asc(d.actionIndex))
      .limit(sql.placeholder('limit'))
      .prepare();
  }

  insert(rows: readonly OutboxRow[]): void {
    for (const row of rows) this.#shapes.insert(s.dispatches, 'dispatches', unleased(row));
  }

  /** Leases due rows (SQLite: this connection is the only writer while its transaction runs). */
  claim({ atMs, limit, leaseMs, owner }: ClaimOutboxRequest): OutboxRow[] {
    const keys = this.#claimable.all({ atMs, limit, owner });
    const until = atMs + leaseMs;
    return keys.flatMap(({ key }) => this.#lease.all({ key, owner, until }).map(toOutbox));
  }

  leaseExpired(atMs: number, limit: number): OutboxRow[] {
    return this.#expired.all({ atMs, limit }).map(toOutbox);
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

  update(idempotencyKey: string, expected: OutboxExpectation, patch: OutboxPatch): boolean {
    const d = s.dispatches;
    const attempt = typeof expected === 'string' ? undefined : expected;
    const changes = this.#shapes.update(
      d,
      'dispatches',
      withLeaseRule(patch),
      (where) =>
        and(
          eq(d.idempotencyKey, where('idempotencyKey')),
          eq(d.status, where('status')),
          ...(attempt
            ? [eq(d.attempts, where('attempts')), eq(d.leaseOwner, where('leaseOwner'))]
            : []),
        ),
      attempt ? { idempotencyKey, ...attempt } : { idempotencyKey, status: expected },
    );
    return changes === 1;
  }
}

/**
 * Ends every running outbox lease at `atMs` (epoch ms): called by `openStore` once it holds a SQLite file's writer
 * lock, which proves that no other gateway runs on the file, so every lease there is a dead process's. Its
 * `in_flight` rows are then recovered at once by the in-doubt rules, as before leases.
 */
export function endEarlierLeases(sqlite: Database.Database, atMs: number): void {
  sqlite.prepare('update dispatches set lease_until = ? where lease_until > ?').run(atMs, atMs);
}
