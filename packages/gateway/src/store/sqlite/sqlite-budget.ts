import { and, eq, sql, sum } from 'drizzle-orm';
import type { LedgerLine, StoredCap } from '../store.js';
import type { PreparedByShape } from './prepared-by-shape.js';
import * as s from './schema.js';
import type { SqliteDb } from './sqlite-tx.js';

type LedgerRow = typeof s.budgetLedger.$inferSelect;

function toLedger(row: LedgerRow): LedgerLine {
  const { id: _id, ...rest } = row;
  return { ...rest, status: row.status as LedgerLine['status'] };
}

/**
 * The budget statements of a SQLite transaction (the `budget_caps`, `budget_ledger` and `budget_usage` tables),
 * kept apart from the rest of {@link SqliteTx} so that each file holds one concept. Amounts are integer minor
 * units; times are epoch milliseconds. Hot paths use statements prepared once, in the constructor.
 */
export class SqliteBudget {
  readonly #db: SqliteDb;
  readonly #shapes: PreparedByShape;
  readonly #extendReservations;
  readonly #settleLedger;
  readonly #committed;
  readonly #reserved;
  readonly #ledgerForPlan;
  readonly #capsOf;

  constructor(db: SqliteDb, shapes: PreparedByShape) {
    this.#db = db;
    this.#shapes = shapes;
    const p = sql.placeholder;
    this.#ledgerForPlan = db
      .select()
      .from(s.budgetLedger)
      .where(
        and(eq(s.budgetLedger.tenantId, p('tenantId')), eq(s.budgetLedger.planId, p('planId'))),
      )
      .prepare();
    this.#capsOf = db
      .select()
      .from(s.budgetCaps)
      .where(eq(s.budgetCaps.tenantId, p('tenantId')))
      .prepare();
    const l = s.budgetLedger;
    const u = s.budgetUsage;
    const reservedOf = and(
      eq(l.tenantId, p('tenantId')),
      eq(l.planId, p('planId')),
      eq(l.status, 'reserved'),
    );
    this.#extendReservations = db
      .update(l)
      .set({ expiresAt: sql`${p('expiresAt')}`, updatedAt: sql`${p('atMs')}` })
      .where(reservedOf)
      .prepare();
    this.#settleLedger = db
      .update(l)
      .set({ status: sql`${p('status')}`, expiresAt: null, updatedAt: sql`${p('atMs')}` })
      .where(reservedOf)
      .returning()
      .prepare();
    // Committed: one row kept by triggers. Reserved: the period's reservations (few: plans in flight). A reserved
    // line counts until its plan releases or commits it, whatever its `expires_at`: a plan still dispatching (or
    // retrying, or paused mid-dispatch) past its expiry can still spend, so its hold never lapses by time.
    this.#committed = db
      .select({ total: u.committedMinor })
      .from(u)
      .where(
        and(
          eq(u.tenantId, p('tenantId')),
          eq(u.capId, p('capId')),
          eq(u.periodKey, p('periodKey')),
        ),
      )
      .prepare();
    this.#reserved = db
      .select({ total: sum(l.amountMinor) })
      .from(l)
      .where(
        and(
          eq(l.tenantId, p('tenantId')),
          eq(l.capId, p('capId')),
          eq(l.periodKey, p('periodKey')),
          eq(l.status, 'reserved'),
        ),
      )
      .prepare();
  }

  getCaps(tenantId: string): StoredCap[] {
    const rows = this.#capsOf.all({ tenantId });
    return rows.map(({ updatedAt: _u, ...cap }) => ({
      ...cap,
      scopeType: cap.scopeType as StoredCap['scopeType'],
      period: cap.period as StoredCap['period'],
    }));
  }

  replaceCaps(tenantId: string, caps: readonly StoredCap[], atMs: number): void {
    this.#db.delete(s.budgetCaps).where(eq(s.budgetCaps.tenantId, tenantId)).run();
    if (caps.length > 0) {
      this.#db
        .insert(s.budgetCaps)
        .values(caps.map((cap) => ({ ...cap, updatedAt: atMs })))
        .run();
    }
  }

  usedBudget(tenantId: string, capId: string, periodKey: string): bigint {
    const { reserved, committed } = this.budgetUsage(tenantId, capId, periodKey);
    return committed + reserved;
  }

  budgetUsage(
    tenantId: string,
    capId: string,
    periodKey: string,
  ): { reserved: bigint; committed: bigint } {
    const committed = this.#committed.get({ tenantId, capId, periodKey });
    const reserved = this.#reserved.get({ tenantId, capId, periodKey });
    return { committed: BigInt(committed?.total ?? 0), reserved: BigInt(reserved?.total ?? 0) };
  }

  insertLedger(lines: readonly LedgerLine[]): void {
    for (const line of lines) this.#shapes.insert(s.budgetLedger, 'ledger', line);
  }

  ledgerForPlan(tenantId: string, planId: string): LedgerLine[] {
    return this.#ledgerForPlan.all({ tenantId, planId }).map(toLedger);
  }

  extendReservations(tenantId: string, planId: string, expiresAt: number, atMs: number): void {
    this.#extendReservations.run({ tenantId, planId, expiresAt, atMs });
  }

  settleLedger(
    tenantId: string,
    planId: string,
    status: 'committed' | 'released',
    atMs: number,
  ): LedgerLine[] {
    return this.#settleLedger.all({ tenantId, planId, status, atMs }).map(toLedger);
  }
}
