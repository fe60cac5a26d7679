import { GatewayError } from '../errors.js';
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
 * @throws GatewayError `NOT_FOUND` when a file cannot be opened as a gateway database; `CONFIG_INVALID` (issue
 *   `POSTGRES_UNAVAILABLE` at `/database/url`) for a PostgreSQL URL while this build has no PostgreSQL store. The
 *   message never repeats the URL (it may hold a password).
 */
export async function openStoreReadOnly(location: string): Promise<GatewayStore> {
  if (isPostgresUrl(location)) {
    throw new GatewayError('CONFIG_INVALID', 'This build cannot open a PostgreSQL store', {
      issues: [
        {
          path: '/database/url',
          code: 'POSTGRES_UNAVAILABLE',
          message: 'Accepted: a SQLite database file path',
        },
      ],
    });
  }
  return openSqliteReadOnly(location);
}
