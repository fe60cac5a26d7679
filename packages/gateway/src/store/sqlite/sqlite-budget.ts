import { and, eq, sql } from 'drizzle-orm';
import { toLedger } from '../budget-reservations.js';
import type { LedgerLine, StoredCap } from '../store.js';
import type { PreparedByShape } from './prepared-by-shape.js';
import * as s from './schema.js';
import type { SqliteDb } from './sqlite-tx.js';

/**
 * The budget statements of a SQLite transaction (the `budget_caps`, `budget_ledger` and `budget_usage` tables),
 * kept apart from the rest of {@link SqliteTx} so that each file holds one concept. Amounts are integer minor
 * units; times are epoch milliseconds. `budget_usage` holds each period's `reserved` and `committed` totals, kept
 * here by every method that writes the ledger (see `store/budget-reservations.ts`). Hot paths use statements
 * prepared once, in the constructor.
 */
export class SqliteBudget {
  readonly #db: SqliteDb;
  readonly #shapes: PreparedByShape;
  readonly #extendReservations;
  readonly #settleLedger;
  readonly #usage;
  readonly #ensureUsage;
  readonly #addUsage;
  readonly #reserve;
  readonly #cancel;
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
    const period = and(
      eq(u.tenantId, p('tenantId')),
      eq(u.capId, p('capId')),
      eq(u.periodKey, p('periodKey')),
    );
    this.#usage = db
      .select({ reserved: u.reservedMinor, committed: u.committedMinor })
      .from(u)
      .where(period)
      .prepare();
    this.#ensureUsage = db
      .insert(u)
      .values({
        tenantId: p('tenantId'),
        capId: p('capId'),
        periodKey: p('periodKey'),
        reservedMinor: 0,
        committedMinor: 0,
      })
      .onConflictDoNothing()
      .prepare();
    this.#addUsage = db
      .update(u)
      .set({
        reservedMinor: sql`${u.reservedMinor} + ${p('reserved')}`,
        committedMinor: sql`${u.committedMinor} + ${p('committed')}`,
      })
      .where(period)
      .prepare();
    // The reservation itself: one conditional update (brief decision 3); 0 rows changed = over the cap.
    this.#reserve = db
      .update(u)
      .set({ reservedMinor: sql`${u.reservedMinor} + ${p('amount')}` })
      .where(
        and(
          period,
          sql`${u.reservedMinor} + ${u.committedMinor} + ${p('amount')} <= ${p('limit')}`,
        ),
      )
      .prepare();
    this.#cancel = db
      .delete(l)
      .where(
        sql`${l.id} = (select ${l.id} from ${l} where ${l.tenantId} = ${p('tenantId')} and ${l.planId} = ${p('planId')}
          and ${l.capId} = ${p('capId')} and ${l.periodKey} = ${p('periodKey')} and ${l.status} = 'reserved'
          and ${l.amountMinor} = ${p('amount')} and ${l.createdAt} = ${p('createdAt')} limit 1)`,
      )
      .returning({ amount: l.amountMinor })
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
    const row = this.#usage.get({ tenantId, capId, periodKey });
    return { reserved: BigInt(row?.reserved ?? 0), committed: BigInt(row?.committed ?? 0) };
  }

  reserveBudget(line: LedgerLine, limitMinor: number): boolean {
    if (line.status !== 'reserved') {
      throw new Error(`reserveBudget takes a reserved line, not a ${line.status} one`);
    }
    const { tenantId, capId, periodKey } = line;
    const reserve = { tenantId, capId, periodKey, amount: line.amountMinor, limit: limitMinor };
    let { changes } = this.#reserve.run(reserve);
    // No row changed: the cap is full, or this is the period's first line (its row is made, then reserved on).
    if (changes === 0 && this.#ensureUsage.run({ tenantId, capId, periodKey }).changes === 1) {
      ({ changes } = this.#reserve.run(reserve));
    }
    if (changes !== 1) return false;
    this.#shapes.insert(s.budgetLedger, 'ledger', line);
    return true;
  }

  cancelReservation(line: LedgerLine): void {
    const { tenantId, planId, capId, periodKey, createdAt } = line;
    const gone = this.#cancel.all({
      tenantId,
      planId,
      capId,
      periodKey,
      amount: line.amountMinor,
      createdAt,
    });
    for (const row of gone) this.#add(line, -row.amount, 0);
  }

  insertLedger(lines: readonly LedgerLine[]): void {
    for (const line of lines) {
      this.#shapes.insert(s.budgetLedger, 'ledger', line);
      if (line.status === 'reserved') this.#add(line, line.amountMinor, 0);
      if (line.status === 'committed') this.#add(line, 0, line.amountMinor);
    }
  }

  /** Adds to the totals of a line's period (its row inserted when missing: one statement when it exists). */
  #add(
    line: Pick<LedgerLine, 'tenantId' | 'capId' | 'periodKey'>,
    reserved: number,
    committed: number,
  ): void {
    const { tenantId, capId, periodKey } = line;
    const add = { tenantId, capId, periodKey, reserved, committed };
    if (this.#addUsage.run(add).changes === 1) return;
    this.#ensureUsage.run({ tenantId, capId, periodKey });
    this.#addUsage.run(add);
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
    const moved = this.#settleLedger.all({ tenantId, planId, status, atMs }).map(toLedger);
    for (const line of moved) {
      this.#add(line, -line.amountMinor, status === 'committed' ? line.amountMinor : 0);
    }
    return moved;
  }
}
