import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgresStore, PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { describePostgres, postgresUrlForTest } from '../../support/postgres.js';
import { ledgerLine, T0, TENANT_ID } from '../fixtures.js';

const CAP = 'tenant-month';
const PERIOD = 'month:2026-11';

/**
 * Round trips the PostgreSQL store makes where they are paid most often, counted on the store's own connections
 * (the SQL text each `query` call sends):
 * - every plan of a cap's period writes that period's `budget_usage` row, and each writer holds the row until it
 *   commits, so a statement on it is a round trip the others wait through: once the row exists, a reservation is
 *   the conditional update alone and a change of the totals one upsert;
 * - every replica's sequencer asks for the log's leaves past its cached tree every 250 ms: none is asked of the
 *   database when the log has not grown.
 */
describePostgres('PostgresStore statements', () => {
  let pool: pg.Pool;
  let store: PostgresStore;
  const sent: string[] = [];
  const onUsage = () => sent.filter((text) => text.includes('"budget_usage"'));

  beforeAll(async () => {
    const url = await postgresUrlForTest();
    // Migrated by a first store; the counted one runs on a pool whose connections record what they send.
    await (await openPostgresStore({ url })).close();
    pool = new pg.Pool({ connectionString: url, max: 2 });
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      Object.assign(client, {
        query: (...args: unknown[]) => {
          const [first] = args;
          sent.push(typeof first === 'string' ? first : String((first as { text?: unknown }).text));
          return query(...args);
        },
      });
    });
    store = new PostgresStore(pool);
  });
  afterAll(async () => {
    await store.close();
  });

  it('reserves on an existing period row with one statement on it, and still creates a missing one', async () => {
    sent.length = 0;
    expect(await store.transaction((tx) => tx.reserveBudget(ledgerLine('s-1', 100), 1000))).toBe(
      true,
    );
    // The first reservation of the period: the update finds no row, the row is inserted, the update runs again.
    expect(onUsage()).toHaveLength(3);
    sent.length = 0;
    expect(await store.transaction((tx) => tx.reserveBudget(ledgerLine('s-2', 200), 1000))).toBe(
      true,
    );
    expect(onUsage()).toHaveLength(1);
    expect(await store.transaction((tx) => tx.budgetUsage(TENANT_ID, CAP, PERIOD))).toEqual({
      reserved: 300n,
      committed: 0n,
    });
  });

  it('refuses over the limit and changes nothing', async () => {
    expect(await store.transaction((tx) => tx.reserveBudget(ledgerLine('s-3', 701), 1000))).toBe(
      false,
    );
    expect(await store.transaction((tx) => tx.ledgerForPlan(TENANT_ID, 's-3'))).toEqual([]);
    expect(await store.transaction((tx) => tx.budgetUsage(TENANT_ID, CAP, PERIOD))).toEqual({
      reserved: 300n,
      committed: 0n,
    });
  });

  it('settles a reserved line with one statement on the period row', async () => {
    sent.length = 0;
    const settled = await store.transaction((tx) =>
      tx.settleLedger(TENANT_ID, 's-1', 'committed', T0 + 5),
    );
    expect(settled.map((line) => line.amountMinor)).toEqual([100]);
    expect(onUsage()).toHaveLength(1);
    expect(await store.transaction((tx) => tx.budgetUsage(TENANT_ID, CAP, PERIOD))).toEqual({
      reserved: 200n,
      committed: 100n,
    });
  });

  it('adds a committed line to a period that has no row yet', async () => {
    const line = {
      ...ledgerLine('s-4', 40),
      periodKey: 'month:2026-12',
      status: 'committed' as const,
    };
    await store.transaction((tx) => tx.insertLedger([line]));
    expect(
      await store.transaction((tx) => tx.budgetUsage(TENANT_ID, CAP, 'month:2026-12')),
    ).toEqual({ reserved: 0n, committed: 40n });
  });

  it('reads no leaves from the database when none lie past the cached tree', async () => {
    sent.length = 0;
    expect(await store.transaction((tx) => tx.logLeaves(0, 0))).toEqual([]);
    expect(sent.filter((text) => text.includes('"lineage_events"'))).toEqual([]);
  });
});
