import type { LedgerLine } from './store.js';

/**
 * Budget reservations as the store keeps them (issue 15, brief decision 3). A `budget_usage` row per
 * (tenant, cap, period key) holds two totals in integer minor units of the cap's currency: `reserved` (the sum of
 * the period's ledger lines still `reserved`) and `committed` (the sum of its `committed` lines). The store's own
 * methods keep both (no trigger): {@link BudgetReservationsTx.reserveBudget}, `insertLedger` (adds a line's
 * amount to the total of its status) and `settleLedger` (moves a plan's reserved amounts to `committed`, or drops
 * them when `released`).
 *
 * A reservation is ONE conditional update per cap and period, never a read followed by a write, so two replicas
 * racing one cap can never both take the last of it: `update budget_usage set reserved = reserved + $amount where
 * (tenant, cap, period) = (...) and reserved + committed + $amount <= $limit`, after inserting the row when it is
 * missing (with zero totals, doing nothing when it exists).
 */
export interface BudgetReservationsTx {
  /**
   * Reserves `line.amountMinor` (minor units, >= 0) on the cap and period of `line` when the period's
   * `reserved + committed + amountMinor` stays at or below `limitMinor` (minor units), and then inserts `line`
   * (its `status` must be `reserved`) into the ledger. Returns false, changing nothing, when it would not fit.
   *
   * @throws Error when `line.status` is not `reserved` (a programming error; nothing is written).
   */
  reserveBudget(line: LedgerLine, limitMinor: number): Promise<boolean>;
  /**
   * Undoes a {@link reserveBudget} of this same transaction that the rest of its request refused (a later cap
   * without room): deletes that one `reserved` ledger line (matched on tenant, plan, cap, period key, amount and
   * `createdAt`) and takes its amount off the period's `reserved`. No-op when no such line is reserved.
   */
  cancelReservation(line: LedgerLine): Promise<void>;
}

/**
 * A `budget_ledger` row as either dialect's drizzle schema selects it (`sqlite/schema.ts`, `postgres/schema.ts`):
 * its serial `id` and the status as text.
 */
export type StoredLedgerRow = Omit<LedgerLine, 'status'> & { id: number; status: string };

/** A stored ledger row as a line, in both dialects: without its `id` (the store's own order, never answered). */
export function toLedger({ id: _id, ...row }: StoredLedgerRow): LedgerLine {
  return { ...row, status: row.status as LedgerLine['status'] };
}
