import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { defineStoreConformance } from './suite.js';

/**
 * The conformance suite on SQLite: `count` stores are `count` connections on one fresh file. SQLite has one writer
 * at a time, so racing stores contend through the file's write lock (each `BEGIN IMMEDIATE` retried until the
 * other commits): the races check that the store's statements are right across connections (no cached state
 * outliving a transaction another connection changed), not row-level locking, which SQLite does not have.
 */
defineStoreConformance('sqlite', async (count) => {
  const dir = mkdtempSync(join(tmpdir(), 'handoff-conformance-'));
  const path = join(dir, 'gateway.db');
  const stores = Array.from({ length: count }, () => openSqliteStore({ path }));
  return {
    stores,
    async close() {
      for (const store of stores) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
