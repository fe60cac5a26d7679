import { eventLeafHash, hexOf, MerkleAccumulator } from '@handoff/lineage';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { LineageDraft } from '../../src/store/store.js';
import { databaseAt, insertFormat1, removeDatabases } from './migration-support.js';

/** Migration 0009 (lineage format 2): format-1 rows keep their chain and log positions; a broken chain is refused. */

afterEach(removeDatabases);

const LAST_FORMAT_1 = 8;
const PLAN = '019a8f2e-5c4b-7d3e-9a1f-00000000000a';

function drafts(n: number): LineageDraft[] {
  return Array.from({ length: n }, (_, i) => ({
    tenantId: 'acme',
    ...(i % 3 === 2 ? {} : { planId: PLAN }),
    type: 'plan.received',
    actor: { type: 'copilot', id: 'c' },
    occurredAt: 1_000 + i,
    data: { n: i },
  }));
}

/** An older gateway's database: `n` format-1 events and a checkpoint row over the first `signed` of them. */
function format1Database(n: number, signed: number) {
  const path = databaseAt(LAST_FORMAT_1);
  const old = new Database(path);
  const hashes = insertFormat1(old, drafts(n));
  const acc = new MerkleAccumulator();
  for (const hash of hashes.slice(0, signed)) acc.push(eventLeafHash(hash));
  const root = `sha256:${hexOf(acc.root())}`;
  old
    .prepare(
      "insert into lineage_checkpoints (tree_size, root_hash, signed_at, kid, signature) values (?, ?, 0, 'k', 'jws')",
    )
    .run(signed, root);
  old.close();
  return { path, hashes, root };
}

function columnsOf(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('pragma table_info(lineage_events)').all() as { name: string }[]).map(
      (c) => c.name,
    );
  } finally {
    db.close();
  }
}

describe('migration 0009: lineage format 2', () => {
  test('format-1 rows keep id = seq, log_index = seq - 1 and chain NULL, so an earlier tree head still proves', async () => {
    const { path, hashes, root } = format1Database(7, 5);
    const store = openSqliteStore({ path });
    try {
      const rows = store.sqlite
        .prepare(
          'select id, seq, chain, log_index as logIndex, hash from lineage_events order by id',
        )
        .all();
      expect(rows).toEqual(
        hashes.map((hash, i) => ({ id: i + 1, seq: i + 1, chain: null, logIndex: i, hash })),
      );
      const leaves = store.sqlite
        .prepare('select hash from lineage_events where log_index < 5 order by log_index')
        .pluck()
        .all() as string[];
      const acc = new MerkleAccumulator();
      for (const hash of leaves) acc.push(eventLeafHash(hash));
      expect(`sha256:${hexOf(acc.root())}`).toBe(root);

      // What the gateway writes next starts the plan's own chain, unsequenced, after the old rows.
      const [next] = await store.transaction((tx) => tx.appendLineage(drafts(1)));
      expect(next).toMatchObject({ chain: 'plan', seq: 1 });
      expect(
        store.sqlite.prepare('select id, log_index from lineage_events where id = 8').raw().get(),
      ).toEqual([8, null]);
    } finally {
      await store.close();
    }
  });

  test.each([
    [
      'an edited body',
      'update lineage_events set body = replace(body, \'"n":3\', \'"n":33\') where seq = 4',
      4,
      /does not hash/,
    ],
    ['a deleted event', 'delete from lineage_events where seq = 3', 4, /gap/],
    [
      'a relinked event',
      "update lineage_events set prev_hash = 'sha256:00' where seq = 2",
      2,
      /differs from its columns/,
    ],
  ])(
    'a format-1 chain with %s is refused, naming the event, and left unmigrated',
    (_, tamper, seq, why) => {
      const { path } = format1Database(6, 6);
      const old = new Database(path);
      old.exec(tamper);
      old.close();
      expect(() => openSqliteStore({ path })).toThrow(
        expect.objectContaining({
          code: 'INTERNAL',
          message: expect.stringMatching(new RegExp(`Refusing to migrate .*event ${seq} `)),
        }),
      );
      expect(() => openSqliteStore({ path })).toThrow(why);
      expect(columnsOf(path)).not.toContain('log_index');
    },
  );

  test('an empty format-1 database migrates', async () => {
    const path = databaseAt(LAST_FORMAT_1);
    const store = openSqliteStore({ path });
    await store.close();
    expect(columnsOf(path)).toEqual(expect.arrayContaining(['id', 'chain', 'log_index']));
  });
});
