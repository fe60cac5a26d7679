import Database from 'better-sqlite3';
import type { JWK } from 'jose';
import { GatewayError } from '../errors.js';
import {
  type LineageSource,
  recordedKey,
  recordedKeyId,
  type SourceApprovalRow,
  type SourceCheckpoint,
  type SourceEvent,
  type StoredDocument,
} from './lineage-source.js';

/**
 * Events read per query: no statement stays open between pages, so lookups can run in between; and a page is
 * small enough to die young in V8's heap (pages of thousands of rows get promoted and cost twice as much).
 */
const PAGE = 512;
/** Bytes of the file SQLite maps into memory instead of reading page by page (capped by the build, 2 GiB). */
const MMAP_BYTES = 2 ** 31;

/**
 * Opens a gateway's SQLite file read-only (`readonly`, `fileMustExist`, `query_only`), so verification can never
 * change the evidence, and reads it as a {@link LineageSource}. Keys, checkpoints and approvals rows are read
 * up front (they are few); events are paged in insertion order (see `pageColumns`) and handed over as their stored text with their columns.
 * Up to 2 GiB of the file are memory-mapped (`mmap_size`): reading a page is then a copy from the page cache,
 * not a system call. The gateway never truncates its database, so a mapping of a live file stays valid.
 *
 * @throws GatewayError `NOT_FOUND` when the file does not exist or is not a gateway database.
 */
export function openDatabaseSource(path: string): LineageSource {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('query_only = ON');
    db.pragma(`mmap_size = ${MMAP_BYTES}`);
    db.prepare('select 1 from lineage_events limit 1').get();
  } catch (error) {
    throw new GatewayError('NOT_FOUND', `${path} is not a readable gateway database`, {
      cause: error,
    });
  }
  return { ...databaseSource(db, () => db.close()), file: path };
}

/**
 * A `lineage_events` row as `raw()` returns it, in the order of the page query's columns (`position, seq, chain,
 * log_index, tenant_id, plan_id, type, actor_type, actor_id, occurred_at, body, prev_hash, hash`). `body` is TEXT
 * as the store writes it; a tampered file may hold another type there, which the checks refuse.
 */
export type LineageRow = [
  position: number,
  seq: number,
  chain: string | null,
  logIndex: number | null,
  tenantId: string,
  planId: string | null,
  type: string,
  actorType: string,
  actorId: string,
  occurredAt: number,
  body: string,
  prevHash: string,
  hash: string,
];

/**
 * The columns of `lineage_events` the page query reads, by the shared decisions of lineage format 2: rows in
 * insertion order (`id`), `seq` per chain, `chain`, `log_index` (NULL until sequenced). Until that migration has
 * run on a file (a database written before per-plan chains, with none of those columns; the sequencer's
 * migration is not on main yet), the rows are read in `seq` order, their events all format 1, and the verifier
 * takes `log_index` as `seq - 1`: exactly what the migration writes for format-1 rows.
 */
function pageColumns(db: Database.Database): {
  format2: boolean;
  position: string;
  chain: string;
  logIndex: string;
} {
  const names = new Set(
    db.prepare('select name from pragma_table_info(?)').pluck().all('lineage_events') as string[],
  );
  return names.has('log_index') && names.has('chain') && names.has('id')
    ? { format2: true, position: 'id', chain: 'chain', logIndex: 'log_index' }
    : { format2: false, position: 'seq', chain: 'null', logIndex: 'null' };
}

/** A {@link LineageSource} over an open connection (e.g. a running store's, for tests and the CLI). */
export function databaseSource(db: Database.Database, close: () => void = () => {}): LineageSource {
  const keys = new Map<string, JWK>();
  for (const row of db.prepare('select purpose, tenant_id tenantId, kid, jwk from keys').all() as {
    purpose: string;
    tenantId: string;
    kid: string;
    jwk: string;
  }[]) {
    try {
      keys.set(recordedKeyId(row.purpose, row.tenantId, row.kid), JSON.parse(row.jwk) as JWK);
    } catch {
      // An unreadable key is an unknown key: whatever it signed fails with *_KEY_UNKNOWN.
    }
  }
  const checkpoints = (
    db
      .prepare(
        'select tree_size treeSize, root_hash rootHash, signed_at signedAt, kid, signature from lineage_checkpoints order by tree_size',
      )
      .all() as SourceCheckpoint[]
  ).map((c) => ({ ...c }));
  const approvals = new Map<string, SourceApprovalRow>();
  for (const row of db
    .prepare(
      'select token_digest tokenDigest, jti, plan_id planId, option_id optionId, approver, role, decision, kid from approvals',
    )
    .all() as (SourceApprovalRow & { tokenDigest: string })[]) {
    const { tokenDigest, ...facts } = row;
    approvals.set(tokenDigest, facts);
  }
  // Approval tokens are re-hashed with the approval that names them (`checkRecordedApproval`), not here.
  const documents = db.prepare(
    "select digest, kind, body from payloads where kind <> 'ApprovalJws'",
  );
  const naming = db
    .prepare('select seq from lineage_events where instr(body, ?) > 0 order by rowid limit 1')
    .pluck();
  const tokenBy = db.prepare("select body from payloads where digest = ? and kind = 'ApprovalJws'");
  const columns = pageColumns(db);
  const { format2 } = columns;
  const page = db
    .prepare(
      `select ${columns.position}, seq, ${columns.chain}, ${columns.logIndex}, tenant_id, plan_id, type,
       actor_type, actor_id, occurred_at, body, prev_hash, hash
       from lineage_events where ${columns.position} > ? order by ${columns.position} limit ${PAGE}`,
    )
    .raw();
  // The last position, not count(*): rows are numbered 1..n, and counting scans a whole index.
  const count =
    (db.prepare(`select max(${columns.position}) from lineage_events`).pluck().get() as
      | number
      | null) ?? 0;

  function* events(): Iterable<SourceEvent> {
    let after = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const rows = page.all(after) as LineageRow[];
      for (const row of rows) {
        const [position, seq, chain, logIndex, tenantId, planId, type, actorType, actorId] = row;
        const [, , , , , , , , , occurredAt, text, prevHash, hash] = row;
        const columns = {
          seq,
          ...(format2 ? { chain } : {}),
          tenantId,
          planId,
          type,
          actorType,
          actorId,
          occurredAt,
          prevHash,
          hash,
        };
        yield { body: undefined, text, columns, position, ...(format2 ? { logIndex } : {}) };
      }
      const last = rows.at(-1);
      if (last === undefined || rows.length < PAGE) return;
      after = last[0];
    }
  }

  return {
    mode: 'complete',
    checkpoints,
    consistency: [],
    key: (purpose, kid, tenantId) => recordedKey(keys, purpose, kid, tenantId),
    approvalToken: (digest) => (tokenBy.get(digest) as { body: string } | undefined)?.body,
    approvalRows: () => approvals,
    documents: () => documents.iterate() as IterableIterator<StoredDocument>,
    firstNaming: (digest) => (naming.get(digest) as number | null) ?? undefined,
    events,
    expectedEvents: count,
    close,
  };
}
