import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteReadOnly } from './sqlite/sqlite-read-only.js';
import type { GatewayStore } from './store.js';

/** True for a PostgreSQL connection URL (`postgres://` or `postgresql://`). */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Opens a gateway's store read-only for the auditor's offline commands (`handoff lineage verify|export|trace|
 * query --db`): `location` is a SQLite file path or a PostgreSQL URL (`postgres://` or `postgresql://`). The store
 * is only read through its dialect-neutral reads (`readAudit`, `lineageReads`); the verifier trusts none of it.
 *
 * A PostgreSQL database is opened with `readOnly` (no migration; every connection refuses writes).
 *
 * @throws GatewayError `NOT_FOUND` when a file cannot be opened as a gateway database; the `pg` driver's error when
 *   a PostgreSQL database does not answer (its message names no password).
 */
export async function openStoreReadOnly(location: string): Promise<GatewayStore> {
  if (isPostgresUrl(location)) return openPostgresStore({ url: location, readOnly: true });
  return openSqliteReadOnly(location);
}
