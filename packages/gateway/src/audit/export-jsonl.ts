import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import {
  EXPORT_FORMAT,
  type ExportCheckpoint,
  type ExportEvent,
  type ExportHeader,
  type ExportLine,
  eventLeafHash,
  HASH_BYTES,
  hexOf,
  MerkleTree,
} from '@handoff/lineage';
import type Database from 'better-sqlite3';
import { hasPrivateMembers } from '../approvals/signing-keys.js';
import { type Clock, systemClock, toIso } from '../clock.js';
import { GatewayError } from '../errors.js';

/** Options of {@link exportLineageJsonl}. */
export interface ExportJsonlOptions {
  /** Export only these events (a `subset` bundle with inclusion proofs); default: every event. */
  filter?: { planId?: string; tenantId?: string };
  /** The source of `exportedAt`. */
  clock?: Clock;
  /** Called every 10,000 events with the events written and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** What an export wrote. */
export interface ExportSummary {
  mode: 'complete' | 'subset';
  events: number;
  checkpoints: number;
  approvalTokens: number;
  /** Subset bundles: matching events after the last checkpoint, left out because no signed head covers them. */
  omitted: number;
}

/** Events read per query (small pages die young in V8's heap). */
const PAGE = 512;
/** Code units gathered before a write to the file. */
const CHUNK = 1 << 16;

/**
 * Writes a gateway database's lineage as a JSON Lines bundle (see `EXPORT_FORMAT` for the layout) to `outPath`,
 * streaming, with back-pressure: every event, or with `filter` a `subset` of the events the last checkpoint
 * covers, each with its RFC 9162 inclusion proof to it. `db` may be read-only.
 *
 * @throws GatewayError `VALIDATION_FAILED` when a subset is asked of a lineage with no checkpoint (nothing to prove
 *   inclusion against: sign one with `handoff lineage checkpoint`); the stream's error when writing fails.
 */
export async function exportLineageJsonl(
  db: Database.Database,
  outPath: string,
  options: ExportJsonlOptions = {},
): Promise<ExportSummary> {
  const filter = options.filter ?? {};
  const subset = filter.planId !== undefined || filter.tenantId !== undefined;
  const checkpoints = db
    .prepare(
      'select tree_size treeSize, root_hash rootHash, signed_at signedAt, kid, signature from lineage_checkpoints order by tree_size',
    )
    .all() as {
    treeSize: number;
    rootHash: string;
    signedAt: number;
    kid: string;
    signature: string;
  }[];
  const last = checkpoints.at(-1);
  if (subset && last === undefined) {
    throw new GatewayError('VALIDATION_FAILED', 'A filtered export needs a signed checkpoint', {
      issues: [{ path: '', code: 'NO_CHECKPOINT', message: 'Sign a checkpoint first' }],
    });
  }
  // Conditions on lineage_events, written for a table alias (`e.` in the token join, none elsewhere).
  const conditions: [string, string | number][] = [];
  if (filter.tenantId !== undefined) conditions.push(['tenant_id', filter.tenantId]);
  if (filter.planId !== undefined) conditions.push(['plan_id', filter.planId]);
  const whereOf = (alias: string, extra: string[] = []) =>
    ['1 = 1', ...conditions.map(([column]) => `${alias}${column} = ?`), ...extra].join(' and ');
  const params: (string | number)[] = conditions.map(([, value]) => value);
  const matching = db
    .prepare(`select count(*) from lineage_events where ${whereOf('')}`)
    .pluck()
    .get(...params) as number;
  // A subset holds the events the last signed head covers: leaves 0..treeSize-1 of the log.
  const bound = subset ? ['log_index < ?'] : [];
  if (subset) params.push(last?.treeSize ?? 0);
  const clause = whereOf('', bound);
  // Without a filter every event is exported: one count (a scan of an index) is enough.
  const total = subset
    ? (db
        .prepare(`select count(*) from lineage_events where ${clause}`)
        .pluck()
        .get(...params) as number)
    : matching;
  const tree = subset ? treeOf(db, last?.treeSize ?? 0) : undefined;

  const out = createWriteStream(outPath, { encoding: 'utf8' });
  // Lines are gathered into one string and written in chunks of about CHUNK code units, with back-pressure.
  let chunk = '';
  const flush = async () => {
    const ok = out.write(chunk);
    chunk = '';
    if (!ok) await once(out, 'drain');
  };
  const writeText = async (line: string) => {
    chunk += `${line}\n`;
    if (chunk.length >= CHUNK) await flush();
  };
  const write = (line: ExportLine) => writeText(JSON.stringify(line));
  const failed = once(out, 'error').then(([error]) => {
    throw error;
  });
  failed.catch(() => undefined);

  const header: ExportHeader = {
    kind: 'header',
    format: EXPORT_FORMAT,
    version: 1,
    mode: subset ? 'subset' : 'complete',
    ...(subset ? { filter } : {}),
    events: total,
    exportedAt: toIso((options.clock ?? systemClock).now()),
  };
  await write(header);
  // A tenant's export carries the gateway's keys and that tenant's approver keys only (kids are per tenant).
  for (const key of db
    .prepare(
      'select purpose, tenant_id tenantId, kid, jwk from keys order by purpose, tenant_id, kid',
    )
    .all() as {
    purpose: string;
    tenantId: string;
    kid: string;
    jwk: string;
  }[]) {
    if (filter.tenantId !== undefined && key.tenantId !== '' && key.tenantId !== filter.tenantId) {
      continue;
    }
    const jwk = JSON.parse(key.jwk) as Record<string, unknown>;
    const tenant = key.tenantId === '' ? {} : { tenantId: key.tenantId };
    if (!hasPrivateMembers(jwk))
      await write({ kind: 'key', purpose: key.purpose, ...tenant, kid: key.kid, jwk });
  }
  for (const c of checkpoints) {
    const line: ExportCheckpoint = {
      kind: 'checkpoint',
      treeSize: c.treeSize,
      rootHash: c.rootHash,
      signedAt: toIso(c.signedAt),
      kid: c.kid,
      jws: c.signature,
    };
    await write(line);
  }
  if (tree && last) {
    for (const c of checkpoints.slice(0, -1)) {
      const proof = tree.consistencyProof(c.treeSize, last.treeSize).map(hexOf);
      await write({ kind: 'consistency', from: c.treeSize, to: last.treeSize, proof });
    }
  }
  // The tokens of the exported approval events, each once, in digest order: the events are found through the
  // partial index `lineage_approvals` (no pass over every event), the tokens by their digest.
  const tokens = db
    .prepare(
      `select p.digest, p.body from payloads p where p.digest in (
         select json_extract(e.body, '$.refs.approval') from lineage_events e
         where e.type = 'approval.accepted' and ${whereOf('e.', subset ? ['e.log_index < ?'] : [])})
       order by p.digest`,
    )
    .iterate(...params) as IterableIterator<{ digest: string; body: string }>;
  // Streamed, not collected: a million-event lineage holds over a hundred thousand tokens.
  let approvalTokens = 0;
  for (const t of tokens) {
    await write({ kind: 'approval-token', digest: t.digest, token: t.body });
    approvalTokens += 1;
  }

  // Events in log order (`log_index`), then those not sequenced yet in insertion order (`id`): two keyset-paged
  // passes, each a range scan of its index.
  const sequenced = db
    .prepare(
      `select log_index, body from lineage_events where ${clause} and log_index > ?
       order by log_index limit ${PAGE}`,
    )
    .raw();
  const unsequenced = db
    .prepare(
      `select id, body from lineage_events where ${clause} and log_index is null and id > ?
       order by id limit ${PAGE}`,
    )
    .raw();
  let done = 0;
  const writeEvents = async (rows: [number, string][], logIndexed: boolean) => {
    for (const [at, body] of rows) {
      const logIndex = logIndexed ? at : undefined;
      const proof =
        tree && last && logIndex !== undefined
          ? {
              treeSize: last.treeSize,
              path: tree.inclusionProof(logIndex, last.treeSize).map(hexOf),
            }
          : undefined;
      await writeText(eventLine(body, logIndex, proof));
      done += 1;
      if (done % 10_000 === 0) options.onProgress?.(done, total);
    }
  };
  for (const [page, logIndexed] of [
    [sequenced, true],
    // A subset holds sequenced events only (its bound is a log index).
    ...(subset ? [] : [[unsequenced, false] as const]),
  ] as const) {
    for (let after = -1; ; ) {
      const rows = page.all(...params, after) as [number, string][];
      await writeEvents(rows, logIndexed);
      const lastRow = rows.at(-1);
      if (lastRow === undefined || rows.length < PAGE) break;
      after = lastRow[0];
    }
  }
  if (chunk.length > 0) await flush();
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  options.onProgress?.(done, total);
  return {
    mode: header.mode,
    events: done,
    checkpoints: checkpoints.length,
    approvalTokens,
    omitted: matching - total,
  };
}

/**
 * The line of one event: `{"kind":"event","event":<body>}` with the stored body as it is (the store writes its RFC
 * 8785 text: parsing and re-serialising it would change nothing but the cost), then its `"logIndex"` when it is
 * sequenced, then `"proof"` in a subset. A body
 * that could not be one line of JSON (not `{...}`, or with a line break) is parsed and re-serialised instead, as
 * `JSON.stringify` would write it: a body that is not JSON at all throws its `SyntaxError`.
 */
function eventLine(
  body: string,
  logIndex: number | undefined,
  proof: ExportEvent['proof'],
): string {
  const at = logIndex === undefined ? '' : `,"logIndex":${logIndex}`;
  const oneLine =
    typeof body === 'string' &&
    body.charCodeAt(0) === 123 &&
    body.charCodeAt(body.length - 1) === 125 &&
    body.indexOf('\n') < 0 &&
    body.indexOf('\r') < 0;
  if (!oneLine) {
    return JSON.stringify({
      kind: 'event',
      event: JSON.parse(body),
      ...(logIndex === undefined ? {} : { logIndex }),
      ...(proof ? { proof } : {}),
    });
  }
  return proof === undefined
    ? `{"kind":"event","event":${body}${at}}`
    : `{"kind":"event","event":${body}${at},"proof":${JSON.stringify(proof)}}`;
}

/** The Merkle tree of the log's first `size` leaves (`log_index` 0..size-1), from their stored hashes. */
function treeOf(db: Database.Database, size: number): MerkleTree {
  const leaves = Buffer.allocUnsafe(size * HASH_BYTES);
  let i = 0;
  const hashes = db
    .prepare('select hash from lineage_events where log_index < ? order by log_index')
    .pluck()
    .iterate(size) as IterableIterator<string>;
  for (const hash of hashes) {
    leaves.set(eventLeafHash(hash), i * HASH_BYTES);
    i += 1;
  }
  return new MerkleTree(leaves.subarray(0, i * HASH_BYTES));
}
