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
import { hasPrivateMembers } from '../approvals/signing-keys.js';
import { type Clock, systemClock, toIso } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { LineageReads, LineageRowFilter } from '../store/lineage-reads.js';
import type { GatewayStore } from '../store/store.js';
import { logOrderRows } from './log-order-rows.js';

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
/** Leaves read per query when building a subset's tree. */
const LEAF_PAGE = 4096;
/** Code units gathered before a write to the file. */
const CHUNK = 1 << 16;

/**
 * Writes a gateway's lineage as a JSON Lines bundle (see `EXPORT_FORMAT` for the layout) to `outPath`, streaming,
 * with back-pressure: every event, or with `filter` a `subset` of the events the last checkpoint covers, each with
 * its RFC 9162 inclusion proof to it. Reads through the store's dialect-neutral `lineageReads` in log order
 * (`logOrderRows`: keyset-paged by log index, then the events not sequenced by position, never OFFSET), so its cost per event does not grow with the lineage; the store may
 * be open read-only.
 *
 * @throws GatewayError `VALIDATION_FAILED` when a subset is asked of a lineage with no checkpoint (nothing to prove
 *   inclusion against: sign one with `handoff lineage checkpoint`); the stream's error when writing fails.
 */
export async function exportLineageJsonl(
  store: GatewayStore,
  outPath: string,
  options: ExportJsonlOptions = {},
): Promise<ExportSummary> {
  const reads = store.lineageReads;
  const filter = options.filter ?? {};
  const subset = filter.planId !== undefined || filter.tenantId !== undefined;
  const checkpoints = await reads.treeHeads();
  const last = checkpoints.at(-1);
  if (subset && last === undefined) {
    throw new GatewayError('VALIDATION_FAILED', 'A filtered export needs a signed checkpoint', {
      issues: [{ path: '', code: 'NO_CHECKPOINT', message: 'Sign a checkpoint first' }],
    });
  }
  const matching: LineageRowFilter = {
    ...(filter.tenantId !== undefined ? { tenantId: filter.tenantId } : {}),
    ...(filter.planId !== undefined ? { planId: filter.planId } : {}),
  };
  const matchingCount = await reads.countLineage(matching);
  // A subset holds the events the last signed head covers: leaves 0..treeSize-1 of the log.
  const rows: LineageRowFilter = subset
    ? { ...matching, logIndexBelow: last?.treeSize ?? 0 }
    : matching;
  // Without a filter every event is exported: one count is enough.
  const total = subset ? await reads.countLineage(rows) : matchingCount;
  const tree = subset ? await treeOf(reads, last?.treeSize ?? 0) : undefined;

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
  for (const key of await reads.recordedKeys()) {
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
  // The tokens of the exported approval events, each once, in the order of their events: paged by the events'
  // position (a million-event lineage holds over a hundred thousand tokens: streamed, not collected).
  const written = new Set<string>();
  for (let after = 0; ; ) {
    const page = await reads.approvalTokens(rows, after, PAGE);
    for (const t of page) {
      if (written.has(t.digest)) continue;
      written.add(t.digest);
      await write({ kind: 'approval-token', digest: t.digest, token: t.token });
    }
    const lastToken = page.at(-1);
    if (lastToken === undefined || page.length < PAGE) break;
    after = lastToken.position;
  }

  // Events in log order, then those not sequenced yet (or sequenced since) in insertion order: `logOrderRows`,
  // two keyset-paged passes. A subset holds sequenced events only (its bound is a log index).
  let done = 0;
  for await (const row of logOrderRows(reads, rows, { page: PAGE, sequencedOnly: subset })) {
    const logIndex = row.logIndex ?? undefined;
    const proof =
      tree && last && logIndex !== undefined
        ? { treeSize: last.treeSize, path: tree.inclusionProof(logIndex, last.treeSize).map(hexOf) }
        : undefined;
    await writeText(eventLine(row.body, logIndex, proof));
    done += 1;
    if (done % 10_000 === 0) options.onProgress?.(done, total);
  }
  if (chunk.length > 0) await flush();
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  options.onProgress?.(done, total);
  return {
    mode: header.mode,
    events: done,
    checkpoints: checkpoints.length,
    approvalTokens: written.size,
    omitted: matchingCount - total,
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

/** The Merkle tree of the log's first `size` leaves (log indexes 0..size-1), from their stored hashes. */
async function treeOf(reads: LineageReads, size: number): Promise<MerkleTree> {
  const leaves = Buffer.allocUnsafe(size * HASH_BYTES);
  let i = 0;
  for (let after = -1; i < size; ) {
    const page = await reads.lineageRows({
      order: 'logIndex',
      after,
      limit: LEAF_PAGE,
      logIndexBelow: size,
    });
    for (const row of page) {
      leaves.set(eventLeafHash(row.hash), i * HASH_BYTES);
      i += 1;
    }
    const lastRow = page.at(-1);
    if (lastRow === undefined || page.length < LEAF_PAGE) break;
    after = lastRow.logIndex ?? after;
  }
  return new MerkleTree(leaves.subarray(0, i * HASH_BYTES));
}
