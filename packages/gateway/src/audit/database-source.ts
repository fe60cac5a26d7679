import Database from 'better-sqlite3';
import type { JWK } from 'jose';
import { GatewayError } from '../errors.js';
import type {
  EventColumns,
  LineageSource,
  SourceApprovalRow,
  SourceCheckpoint,
  SourceEvent,
} from './lineage-source.js';

/** Events read per query: no statement stays open between pages, so lookups can run in between. */
const PAGE = 5000;

/**
 * Opens a gateway's SQLite file read-only (`readonly`, `fileMustExist`, `query_only`), so verification can never
 * change the evidence, and reads it as a {@link LineageSource}. Keys, checkpoints and approvals rows are read
 * up front (they are few); events are paged by `seq`.
 *
 * @throws GatewayError `NOT_FOUND` when the file does not exist or is not a gateway database.
 */
export function openDatabaseSource(path: string): LineageSource {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('query_only = ON');
    db.prepare('select 1 from lineage_events limit 1').get();
  } catch (error) {
    throw new GatewayError('NOT_FOUND', `${path} is not a readable gateway database`, {
      cause: error,
    });
  }
  return databaseSource(db, () => db.close());
}

/** A {@link LineageSource} over an open connection (e.g. a running store's, for tests and the CLI). */
export function databaseSource(db: Database.Database, close: () => void = () => {}): LineageSource {
  const keys = new Map<string, JWK>();
  for (const row of db.prepare('select purpose, kid, jwk from keys').all() as {
    purpose: string;
    kid: string;
    jwk: string;
  }[]) {
    try {
      keys.set(`${row.purpose}\n${row.kid}`, JSON.parse(row.jwk) as JWK);
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
  const tokenBy = db.prepare("select body from payloads where digest = ? and kind = 'ApprovalJws'");
  const page = db.prepare(
    `select seq, tenant_id tenantId, plan_id planId, type, actor_type actorType, actor_id actorId,
       occurred_at occurredAt, body, prev_hash prevHash, hash
       from lineage_events where seq > ? order by seq limit ${PAGE}`,
  );
  const count = db.prepare('select count(*) from lineage_events').pluck().get() as number;

  function* events(): Iterable<SourceEvent> {
    let after = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const rows = page.all(after) as (EventColumns & { body: string })[];
      for (const { body: text, ...columns } of rows) {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        yield { body, columns, position: columns.seq };
      }
      const last = rows.at(-1);
      if (last === undefined || rows.length < PAGE) return;
      after = last.seq;
    }
  }

  return {
    mode: 'complete',
    checkpoints,
    consistency: [],
    key: (purpose, kid) => keys.get(`${purpose}\n${kid}`),
    approvalToken: (digest) => (tokenBy.get(digest) as { body: string } | undefined)?.body,
    approvalRows: () => approvals,
    events,
    expectedEvents: count,
    close,
  };
}
