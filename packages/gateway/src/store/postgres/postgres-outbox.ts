import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { toOutbox, unleased, withLeaseRule } from '../outbox-rows.js';
import type { OutboxRow, StoreTx } from '../store.js';
import type { PgDb } from './postgres-tx.js';
import * as s from './schema.js';

const d = s.dispatches;
/** The dispatch order: oldest due first, then created, plan, action. */
const DUE_ORDER = [asc(d.nextAttemptAt), asc(d.createdAt), asc(d.planId), asc(d.actionIndex)];

/** Sorts rows in {@link DUE_ORDER} (an `UPDATE ... RETURNING` answers in no particular order). */
function byDueOrder(a: OutboxRow, b: OutboxRow): number {
  return (
    a.nextAttemptAt - b.nextAttemptAt ||
    a.createdAt - b.createdAt ||
    (a.planId < b.planId ? -1 : a.planId > b.planId ? 1 : 0) ||
    a.actionIndex - b.actionIndex
  );
}

/**
 * The outbox methods of a PostgreSQL transaction (`dispatches`; leases in `store/outbox-leases.ts`). Times are
 * epoch milliseconds. {@link claimOutbox} selects with `FOR UPDATE SKIP LOCKED` and leases in the same statement:
 * replicas claiming at once each get rows no other replica holds, never the same row twice.
 */
export function postgresOutbox(
  db: PgDb,
): Pick<
  StoreTx,
  | 'insertOutbox'
  | 'outboxForPlan'
  | 'getOutbox'
  | 'dueOutbox'
  | 'outboxByStatus'
  | 'updateOutbox'
  | 'claimOutbox'
  | 'outboxLeaseExpired'
> {
  return {
    async insertOutbox(rows) {
      if (rows.length === 0) return;
      await db.insert(d).values(rows.map(unleased));
    },

    async outboxForPlan(tenantId, planId) {
      const rows = await db
        .select()
        .from(d)
        .where(and(eq(d.tenantId, tenantId), eq(d.planId, planId)))
        .orderBy(asc(d.actionIndex));
      return rows.map(toOutbox);
    },

    async getOutbox(idempotencyKey) {
      const [row] = await db.select().from(d).where(eq(d.idempotencyKey, idempotencyKey));
      return row ? toOutbox(row) : undefined;
    },

    async dueOutbox(atMs, limit) {
      const rows = await db
        .select()
        .from(d)
        .where(and(eq(d.status, 'pending'), lte(d.nextAttemptAt, atMs)))
        .orderBy(...DUE_ORDER)
        .limit(limit);
      return rows.map(toOutbox);
    },

    async outboxByStatus(statuses, limit, tenantId) {
      if (statuses.length === 0) return [];
      const inStatus = inArray(d.status, [...statuses]);
      const rows = await db
        .select()
        .from(d)
        .where(tenantId === undefined ? inStatus : and(inStatus, eq(d.tenantId, tenantId)))
        .orderBy(asc(d.createdAt), asc(d.planId), asc(d.actionIndex))
        .limit(limit);
      return rows.map(toOutbox);
    },

    async updateOutbox(idempotencyKey, expected, patch) {
      const result = await db
        .update(d)
        .set(withLeaseRule(patch))
        .where(
          typeof expected === 'string'
            ? and(eq(d.idempotencyKey, idempotencyKey), eq(d.status, expected))
            : and(
                eq(d.idempotencyKey, idempotencyKey),
                eq(d.status, expected.status),
                eq(d.attempts, expected.attempts),
                eq(d.leaseOwner, expected.leaseOwner),
              ),
        );
      return result.rowCount === 1;
    },

    async claimOutbox({ atMs, limit, leaseMs, owner }) {
      const claimable = db
        .select({ key: d.idempotencyKey })
        .from(d)
        .where(
          and(
            eq(d.status, 'pending'),
            lte(d.nextAttemptAt, atMs),
            // Unleased, its lease ended, or held by this replica itself (a row it kept for later).
            or(isNull(d.leaseUntil), lte(d.leaseUntil, atMs), eq(d.leaseOwner, owner)),
          ),
        )
        .orderBy(...DUE_ORDER)
        .limit(limit)
        .for('update', { skipLocked: true });
      const rows = await db
        .update(d)
        .set({ leaseOwner: owner, leaseUntil: atMs + leaseMs })
        .where(inArray(d.idempotencyKey, claimable))
        .returning();
      return rows.map(toOutbox).sort(byDueOrder);
    },

    async outboxLeaseExpired(atMs, limit) {
      // A row without a lease was left in flight by a gateway older than leases: recovered like an expired one.
      const rows = await db
        .select()
        .from(d)
        .where(and(eq(d.status, 'in_flight'), or(isNull(d.leaseUntil), lte(d.leaseUntil, atMs))))
        .orderBy(
          sql`${d.leaseUntil} asc nulls first`,
          asc(d.createdAt),
          asc(d.planId),
          asc(d.actionIndex),
        )
        .limit(limit);
      return rows.map(toOutbox);
    },
  };
}
