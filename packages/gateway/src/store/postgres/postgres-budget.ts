import { and, eq, sql } from 'drizzle-orm';
import { toLedger } from '../budget-reservations.js';
import type { LedgerLine, StoredCap, StoreTx } from '../store.js';
import type { PgDb } from './postgres-tx.js';
import * as s from './schema.js';

type Period = Pick<LedgerLine, 'tenantId' | 'capId' | 'periodKey'>;

/**
 * The budget methods of a PostgreSQL transaction (`budget_caps`, `budget_ledger`, `budget_usage`; see
 * `store/budget-reservations.ts`). Amounts are integer minor units, times epoch milliseconds. `budget_usage` holds
 * each period's `reserved_minor` and `committed_minor`, kept here by every method that writes the ledger (no
 * trigger).
 *
 * A reservation is ONE conditional update of the period's row (`... WHERE reserved + committed + $amount <=
 * $limit`). Two replicas racing for the last of a cap both update that row: PostgreSQL makes the second wait for
 * the first's row lock and, at READ COMMITTED, re-checks the second's `WHERE` on the totals the first committed
 * (0 rows: over the cap): overspend cannot happen whatever the interleaving, and nothing is aborted or retried.
 */
export function postgresBudget(
  db: PgDb,
): Pick<
  StoreTx,
  | 'getCaps'
  | 'replaceCaps'
  | 'usedBudget'
  | 'budgetUsage'
  | 'reserveBudget'
  | 'cancelReservation'
  | 'insertLedger'
  | 'ledgerForPlan'
  | 'extendReservations'
  | 'settleLedger'
> {
  const l = s.budgetLedger;
  const u = s.budgetUsage;
  const ofPeriod = ({ tenantId, capId, periodKey }: Period) =>
    and(eq(u.tenantId, tenantId), eq(u.capId, capId), eq(u.periodKey, periodKey));
  const reservedOf = (tenantId: string, planId: string) =>
    and(eq(l.tenantId, tenantId), eq(l.planId, planId), eq(l.status, 'reserved'));

  /** Inserts the period's row with zero totals when it is missing (nothing when it exists). */
  async function ensureUsage({ tenantId, capId, periodKey }: Period): Promise<void> {
    await db
      .insert(u)
      .values({ tenantId, capId, periodKey, reservedMinor: 0, committedMinor: 0 })
      .onConflictDoNothing();
  }

  /**
   * Adds to the totals of a period in one statement: the row is inserted with these totals when missing, else
   * its totals are increased (`INSERT ... ON CONFLICT DO UPDATE`). One round trip while other transactions may
   * be waiting for the row (every plan of a cap's period writes it).
   */
  async function add(period: Period, reserved: number, committed: number): Promise<void> {
    const { tenantId, capId, periodKey } = period;
    await db
      .insert(u)
      .values({ tenantId, capId, periodKey, reservedMinor: reserved, committedMinor: committed })
      .onConflictDoUpdate({
        target: [u.tenantId, u.capId, u.periodKey],
        set: {
          reservedMinor: sql`${u.reservedMinor} + excluded.reserved_minor`,
          committedMinor: sql`${u.committedMinor} + excluded.committed_minor`,
        },
      });
  }

  /** The conditional update of a reservation: true when the period's row exists and `amount` fits under it. */
  async function reserveOn(period: Period, amount: number, limitMinor: number): Promise<boolean> {
    const result = await db
      .update(u)
      .set({ reservedMinor: sql`${u.reservedMinor} + ${amount}` })
      .where(
        and(
          ofPeriod(period),
          sql`${u.reservedMinor} + ${u.committedMinor} + ${amount} <= ${limitMinor}`,
        ),
      );
    return result.rowCount === 1;
  }

  async function budgetUsage(tenantId: string, capId: string, periodKey: string) {
    const [row] = await db
      .select({ reserved: u.reservedMinor, committed: u.committedMinor })
      .from(u)
      .where(ofPeriod({ tenantId, capId, periodKey }));
    return { reserved: BigInt(row?.reserved ?? 0), committed: BigInt(row?.committed ?? 0) };
  }

  return {
    async getCaps(tenantId) {
      const rows = await db.select().from(s.budgetCaps).where(eq(s.budgetCaps.tenantId, tenantId));
      return rows.map(({ updatedAt: _u, ...cap }) => ({
        ...cap,
        scopeType: cap.scopeType as StoredCap['scopeType'],
        period: cap.period as StoredCap['period'],
      }));
    },

    async replaceCaps(tenantId, caps, atMs) {
      await db.delete(s.budgetCaps).where(eq(s.budgetCaps.tenantId, tenantId));
      if (caps.length > 0) {
        await db.insert(s.budgetCaps).values(caps.map((cap) => ({ ...cap, updatedAt: atMs })));
      }
    },

    async usedBudget(tenantId, capId, periodKey) {
      const { reserved, committed } = await budgetUsage(tenantId, capId, periodKey);
      return reserved + committed;
    },

    budgetUsage,

    async reserveBudget(line, limitMinor) {
      if (line.status !== 'reserved') {
        throw new Error(`reserveBudget takes a reserved line, not a ${line.status} one`);
      }
      // The period's row exists but for its first reservation: the conditional update alone decides (one round
      // trip while holding the row), and only when it changed nothing is the row inserted and the update run again.
      let reserved = await reserveOn(line, line.amountMinor, limitMinor);
      if (!reserved) {
        await ensureUsage(line);
        reserved = await reserveOn(line, line.amountMinor, limitMinor);
      }
      if (!reserved) return false;
      await db.insert(l).values(line);
      return true;
    },

    async cancelReservation(line) {
      const match = and(
        reservedOf(line.tenantId, line.planId),
        eq(l.capId, line.capId),
        eq(l.periodKey, line.periodKey),
        eq(l.amountMinor, line.amountMinor),
        eq(l.createdAt, line.createdAt),
      );
      const one = db.select({ id: l.id }).from(l).where(match).limit(1);
      const gone = await db
        .delete(l)
        .where(eq(l.id, sql`(${one})`))
        .returning({ amount: l.amountMinor });
      for (const row of gone) await add(line, -row.amount, 0);
    },

    async insertLedger(lines) {
      for (const line of lines) {
        await db.insert(l).values(line);
        if (line.status === 'reserved') await add(line, line.amountMinor, 0);
        if (line.status === 'committed') await add(line, 0, line.amountMinor);
      }
    },

    async ledgerForPlan(tenantId, planId) {
      const rows = await db
        .select()
        .from(l)
        .where(and(eq(l.tenantId, tenantId), eq(l.planId, planId)))
        .orderBy(l.id);
      return rows.map(toLedger);
    },

    async extendReservations(tenantId, planId, expiresAt, atMs) {
      await db.update(l).set({ expiresAt, updatedAt: atMs }).where(reservedOf(tenantId, planId));
    },

    async settleLedger(tenantId, planId, status, atMs) {
      const moved = await db
        .update(l)
        .set({ status, expiresAt: null, updatedAt: atMs })
        .where(reservedOf(tenantId, planId))
        .returning();
      const lines = moved.sort((a, b) => a.id - b.id).map(toLedger);
      for (const line of lines) {
        await add(line, -line.amountMinor, status === 'committed' ? line.amountMinor : 0);
      }
      return lines;
    },
  };
}
