import { readFileSync } from 'node:fs';
import { GENESIS_HASH, lineageEventHash } from '@handoff/protocol';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { draft, ledgerLine, planRecord, T0, TENANT_ID, tempDatabase } from './fixtures.js';

/** The transaction semantics `GatewayStore` promises, on the SQLite store. No sleeps: yields only. */

const A = '019a8f2e-5c4b-7d3e-9a1f-00000000000a';
const B = '019a8f2e-5c4b-7d3e-9a1f-00000000000b';
const turn = () => new Promise<void>((resolve) => setImmediate(resolve)); // one event-loop turn

let db: ReturnType<typeof tempDatabase>;
afterEach(async () => db?.cleanup());

function count(store: SqliteStore, table: string): number {
  return (store.sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/** Adds one to plan A's `updatedAt`, reading and writing with yields in between (a lost update shows). */
function increment(store: SqliteStore): Promise<void> {
  return store.transaction(async (tx) => {
    const read = (await tx.getPlan(TENANT_ID, A))?.updatedAt ?? Number.NaN;
    await turn();
    await tx.updatePlan(TENANT_ID, A, 'awaiting_approval', { updatedAt: read + 1 });
  });
}

describe('SqliteStore transactions', () => {
  test('a transaction that throws rolls back plan, ledger, lineage and token, and rethrows', async () => {
    db = tempDatabase();
    const store = db.open();
    await store.transaction(async (tx) => {
      await tx.insertPlan(planRecord(A));
      await tx.appendLineage([draft(1, A)]);
    });
    const boom = new Error('boom');
    const failing = store.transaction(async (tx) => {
      await tx.insertPlan(planRecord(B));
      await tx.insertLedger([ledgerLine(B, 500)]);
      await tx.appendLineage([draft(2, B), draft(3, B)]);
      await tx.useToken('jti-b', B, T0);
      expect(
        await tx.updatePlan(TENANT_ID, A, 'awaiting_approval', {
          state: 'approved',
          updatedAt: T0 + 1,
        }),
      ).toBe(true);
      await turn();
      throw boom;
    });
    await expect(failing).rejects.toBe(boom);
    expect(store.sqlite.inTransaction).toBe(false);
    expect([
      count(store, 'plans'),
      count(store, 'budget_ledger'),
      count(store, 'lineage_events'),
    ]).toEqual([1, 0, 1]);
    expect(count(store, 'used_tokens')).toBe(0);
    await store.transaction(async (tx) => {
      expect(await tx.getPlan(TENANT_ID, B)).toBeUndefined();
      expect(await tx.getPlan(TENANT_ID, A)).toEqual(planRecord(A));
      expect(await tx.ledgerForPlan(TENANT_ID, B)).toEqual([]);
    });
  });

  test('transactions never interleave, even with event-loop turns inside', async () => {
    db = tempDatabase();
    const store = db.open();
    const log: string[] = [];
    await Promise.all(
      [0, 1, 2].map((i) =>
        store.transaction(async (tx) => {
          log.push(`${i} begin`);
          await turn();
          await tx.getPlan(TENANT_ID, A);
          await Promise.resolve();
          log.push(`${i} end`);
        }),
      ),
    );
    expect(log).toEqual(['0 begin', '0 end', '1 begin', '1 end', '2 begin', '2 end']);

    await store.transaction((tx) => tx.insertPlan(planRecord(A, { updatedAt: 0 })));
    await Promise.all(Array.from({ length: 20 }, () => increment(store)));
    await store.transaction(async (tx) =>
      expect((await tx.getPlan(TENANT_ID, A))?.updatedAt).toBe(20),
    );
  });

  test('a failed transaction does not block the queue', async () => {
    db = tempDatabase();
    const store = db.open();
    const results = await Promise.allSettled([
      store.transaction(async (tx) => {
        await tx.insertPlan(planRecord(A));
        await turn();
        throw new Error('first fails');
      }),
      store.transaction((() => {
        throw new Error('thrown before any promise');
      }) as () => Promise<never>),
      store.transaction(async (tx) => {
        await tx.insertPlan(planRecord(B));
        return 'third commits';
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(store.sqlite.prepare('SELECT plan_id AS id FROM plans').all()).toEqual([{ id: B }]);
  });

  test('close() waits for queued work, then refuses more', async () => {
    db = tempDatabase();
    const store = db.open();
    const log: string[] = [];
    const running = store.transaction(async (tx) => {
      await turn();
      await tx.insertPlan(planRecord(A));
      log.push('running');
    });
    const queued = store.transaction(async (tx) => {
      await tx.insertPlan(planRecord(B));
      log.push('queued');
    });
    const closing = store.close().then(() => log.push('closed'));
    const late = store.transaction(async () => log.push('late'));
    await Promise.all([running, queued, closing]);
    await expect(late).rejects.toThrow('The store is closed');
    expect(log).toEqual(['running', 'queued', 'closed']);
    await store.close(); // a second close is a no-op
    const reopened = db.open();
    expect(count(reopened, 'plans')).toBe(2);
  });

  test('appendLineage after rollbacks continues the chain from the last committed event', async () => {
    db = tempDatabase();
    const store = db.open();
    const committed = await store.transaction((tx) => tx.appendLineage([draft(1), draft(2)]));
    let rolledBack: string[] = [];
    await expect(
      store.transaction(async (tx) => {
        rolledBack = (await tx.appendLineage([draft(3), draft(4), draft(5)])).map((e) => e.hash);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    const [next] = await store.transaction((tx) => tx.appendLineage([draft(6)]));
    expect(next).toMatchObject({ seq: 3, prevHash: committed[1]?.hash });

    // Many at once, every third failing after it appended: one straight chain, no gap, no fork.
    await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        store.transaction(async (tx) => {
          await tx.appendLineage([draft(100 + i)]);
          await turn();
          if (i % 3 === 0) throw new Error(`fail ${i}`);
        }),
      ),
    );
    const chain = await store.queryLineage({ limit: 1000 });
    expect(chain.map((e) => e.seq)).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    let prev: string = GENESIS_HASH;
    for (const event of chain) {
      expect(event.prevHash).toBe(prev);
      expect(lineageEventHash(event)).toBe(event.hash);
      prev = event.hash;
    }
    expect(chain.filter((e) => rolledBack.includes(e.hash))).toEqual([]);
    expect(
      chain.map((e) => e.data.n).filter((n) => Number(n) >= 100 && Number(n) % 3 === 1),
    ).toEqual([]);
  });

  test('updatePlan with a stale expectedState changes nothing and returns false', async () => {
    db = tempDatabase();
    const store = db.open();
    await store.transaction((tx) => tx.insertPlan(planRecord(A)));
    const patch = { state: 'cancelled', reasonCode: 'X', updatedAt: T0 + 5 } as const;
    await store.transaction(async (tx) => {
      expect(await tx.updatePlan(TENANT_ID, A, 'approved', patch)).toBe(false);
      expect(await tx.updatePlan(TENANT_ID, B, 'awaiting_approval', patch)).toBe(false);
      expect(await tx.getPlan(TENANT_ID, A)).toEqual(planRecord(A));
    });
    // Two changes decided on the same earlier read: exactly one wins, the other sees a stale state.
    const seen = await store.transaction((tx) => tx.getPlan(TENANT_ID, A));
    const moves = await Promise.all(
      (['approved', 'rejected'] as const).map((state) =>
        store.transaction((tx) =>
          tx.updatePlan(TENANT_ID, A, seen?.state ?? 'received', { state, updatedAt: T0 + 9 }),
        ),
      ),
    );
    expect(moves).toEqual([true, false]);
    expect(await store.transaction((tx) => tx.getPlan(TENANT_ID, A))).toMatchObject({
      state: 'approved',
    });
  });

  test('useToken is single-use, across re-opening the store; a rolled-back use does not count', async () => {
    db = tempDatabase();
    const first = db.open();
    await first.transaction(async (tx) => {
      expect(await tx.useToken('jti-1', A, T0)).toBe(true);
      expect(await tx.useToken('jti-1', A, T0)).toBe(false);
    });
    await expect(
      first.transaction(async (tx) => {
        expect(await tx.useToken('jti-2', A, T0)).toBe(true);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    await first.close();
    const second = db.open();
    await second.transaction(async (tx) => {
      expect(await tx.useToken('jti-1', B, T0 + 1)).toBe(false);
      expect(await tx.useToken('jti-2', A, T0 + 1)).toBe(true);
    });
  });

  test('migrations apply on a fresh file; re-opening is idempotent and keeps the data', async () => {
    db = tempDatabase();
    const journal = JSON.parse(
      readFileSync(new URL('../../drizzle/meta/_journal.json', import.meta.url), 'utf8'),
    ) as { entries: unknown[] };
    const schemaOf = (store: SqliteStore) =>
      store.sqlite
        .prepare(
          "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .all();
    const fresh = db.open();
    const tables = (schemaOf(fresh) as { type: string; name: string }[]).filter(
      (o) => o.type === 'table',
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'budget_caps',
        'budget_ledger',
        'lineage_events',
        'plans',
        'used_tokens',
      ]),
    );
    expect(count(fresh, '__drizzle_migrations')).toBe(journal.entries.length);
    expect(fresh.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(fresh.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    const schema = schemaOf(fresh);
    await fresh.transaction((tx) => tx.insertPlan(planRecord(A)));
    await fresh.close();
    for (let i = 0; i < 2; i++) {
      const again = db.open();
      expect(count(again, '__drizzle_migrations')).toBe(journal.entries.length);
      expect(schemaOf(again)).toEqual(schema);
      expect(await again.transaction((tx) => tx.getPlan(TENANT_ID, A))).toEqual(planRecord(A));
      await again.close();
    }
  });
});

describe('several connections on one file', () => {
  test('a store waits for another connection’s write lock without blocking the event loop', async () => {
    db = tempDatabase();
    const store = db.open();
    const other = new Database(db.path);
    other.exec('BEGIN IMMEDIATE');
    let started = false;
    const pending = store.transaction(async (tx) => {
      started = true;
      await tx.insertPlan(planRecord(A));
      return 'committed';
    });
    for (let i = 0; i < 5; i++) await turn(); // the loop turns while the store waits
    expect(started).toBe(false);
    other.exec('COMMIT');
    await expect(pending).resolves.toBe('committed');
    other.close();
  });

  test('it gives up with SQLITE_BUSY after busyTimeoutMs, and the queue goes on', async () => {
    db = tempDatabase();
    const store = db.open({ busyTimeoutMs: 25 });
    const other = new Database(db.path);
    other.exec('BEGIN IMMEDIATE');
    await expect(store.transaction(async () => 'never')).rejects.toMatchObject({
      code: 'SQLITE_BUSY',
    });
    other.exec('ROLLBACK');
    other.close();
    await expect(store.transaction(async () => 'after')).resolves.toBe('after');
  });

  test('two stores in one process serialise read-modify-write transactions (no lost update)', async () => {
    db = tempDatabase();
    const [one, two] = [db.open(), db.open()] as const;
    await one.transaction((tx) => tx.insertPlan(planRecord(A, { updatedAt: 0 })));
    await Promise.all(Array.from({ length: 40 }, (_, i) => increment(i % 2 ? one : two)));
    await two.transaction(async (tx) =>
      expect((await tx.getPlan(TENANT_ID, A))?.updatedAt).toBe(40),
    );
  });

  test('two stores appending lineage to one file keep one chain (each reads the head another left)', async () => {
    db = tempDatabase();
    const [one, two] = [db.open(), db.open()] as const;
    for (let i = 0; i < 12; i++) {
      const store = i % 3 === 0 ? two : one; // runs of appends on one store, then the other
      await store.transaction((tx) => tx.appendLineage([draft(2 * i), draft(2 * i + 1)]));
    }
    const chain = await one.queryLineage({ limit: 100 });
    expect(chain.map((e) => e.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    let prev: string = GENESIS_HASH;
    for (const event of chain) {
      expect(event.prevHash).toBe(prev);
      prev = event.hash;
    }
  });
});
