import Database from 'better-sqlite3';
import { GatewayError } from '../../errors.js';
import { SqliteStore } from './sqlite-store.js';

/** Bytes of the file SQLite maps into memory instead of reading page by page (capped by the build, 2 GiB). */
const MMAP_BYTES = 2 ** 31;

/**
 * Opens a gateway's SQLite file read-only (`readonly`, `fileMustExist`, `query_only`) as a store, for the
 * auditor's offline tools: nothing through it can change the evidence (its transactions fail, its reads run at
 * once), and no migration is applied. Up to 2 GiB of the file are memory-mapped (`mmap_size`): reading a page
 * is then a copy from the page cache, not a system call; the gateway never truncates its database, so a mapping
 * of a live file stays valid.
 *
 * @throws GatewayError `NOT_FOUND` when the file does not exist, cannot be read, or is not a gateway database
 *   of this version's schema (a gateway opening it once migrates it).
 */
export function openSqliteReadOnly(path: string): SqliteStore {
  let sqlite: Database.Database | undefined;
  try {
    sqlite = new Database(path, { readonly: true, fileMustExist: true });
    sqlite.pragma('query_only = ON');
    sqlite.pragma(`mmap_size = ${MMAP_BYTES}`);
    sqlite.prepare('select 1 from lineage_events limit 1').get();
    return new SqliteStore(sqlite);
  } catch (error) {
    sqlite?.close();
    throw new GatewayError('NOT_FOUND', `${path} is not a readable gateway database`, {
      cause: error,
    });
  }
}
