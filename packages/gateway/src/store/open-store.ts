import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { GatewayError } from '../errors.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import { acquireWriterLock } from './sqlite/writer-lock.js';
import type { GatewayStore } from './store.js';

/** The environment variable naming a PostgreSQL database; it overrides the config's `database`. */
export const DATABASE_URL_ENV = 'HANDOFF_DATABASE_URL';

/** The URL schemes a PostgreSQL store accepts. */
const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * Which database a gateway opens (the config's `database`, brief decision 1): a SQLite file (`path`, or
 * `:memory:`), or a PostgreSQL database (`url`: `postgres://` or `postgresql://`, with its connection pool's
 * `max` connections).
 */
export type StoreTarget = { path: string } | { url: string; pool?: { max?: number } };

/** Options of {@link openStore}: the target, and what a gateway (not an offline tool) asks of it. */
export type OpenStoreOptions = StoreTarget & {
  /**
   * SQLite file only: take the file's writer lock as this gateway (`gatewayId`, at `atMs` epoch ms) before
   * migrating, held until the store closes (one gateway per SQLite file, see `acquireWriterLock`). PostgreSQL
   * stores take no lock: several replicas share one database.
   */
  lockAs?: { gatewayId: string; atMs: number };
  /** SQLite file only: WAL checkpoints on a worker thread (see `startWalCheckpointer`). */
  walCheckpointer?: boolean;
};

/**
 * The store target of a config's `database` and the environment: `HANDOFF_DATABASE_URL` when set (a PostgreSQL
 * URL) wins over the config; a relative `path` is resolved against `baseDir` (the config file's folder).
 *
 * @throws GatewayError `CONFIG_INVALID` (issue at `/env/HANDOFF_DATABASE_URL`) when the variable is set but is
 *   not a `postgres://` or `postgresql://` URL.
 */
export function selectStoreTarget(
  database: StoreTarget,
  env: NodeJS.ProcessEnv,
  baseDir: string,
): StoreTarget {
  const fromEnv = env[DATABASE_URL_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!POSTGRES_URL.test(fromEnv)) {
      const message = `${DATABASE_URL_ENV} accepts a postgres:// or postgresql:// URL`;
      throw new GatewayError('CONFIG_INVALID', message, {
        issues: [{ path: `/env/${DATABASE_URL_ENV}`, code: 'invalid_format', message }],
      });
    }
    return 'url' in database ? { ...database, url: fromEnv } : { url: fromEnv };
  }
  if ('url' in database) return database;
  const { path } = database;
  return { path: path === ':memory:' || isAbsolute(path) ? path : resolve(baseDir, path) };
}

/**
 * Opens the gateway's store, migrated: SQLite for a `path` (the file and its folder created when missing;
 * `:memory:` for a private database), PostgreSQL for a `url`. Everything outside `src/store/` sees only the
 * returned {@link GatewayStore}.
 *
 * @throws GatewayError `DATABASE_IN_USE` (SQLite, `lockAs`: another gateway holds the file), `CONFIG_INVALID`
 *   (issue at `/database/url`) for a URL that is not `postgres://` or `postgresql://`, or while this build has no
 *   PostgreSQL store; the store's own open errors (e.g. `INTERNAL` for a format-1 lineage that does not verify).
 */
export async function openStore(options: OpenStoreOptions): Promise<GatewayStore> {
  if ('url' in options) {
    const message = POSTGRES_URL.test(options.url)
      ? 'database.url (PostgreSQL) is not available in this build: use database.path (a SQLite file or :memory:)'
      : 'database.url accepts a postgres:// or postgresql:// URL; database.path a SQLite file or :memory:';
    throw new GatewayError('CONFIG_INVALID', message, {
      issues: [{ path: '/database/url', code: 'invalid_value', message }],
    });
  }
  const { path } = options;
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  // Before anything reads or writes the file: migrations and in-flight recovery belong to one gateway.
  const lock =
    options.lockAs && path !== ':memory:' ? acquireWriterLock(path, options.lockAs) : undefined;
  try {
    const store = openSqliteStore({ path, ...(lock ? { onClosed: () => lock.release() } : {}) });
    if (options.walCheckpointer && path !== ':memory:') {
      try {
        await store.startWalCheckpointer();
      } catch (error) {
        await store.close();
        throw error;
      }
    }
    return store;
  } catch (error) {
    lock?.release();
    throw error;
  }
}
