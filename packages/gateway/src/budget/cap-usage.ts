import type { Money } from '@handoff/protocol';
import type { StoreTx } from '../store/store.js';
import type { BudgetCap } from './cap.js';
import { periodWindow } from './period.js';

/**
 * A cap's current period as `budget.getCaps` shows it (`BudgetCapUsageSchema` of `@handoff/protocol`): amounts
 * in integer minor units of the cap's currency, period bounds RFC 3339 UTC (`null` for `total`).
 */
export interface CapUsage {
  periodKey: string;
  periodStart: string | null;
  periodEnd: string | null;
  limit: Money;
  reserved: Money;
  committed: Money;
  headroom: Money;
}

/** A minor-unit amount from the ledger as a JSON number; the ledger holds safe integers only (see `checkHeadroom`). */
function safeMinor(value: bigint): number {
  return Number(value > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : value);
}

/**
 * The usage of `cap` in the period that contains `atMs` (counted in the cap's `timeZone`, as reservations are):
 * what is reserved and committed there, read in the caller's transaction, and the headroom left
 * (`limit - reserved - committed`, 0 when the cap is already at or over its limit). Headroom is what a new plan
 * may still ask of this cap now; a plan touching several caps is held to the smallest.
 */
export async function capUsage(tx: StoreTx, cap: BudgetCap, atMs: number): Promise<CapUsage> {
  const window = periodWindow(cap.period, atMs, cap.timeZone);
  const { reserved, committed } = await tx.budgetUsage(cap.tenantId, cap.capId, window.key);
  const limit = BigInt(cap.limit.amountMinor);
  const left = limit - reserved - committed;
  const currency = cap.limit.currency;
  const money = (amount: bigint): Money => ({ amountMinor: safeMinor(amount), currency });
  const bounded = cap.period !== 'total';
  return {
    periodKey: window.key,
    periodStart: bounded ? new Date(window.startMs).toISOString() : null,
    periodEnd: bounded ? new Date(window.endMs).toISOString() : null,
    limit: cap.limit,
    reserved: money(reserved),
    committed: money(committed),
    headroom: money(left > 0n ? left : 0n),
  };
}
