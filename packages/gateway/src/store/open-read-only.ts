import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteReadOnly } from './sqlite/sqlite-read-only.js';
import type { GatewayStore } from './store.js';

/** True for a PostgreSQL connection URL (`postgres://` or `postgresql://`). */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Opens a gateway's store for the auditor's offline commands (`handoff lineage verify|export|trace|query|jwks
 * --db`): `location` is a SQLite file path, opened read-only and never migrated (nothing through it can change
 * the evidence), or a PostgreSQL URL (`postgres://` or `postgresql://`), opened likewise (`readOnly`: no
 * migration, every connection refuses writes) and on ONE snapshot (`snapshot`: one `REPEATABLE READ, READ ONLY`
 * transaction from open to `close`), so every page of a walk reads the same committed state while replicas write:
 * a SQLite file has one writer and a reader's pages never miss a commit, but on PostgreSQL an event whose id is
 * lower can commit between two pages after a higher one of its chain was read. The store is only read through its
 * dialect-neutral reads (`readAudit`, `lineageReads`); the verifier trusts none of it. Close it soon: an open
 * snapshot holds back VACUUM.
 *
 * @throws GatewayError `NOT_FOUND` when a file cannot be opened as a gateway database; the `pg` driver's error when
 *   a PostgreSQL database does not answer (its message names no password).
 */
export async function openStoreReadOnly(location: string): Promise<GatewayStore> {
  if (isPostgresUrl(location)) {
    return openPostgresStore({ url: location, readOnly: true, snapshot: true });
  }
  return openSqliteReadOnly(location);
}
