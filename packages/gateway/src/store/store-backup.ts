import { GatewayError } from '../errors.js';
import { isPostgresUrl } from './open-read-only.js';
import { backupDatabase } from './sqlite/online-backup.js';

/**
 * `handoff db backup`: a verified online copy of a gateway's store. A SQLite file is copied with SQLite's backup
 * API and verified before it counts (see `backupDatabase` of the SQLite store for the steps, outcome and errors).
 * A PostgreSQL database is backed up with PostgreSQL's own tools (`pg_dump`, or a base backup with WAL
 * archiving: https://www.postgresql.org/docs/15/backup.html), then verified with `handoff lineage verify --db
 * <url>` on the restored copy.
 *
 * @throws GatewayError `VALIDATION_FAILED` (issue `POSTGRES_BACKUP` at `/source`) when `source` is a PostgreSQL
 *   URL (never repeated in the message: it may hold a password); otherwise as `backupDatabase`.
 */
export function backupStore(
  options: Parameters<typeof backupDatabase>[0],
): ReturnType<typeof backupDatabase> {
  if (isPostgresUrl(options.source)) {
    return Promise.reject(
      new GatewayError('VALIDATION_FAILED', 'A PostgreSQL store is backed up with pg_dump', {
        issues: [
          {
            path: '/source',
            code: 'POSTGRES_BACKUP',
            message:
              'Accepted: a SQLite database file; for PostgreSQL use pg_dump or WAL archiving',
          },
        ],
      }),
    );
  }
  return backupDatabase(options);
}
