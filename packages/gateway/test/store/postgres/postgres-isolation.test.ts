import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  openPostgresStore,
  type PostgresStore,
} from '../../../src/store/postgres/postgres-store.js';
import { describePostgres, postgresUrlForTest } from '../../support/postgres.js';
import { draft, planRecord, T0, TENANT_ID } from '../fixtures.js';

/**
 * The PostgreSQL store's transactions run at READ COMMITTED: what a transaction decides from what it read must be
 * protected by a lock or a conditional write. These cases show the two the store provides: `getPlan` locks the
 * plan until commit (per-plan serialisation of quorum counting, chain appends, rollback settlement), and appends
 * to one chain read its head under the chain's advisory lock (two appends never compute the same `seq`).
 */
describePostgres('PostgresStore at READ COMMITTED', () => {
  let url: string;
  let a: PostgresStore;
  let b: PostgresStore;
  beforeAll(async () => {
    url = await postgresUrlForTest();
    const opened = await Promise.all(
      [1, 2].map(() => openPostgresStore({ url, pool: { max: 4 } })),
    );
    [a, b] = opened as [PostgresStore, PostgresStore];
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  /** Polls the server (a real process) until a backend of this database waits on a lock; bounded. */
  async function someoneWaitsOnALock(): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (let round = 0; round < 2_000; round++) {
        const { rows } = await client.query<{ n: string }>(
          "select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
        );
        if (Number(rows[0]?.n) > 0) return;
      }
      throw new Error('no transaction came to wait on the lock');
    } finally {
      await client.end();
    }
  }

  it('getPlan holds the plan until commit: another replica reads it after, and sees the change', async () => {
    await a.transaction((tx) => tx.insertPlan(planRecord('lock-1')));
    let reader: Promise<string | undefined> | undefined;
    await a.transaction(async (tx) => {
      await tx.getPlan(TENANT_ID, 'lock-1');
      // B starts while A holds the plan: its read must wait for A's commit, not answer the old state.
      reader = b.transaction(async (other) => (await other.getPlan(TENANT_ID, 'lock-1'))?.state);
      await someoneWaitsOnALock();
      await tx.updatePlan(TENANT_ID, 'lock-1', 'awaiting_approval', {
        state: 'approved',
        updatedAt: T0 + 1,
      });
    });
    expect(await reader).toBe('approved');
  });

  it('quorum counting under the plan lock: a second approval counts the first (never both see none)', async () => {
    await a.transaction((tx) => tx.insertPlan(planRecord('quorum-1')));
    // Each replica locks the plan, counts the plan chain's events and appends one (as an approval counts the
    // approvals before it): B, started while A holds the plan, counts A's event.
    const countAndAppend = (store: PostgresStore, n: number, meanwhile: () => Promise<void>) =>
      store.transaction(async (tx) => {
        await tx.getPlan(TENANT_ID, 'quorum-1');
        const seen = (await tx.planEvents(TENANT_ID, 'quorum-1', 'plan.received')).length;
        await meanwhile();
        await tx.appendLineage([draft(n, 'quorum-1')]);
        return seen;
      });
    let second: Promise<number> | undefined;
    const first = await countAndAppend(a, 1, async () => {
      second = countAndAppend(b, 2, async () => {});
      await someoneWaitsOnALock();
    });
    expect([first, await second]).toEqual([0, 1]);
  });

  it('appends racing on one tenant chain all commit, in one unforked order (the chain lock)', async () => {
    const appends = Array.from({ length: 12 }, (_, i) =>
      (i % 2 === 0 ? a : b).transaction((tx) => tx.appendLineage([draft(100 + i)])),
    );
    const written = (await Promise.all(appends)).flat();
    expect(written.map((e) => e.seq).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
  });
});
