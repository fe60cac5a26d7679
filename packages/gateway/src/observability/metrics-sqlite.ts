import { type CurrencyCode, currencyExponent, isCurrencyCode } from '@handoff/protocol';
import type Database from 'better-sqlite3';
import { type BudgetPeriod, periodKey } from '../budget/period.js';
import type { Clock } from '../clock.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { CapFigures, StateSnapshot, StateSource } from './metrics-state.js';

interface CapRow {
  tenant: string;
  cap: string;
  period: BudgetPeriod;
  currency: string;
  limitMinor: number;
  timeZone: string;
}

/** Minor units as major units of `currency` (2 decimals when the code is not one we know). */
function major(amountMinor: number, currency: string): number {
  const exponent = isCurrencyCode(currency) ? currencyExponent(currency as CurrencyCode) : 2;
  return amountMinor / 10 ** exponent;
}

/** Every figure the gauges show, read with aggregate queries on indexed columns. */
function snapshotOf(db: Database.Database, nowMs: number): StateSnapshot {
  const plans = db
    .prepare(
      'select tenant_id as tenant, state, count(*) as count from plans group by tenant_id, state',
    )
    .all() as StateSnapshot['plans'];
  const outbox = db
    .prepare('select status, count(*) as count from dispatches group by status')
    .all() as StateSnapshot['outbox'];
  const oldest = db
    .prepare(
      "select min(created_at) as at from dispatches where status in ('pending', 'in_flight')",
    )
    .get() as { at: number | null };
  const killSwitches = db
    .prepare(
      'select tenant_id as tenant, scope_type as scopeType, count(*) as count from controls group by tenant_id, scope_type',
    )
    .all() as StateSnapshot['killSwitches'];
  const capRows = db
    .prepare(
      'select tenant_id as tenant, cap_id as cap, period, currency, limit_minor as limitMinor, time_zone as timeZone from budget_caps',
    )
    .all() as CapRow[];
  const reservedOf = db.prepare(
    "select coalesce(sum(amount_minor), 0) as total from budget_ledger where tenant_id = ? and cap_id = ? and period_key = ? and status = 'reserved'",
  );
  const committedOf = db.prepare(
    'select committed_minor as total from budget_usage where tenant_id = ? and cap_id = ? and period_key = ?',
  );
  const caps: CapFigures[] = capRows.map((c) => {
    const key = periodKey(c.period, nowMs, c.timeZone);
    const reserved = (reservedOf.get(c.tenant, c.cap, key) as { total: number }).total;
    const committed = (committedOf.get(c.tenant, c.cap, key) as { total: number } | undefined)
      ?.total;
    return {
      tenant: c.tenant,
      cap: c.cap,
      period: c.period,
      currency: c.currency,
      limit: major(c.limitMinor, c.currency),
      reserved: major(reserved, c.currency),
      committed: major(committed ?? 0, c.currency),
    };
  });
  return {
    plans,
    outbox,
    oldestOutboxAgeSeconds: oldest.at === null ? 0 : Math.max(0, nowMs - oldest.at) / 1000,
    caps,
    killSwitches,
  };
}

/**
 * Reads the gauges' state from a SQLite store, in the store's queue like a transaction (so a scrape never sees a
 * commit group's unfinished writes), at the store clock's now (the budget's current period, the outbox age).
 */
export function sqliteStateSource(store: SqliteStore, clock: Clock): StateSource {
  return {
    read: () => store.transaction(async () => snapshotOf(store.sqlite, clock.now())),
  };
}
