import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { T0, TENANT_ID } from './fixtures.js';
import { databaseAt, removeDatabases } from './migration-support.js';

afterEach(removeDatabases);

/** A ledger line as a gateway before 0011 wrote it (its triggers kept the committed totals). */
function insertLine(db: Database.Database, planId: string, amount: number, status: string): void {
  db.prepare(
    `insert into budget_ledger (plan_id, tenant_id, cap_id, period_key, currency, amount_minor, status,
      expires_at, created_at, updated_at) values (?, ?, 'cap', 'month:2026-11', 'EUR', ?, ?, null, ?, ?)`,
  ).run(planId, TENANT_ID, amount, status, T0, T0);
}

describe('migration 0011_replicas_ready', () => {
  test('keeps existing budget totals right: reserved filled from the ledger, committed as kept, triggers gone', async () => {
    const path = databaseAt(10);
    const old = new Database(path);
    insertLine(old, 'p-1', 300, 'reserved');
    insertLine(old, 'p-2', 200, 'reserved');
    insertLine(old, 'p-3', 500, 'committed');
    insertLine(old, 'p-4', 70, 'released');
    old.close();

    const store = openSqliteStore({ path });
    try {
      const triggers = store.sqlite
        .prepare("select name from sqlite_master where type = 'trigger'")
        .all();
      expect(triggers).toEqual([]);
      const usage = () =>
        store.transaction((tx) => tx.budgetUsage(TENANT_ID, 'cap', 'month:2026-11'));
      expect(await usage()).toEqual({ reserved: 500n, committed: 500n });
      // From now on the store's methods keep both totals (a trigger left behind would count twice).
      await store.transaction((tx) => tx.settleLedger(TENANT_ID, 'p-1', 'committed', T0 + 1));
      expect(await usage()).toEqual({ reserved: 200n, committed: 800n });
      expect(
        await store.transaction((tx) =>
          tx.reserveBudget(
            {
              planId: 'p-5',
              tenantId: TENANT_ID,
              capId: 'cap',
              periodKey: 'month:2026-11',
              currency: 'EUR',
              amountMinor: 1,
              status: 'reserved',
              expiresAt: null,
              createdAt: T0,
              updatedAt: T0,
            },
            1_000,
          ),
        ),
      ).toBe(false);
    } finally {
      await store.close();
    }
  });

  test('an in-flight row an older gateway left carries no lease, so recovery takes it at once', async () => {
    const path = databaseAt(10);
    const old = new Database(path);
    old
      .prepare(
        `insert into dispatches (idempotency_key, plan_id, tenant_id, option_id, action_index, action_id,
          adapter, status, attempts, next_attempt_at, created_at, updated_at)
         values ('key-1', 'p-1', ?, 'o', 0, 'a', 'webhook', 'in_flight', 1, ?, ?, ?)`,
      )
      .run(TENANT_ID, T0, T0, T0);
    old.close();

    const store = openSqliteStore({ path });
    try {
      const expired = await store.transaction((tx) => tx.outboxLeaseExpired(T0, 10));
      expect(expired.map((r) => r.idempotencyKey)).toEqual(['key-1']);
      expect(expired[0]?.leaseOwner).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
