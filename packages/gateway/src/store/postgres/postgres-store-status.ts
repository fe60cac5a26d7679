import { and, asc, count, eq, inArray, min, sql } from 'drizzle-orm';
import { type BudgetPeriod, periodKey } from '../../budget/period.js';
import type { StoredCap } from '../store.js';
import type { CapUsage, StoreHealth, StoreStateSnapshot } from '../store-status.js';
import type { PgDb } from './postgres-tx.js';
import * as s from './schema.js';

/**
 * The gauges' state on PostgreSQL ({@link StoreStateSnapshot}): aggregate queries run by the store in one
 * `REPEATABLE READ, READ ONLY` transaction (one committed state). Each cap's usage is its `budget_usage` row in the
 * period holding `atMs` (epoch ms).
 */
export async function postgresStateSnapshot(db: PgDb, atMs: number): Promise<StoreStateSnapshot> {
  const p = s.plans;
  const d = s.dispatches;
  const c = s.controls;
  const u = s.budgetUsage;
  const plans = await db
    .select({ tenantId: p.tenantId, state: p.state, count: count() })
    .from(p)
    .groupBy(p.tenantId, p.state);
  const outbox = await db.select({ status: d.status, count: count() }).from(d).groupBy(d.status);
  const [oldest] = await db
    .select({ at: min(d.createdAt) })
    .from(d)
    .where(inArray(d.status, ['pending', 'in_flight']));
  const controls = await db
    .select({ tenantId: c.tenantId, scopeType: c.scopeType, count: count() })
    .from(c)
    .groupBy(c.tenantId, c.scopeType);
  const capRows = await db
    .select()
    .from(s.budgetCaps)
    .orderBy(asc(s.budgetCaps.tenantId), asc(s.budgetCaps.capId));
  const caps: CapUsage[] = [];
  for (const { updatedAt: _u, ...row } of capRows) {
    const cap: StoredCap = {
      ...row,
      scopeType: row.scopeType as StoredCap['scopeType'],
      period: row.period as StoredCap['period'],
    };
    const key = periodKey(cap.period as BudgetPeriod, atMs, cap.timeZone);
    const [usage] = await db
      .select()
      .from(u)
      .where(and(eq(u.tenantId, cap.tenantId), eq(u.capId, cap.capId), eq(u.periodKey, key)));
    caps.push({
      cap,
      periodKey: key,
      reservedMinor: BigInt(usage?.reservedMinor ?? 0),
      committedMinor: BigInt(usage?.committedMinor ?? 0),
    });
  }
  const at = oldest?.at;
  return {
    plans,
    outbox,
    oldestWaitingOutboxAt: at === null || at === undefined ? null : Number(at),
    controls,
    caps,
  };
}

/**
 * A PostgreSQL store's health, probed with one statement: `read-only` on a standby (`pg_is_in_recovery()`) or a
 * database whose transactions are read-only by default; `unreachable` with the driver's message (which names no
 * password) when the database does not answer; else `writable`. Never throws.
 */
export async function postgresHealth(db: PgDb): Promise<StoreHealth> {
  try {
    const result = await db.execute<{ recovery: boolean; readOnly: string }>(
      sql`select pg_is_in_recovery() as recovery, current_setting('default_transaction_read_only') as "readOnly"`,
    );
    const row = result.rows[0];
    if (row?.recovery)
      return { status: 'read-only', message: 'The database is a standby (in recovery)' };
    if (row?.readOnly === 'on') {
      return {
        status: 'read-only',
        message: 'The database refuses writes (default_transaction_read_only)',
      };
    }
    return { status: 'writable' };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'unreachable', message: `The database does not answer: ${message}` };
  }
}
