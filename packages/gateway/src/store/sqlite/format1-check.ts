import { eventHash } from '@handoff/lineage';
import { GENESIS_HASH, type LineageEvent } from '@handoff/protocol';
import type Database from 'better-sqlite3';
import { GatewayError } from '../../errors.js';

/** True when `lineage_events` exists in its format-1 shape (a `seq` primary key, no `log_index` column yet). */
export function holdsFormat1Lineage(sqlite: Database.Database): boolean {
  const columns = sqlite.prepare('pragma table_info(lineage_events)').all() as { name: string }[];
  return columns.length > 0 && !columns.some((c) => c.name === 'log_index');
}

/**
 * Verifies a format-1 lineage (one global chain) before migration `0009_lineage_chains` turns it into format 2,
 * with the plain path an auditor would use: each stored body is parsed, its `hash` recomputed by `@handoff/lineage`'s
 * `eventHash` (SHA-256 over the RFC 8785 form of the event without `hash`), its `seq` must follow the previous one (1, 2, ...), its `prevHash`
 * must be the previous event's hash (`GENESIS_HASH` first), and the columns `seq`, `hash` and `prev_hash` must
 * be those of the body. A SQL migration cannot run this, so `openSqliteStore` calls it before migrating.
 *
 * @returns the number of events verified (0 for an empty lineage, or a database already migrated).
 * @throws GatewayError `INTERNAL` naming the first event that fails and why, and that the database was left
 *   unmigrated: run `handoff lineage verify` on it, restore a good copy, or export what holds.
 */
export function verifyFormat1Lineage(sqlite: Database.Database): number {
  if (!holdsFormat1Lineage(sqlite)) return 0;
  const rows = sqlite
    .prepare('select seq, prev_hash, hash, body from lineage_events order by seq')
    .raw()
    .iterate() as IterableIterator<[number, string, string, string]>;
  let previous = GENESIS_HASH as string;
  let count = 0;
  for (const [seq, prevHash, hash, body] of rows) {
    const problem = problemOf(count + 1, previous, seq, prevHash, hash, body);
    if (problem !== undefined) {
      throw new GatewayError(
        'INTERNAL',
        `Refusing to migrate the lineage to format 2: event ${seq} ${problem}. The database was left as it was; ` +
          'run `handoff lineage verify --db` on it and restore a good copy',
      );
    }
    previous = hash;
    count += 1;
  }
  return count;
}

/** What is wrong with one stored format-1 event, or undefined when it holds. */
function problemOf(
  expectedSeq: number,
  previous: string,
  seq: number,
  prevHash: string,
  hash: string,
  body: string,
): string | undefined {
  if (seq !== expectedSeq) return `follows a gap (expected seq ${expectedSeq})`;
  let event: LineageEvent;
  try {
    event = JSON.parse(body) as LineageEvent;
  } catch {
    return 'has a body that is not JSON';
  }
  const claimed = event.hash;
  if (eventHash(event) !== claimed || claimed !== hash) {
    return 'does not hash to its recorded hash';
  }
  if (event.seq !== seq || event.prevHash !== prevHash) return 'differs from its columns';
  if (prevHash !== previous) return `does not link to event ${seq - 1}`;
  return undefined;
}
