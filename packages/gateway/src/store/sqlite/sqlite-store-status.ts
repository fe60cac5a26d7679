import type Database from 'better-sqlite3';
import { type BudgetPeriod, periodKey } from '../../budget/period.js';
import type { StoredCap } from '../store.js';
import type { CapUsage, StoreHealth, StoreStateSnapshot } from '../store-status.js';

/**
 * The gauges' state on SQLite ({@link StoreStateSnapshot}): aggregate queries on indexed columns, run by the store
 * in its queue (so a scrape never sees a commit group's unfinished writes). `atMs` picks each cap's current
 * period.
 */
export function sqliteStateSnapshot(sqlite: Database.Database, atMs: number): StoreStateSnapshot {
  const plans = sqlite
    .prepare(
      'select tenant_id as tenantId, state, count(*) as count from plans group by tenant_id, state',
    )
    .all() as StoreStateSnapshot['plans'];
  const outbox = sqlite
    .prepare('select status, count(*) as count from dispatches group by status')
    .all() as StoreStateSnapshot['outbox'];
  const oldest = sqlite
    .prepare(
      "select min(created_at) as at from dispatches where status in ('pending', 'in_flight')",
    )
    .get() as { at: number | null };
  const controls = sqlite
    .prepare(
      'select tenant_id as tenantId, scope_type as scopeType, count(*) as count from controls group by tenant_id, scope_type',
    )
    .all() as StoreStateSnapshot['controls'];
  const caps = sqlite
    .prepare(
      `select cap_id as capId, tenant_id as tenantId, scope_type as scopeType, scope_value as scopeValue, period,
       currency, limit_minor as limitMinor, time_zone as timeZone from budget_caps order by tenant_id, cap_id`,
    )
    .all() as StoredCap[];
  const reservedOf = sqlite
    .prepare(
      "select coalesce(sum(amount_minor), 0) from budget_ledger where tenant_id = ? and cap_id = ? and period_key = ? and status = 'reserved'",
    )
    .pluck()
    .safeIntegers();
  const committedOf = sqlite
    .prepare(
      'select committed_minor from budget_usage where tenant_id = ? and cap_id = ? and period_key = ?',
    )
    .pluck()
    .safeIntegers();
  const usage = caps.map((cap): CapUsage => {
    const key = periodKey(cap.period as BudgetPeriod, atMs, cap.timeZone);
    const reserved = reservedOf.get(cap.tenantId, cap.capId, key) as bigint;
    const committed = committedOf.get(cap.tenantId, cap.capId, key) as bigint | undefined;
    return { cap, periodKey: key, reservedMinor: reserved, committedMinor: committed ?? 0n };
  });
  return { plans, outbox, oldestWaitingOutboxAt: oldest.at, controls, caps: usage };
}

/**
 * A SQLite store's health: `read-only` when its connection was opened so; else whether `probe` (an empty write
 * transaction of the store) commits: `unreachable` with SQLite's message when it does not (a file gone, a disk
 * full, a lock held past the busy timeout).
 */
export async function sqliteHealth(
  sqlite: Database.Database,
  probe: () => Promise<void>,
): Promise<StoreHealth> {
  if (sqlite.readonly) return { status: 'read-only', message: 'The database is open read-only' };
  try {
    await probe();
    return { status: 'writable' };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'unreachable', message: `The database is not writable: ${message}` };
  }
}
