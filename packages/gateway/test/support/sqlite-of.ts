import type Database from 'better-sqlite3';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { GatewayStore } from '../../src/store/store.js';

/**
 * The SQLite store behind a runtime's {@link GatewayStore}, for tests that inspect the file with SQL; throws when
 * the runtime runs on another dialect (such a test is SQLite-only).
 */
export function sqliteStoreOf(store: GatewayStore): SqliteStore {
  // By shape, not `instanceof`: a test that re-imports the gateway's modules (`vi.resetModules`, a mocked
  // `@handoff/protocol`) holds a store of another copy of the class.
  if (!('sqlite' in store)) throw new Error('This test inspects a SQLite store');
  return store as SqliteStore;
}

/** The raw better-sqlite3 handle of a runtime's SQLite store (see {@link sqliteStoreOf}). */
export function sqliteOf(store: GatewayStore): Database.Database {
  return sqliteStoreOf(store).sqlite;
}

/** The SQLite file of a config's `database`; throws for a PostgreSQL `url`. */
export function sqlitePathOf(database: { path: string } | { url: string }): string {
  if (!('path' in database)) throw new Error('This test reads a SQLite file');
  return database.path;
}
