import { openStore } from './open-store.js';
import { openSqliteReadOnly } from './sqlite/sqlite-read-only.js';
import type { GatewayStore } from './store.js';

/** True for a PostgreSQL connection URL (`postgres://` or `postgresql://`). */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Opens a gateway's store for the auditor's offline commands (`handoff lineage verify|export|trace|query|jwks
 * --db`): `location` is a SQLite file path, opened read-only and never migrated (nothing through it can change
 * the evidence), or a PostgreSQL URL (`postgres://` or `postgresql://`), opened by `openStore`. The store is only
 * read through its dialect-neutral reads (`readAudit`, `lineageReads`); the verifier trusts none of it.
 *
 * @throws GatewayError `NOT_FOUND` when a file cannot be opened as a gateway database; `CONFIG_INVALID` (issue at
 *   `/database/url`) from `openStore` for a PostgreSQL URL while this build has no PostgreSQL store. No message
 *   repeats the URL (it may hold a password).
 */
export async function openStoreReadOnly(location: string): Promise<GatewayStore> {
  if (isPostgresUrl(location)) return openStore({ url: location });
  return openSqliteReadOnly(location);
}
