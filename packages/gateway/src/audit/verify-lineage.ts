import type { VerificationCounts, VerificationFailure, VerificationReport } from '@handoff/lineage';
import {
  bytesOfDigest,
  ChainWorkers,
  chainKey,
  defaultThreads,
  type RoutedEvent,
  verifyConsistency,
  verifyTreeHead,
} from '@handoff/lineage';
import { GENESIS_HASH } from '@handoff/protocol';
import { decodeProtectedHeader } from 'jose';
import { ChainWalker } from './chain-walker.js';
import { documentFailures } from './document-check.js';
import type { LineageSource, SourceCheckpoint, SourceEvent } from './lineage-source.js';
import { type KeyJudge, keyJudge, type VerifierTrust } from './trust-anchors.js';

/** Options of {@link verifyLineage}. */
export interface VerifyLineageOptions {
  /**
   * The keys to trust, from outside the source (see {@link VerifierTrust}): checkpoint signatures must be by one
   * of `checkpointKeys` and approval tokens by one of `approverKeys`. `'unanchored'` trusts the keys the source
   * records, and the report then says `anchored: false`. Required: there is no default.
   */
  trust: VerifierTrust;
  /**
   * Called every `progressEvery` events (default 10,000) with the events checked and the total, when known; on
   * worker threads, once per range of `rangeEvents` instead (and from 0 again if the serial walk then runs).
   */
  onProgress?: (done: number, total: number | undefined) => void;
  progressEvery?: number;
  /**
   * Worker threads for the chain checks of a database of at least `parallelFrom` events (default: the
   * cores available, at most 4; 1 checks on this thread only). See `ChainWorkers`.
   */
  threads?: number;
  /** Events from which a database's chains are checked on worker threads (default 50,000). */
  parallelFrom?: number;
}

type Failure = VerificationFailure;

/** Events from which a database's chains are checked on worker threads by default. */
const PARALLEL_FROM = 50_000;

/** Approval verifications in flight at most. */
const WINDOW = 64;
/** Events handed to the checks per turn of a synchronous source. */
const BATCH = 512;

/**
 * Verifies a lineage offline and reports the FIRST point, in `seq` order, where it does not hold (see
 * {@link VerificationFailure} for the codes). Trusts nothing in the source, and its keys only when told to
 * (`trust: 'unanchored'`):
 *
 * 1. every checkpoint's JWS against a trusted checkpoint key of its kid (`CHECKPOINT_KEY_UNTRUSTED` when there is
 *    none, or when the source records another key under that kid: same kid is not same key, RFC 7638
 *    thumbprints are compared), and that it signed the stored size, root and kid; an export's consistency
 *    proofs between checkpoints (RFC 9162 section 2.1.4.2);
 * 1b. every stored document (a database's `payloads`) against the digest it is stored and named under
 *    (`DOCUMENT_DIGEST_MISMATCH` at the first event naming it; see `documentFailures`);
 * 2. for each event, in log order, one path (`ChainCheck` and `LogCheck` of `@handoff/lineage`): the body
 *    parses (`JSON.parse`), its database columns equal the body, `seq` is the next one of its chain (its plan's
 *    or tenant's for a format-2 event, the global chain for a format-1 one), `hash` is SHA-256 over its RFC 8785
 *    form without `hash` (`eventHash`), `prevHash` is the previous `hash` of its chain (GENESIS_HASH for seq 1);
 *    its leaf joins the RFC 9162 tree at its log index (leaf = the event hash's 32 bytes; `seq - 1` for a
 *    format-1 event), and at each checkpoint's size the root must equal the signed one;
 * 3. each `approval.accepted` event's stored token (`checkRecordedApproval`, against a trusted approver key:
 *    `APPROVAL_KEY_UNTRUSTED`; a kid the anchors name registrations for must be registered in the event's tenant
 *    (kids are per tenant) and have signed as that registration's subject, in one of its roles:
 *    `APPROVAL_CLAIMS_MISMATCH`, field `registration.*`) and each
 *    `checkpoint.signed` event's checkpoint record;
 * 4. no checkpoint covers more events than exist (a cut tail), and every `approvals` row was recorded.
 *
 * A database file of at least `parallelFrom` events is walked ONCE with its chains checked on worker threads
 * meanwhile (`ChainWorkers`: each event routed, as its stored text, to the worker of its chain, which runs the
 * same `ChainCheck`); this thread does the rest of each event (columns, log, evidence). When both hold, that is
 * the report; when either does not, the serial walk checks everything again on this thread, so a failure is
 * always the serial walk's report.
 *
 * A `subset` source (a filtered export) cannot show continuity: each event is checked by its hash and an
 * inclusion proof (RFC 9162 section 2.1.3.2) to a signed checkpoint instead, and links are checked between
 * consecutive seqs of a chain. Closes nothing: the caller closes the source.
 *
 * What this cannot see: a log cut back to an earlier signed checkpoint, or events after the last checkpoint
 * rewritten, need tree heads kept outside the database to compare with: see `verifyLineageAgainst`.
 *
 * @throws GatewayError `KEY_SOURCE_UNAVAILABLE` or `CONFIG_INVALID` when a trust anchor cannot be read.
 */
export async function verifyLineage(
  source: LineageSource,
  options: VerifyLineageOptions,
): Promise<VerificationReport> {
  const counts: VerificationCounts = {
    events: 0,
    checkpoints: 0,
    approvals: 0,
    documents: 0,
    mode: source.mode,
    headHash: GENESIS_HASH,
    anchored: options.trust !== 'unanchored',
  };
  const judge = keyJudge(options.trust, source);
  if (source.openingFailure) return { ok: false, failure: source.openingFailure, ...counts };

  const checkpoints = new Map<number, SourceCheckpoint>();
  const pending = [
    ...(await checkpointFailures(source, checkpoints, counts, judge)),
    ...(await documentFailures(source, counts, (source.expectedEvents ?? 0) + 1)),
  ].sort((x, y) => x.seq - y.seq);
  const context: WalkContext = { source, options, checkpoints, pending, judge, counts };
  const threads = options.threads ?? defaultThreads();
  const parallel =
    source.database === true &&
    threads > 1 &&
    (source.expectedEvents ?? 0) >= (options.parallelFrom ?? PARALLEL_FROM);
  if (parallel) {
    // One pass: each event is routed to the worker of its chain (the same ChainCheck) while this thread walks it
    // with every other check. When both hold, that is the report; any failure is left to the serial walk below,
    // so a failure is always the serial walk's report (the first, in order).
    const pool = new ChainWorkers(threads);
    const report = await walk(context, (item) => pool.route(routedOf(item))).catch(
      async (error: unknown) => {
        await pool.finish().catch(() => {});
        throw error;
      },
    );
    const chains = await pool.finish();
    if (report.ok && chains.failure === undefined) return report;
  }
  return walk(context);
}

/** What one walk over the source reads: the source, the options and what was checked before the events. */
interface WalkContext {
  source: LineageSource;
  options: VerifyLineageOptions;
  checkpoints: Map<number, SourceCheckpoint>;
  /** Checkpoint and document failures found up front, sorted by seq. */
  pending: readonly Failure[];
  judge: KeyJudge;
  /** The counts so far (checkpoints, documents): each walk counts its events on a copy. */
  counts: VerificationCounts;
}

/**
 * One walk over the source's events, each through `ChainWalker.visit` (every check but the chain checks when
 * `route` is given: each event is then handed to `route`, the chain workers, first), then the checks of the end
 * (a checkpoint beyond the log, a pending failure, an `approvals` row with no event).
 */
async function walk(
  context: WalkContext,
  route?: (item: SourceEvent) => void,
): Promise<VerificationReport> {
  const { source, options, checkpoints, pending, judge } = context;
  const counts: VerificationCounts = { ...context.counts };
  // Approval signatures verify on libuv's thread pool: up to WINDOW run while later events are checked, and a
  // failure is reported only after every earlier check settled, so the report is still the FIRST by seq.
  const inflight: Promise<Failure | undefined>[] = [];
  const earliest = async (failure?: Failure): Promise<Failure | undefined> => {
    const found = (await Promise.all(inflight.splice(0))).filter((f) => f !== undefined);
    return [...found, ...(failure ? [failure] : [])].sort((a, b) => a.seq - b.seq)[0];
  };
  const failed = async (failure: Failure): Promise<VerificationReport> => ({
    ok: false,
    failure: (await earliest(failure)) ?? failure,
    ...counts,
  });
  const walker = new ChainWalker(
    source,
    checkpoints,
    pending,
    counts,
    inflight,
    judge,
    route !== undefined,
  );
  const every = options.progressEvery ?? 10_000;

  for await (const batch of batches(source.events())) {
    for (const item of batch) {
      route?.(item);
      const failure = walker.visit(item);
      if (failure) return failed(failure);
      if (inflight.length >= WINDOW) {
        const oldest = await inflight.shift();
        if (oldest) return failed(oldest);
      }
      if (options.onProgress && counts.events % every === 0) {
        options.onProgress(counts.events, source.expectedEvents);
      }
    }
  }
  options.onProgress?.(counts.events, source.expectedEvents);

  const settled = await earliest();
  if (settled) return failed(settled);
  const last = walker.log.size;
  const end = { seq: last + 1 };
  if (source.mode === 'complete') {
    const beyond = [...checkpoints.values()].find((c) => c.treeSize > last);
    if (beyond) {
      return failed({
        code: 'CHECKPOINT_BEYOND_LOG',
        ...end,
        treeSize: beyond.treeSize,
        events: last,
        message: `A checkpoint covers ${beyond.treeSize} log leaves but only ${last} exist: the tail was removed`,
      });
    }
    counts.rootHash = walker.log.root();
  }
  const leftover = pending[0];
  if (leftover) return failed(leftover);
  const rows = source.approvalRows();
  const unrecorded = [...(rows?.entries() ?? [])].find(
    ([digest]) => !walker.seenApprovals.has(digest),
  );
  if (unrecorded) {
    return failed({
      code: 'APPROVAL_CLAIMS_MISMATCH',
      ...end,
      field: 'approvals',
      message: `The approvals row of token ${unrecorded[1].jti} has no approval.accepted event`,
    });
  }
  return { ok: true, ...counts };
}

/** A database event for the chain workers: its text, chain key (from its columns) and position. */
function routedOf(item: SourceEvent): RoutedEvent {
  const c = item.columns;
  const chain =
    c?.chain === 'plan' || c?.chain === 'tenant'
      ? chainKey({ chain: c.chain, tenantId: c.tenantId, planId: c.planId ?? undefined })
      : 'global';
  return { text: item.text ?? JSON.stringify(item.body), chain, position: item.position };
}

/** The `alg` and `kid` a checkpoint JWS names, or `undefined` when it names no kid (it then does not verify). */
function headerOf(jws: string): { alg: string; kid: string } | undefined {
  try {
    const { alg, kid } = decodeProtectedHeader(jws);
    return typeof kid === 'string' ? { alg: String(alg), kid } : undefined;
  } catch {
    return undefined;
  }
}

/** Events in arrays of up to {@link BATCH}: one `await` per batch of a synchronous source, not one per event. */
async function* batches(
  events: AsyncIterable<SourceEvent> | Iterable<SourceEvent>,
): AsyncIterable<readonly SourceEvent[]> {
  if (Symbol.asyncIterator in events) {
    for await (const item of events) yield [item];
    return;
  }
  let batch: SourceEvent[] = [];
  for (const item of events) {
    batch.push(item);
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Verifies every checkpoint's signature and an export's consistency proofs; failures sorted by seq. */
async function checkpointFailures(
  source: LineageSource,
  checkpoints: Map<number, SourceCheckpoint>,
  counts: VerificationCounts,
  judge: KeyJudge,
): Promise<Failure[]> {
  const failures: Failure[] = [];
  for (const c of source.checkpoints) {
    const at = { seq: c.treeSize, treeSize: c.treeSize, ...(c.line ? { line: c.line } : {}) };
    checkpoints.set(c.treeSize, c);
    counts.checkpoints += 1;
    const header = headerOf(c.signature);
    const verdict = header ? await judge('checkpoint', header) : undefined;
    if (verdict?.ok === false && verdict.reason === 'untrusted') {
      failures.push({
        code: 'CHECKPOINT_KEY_UNTRUSTED',
        ...at,
        kid: c.kid,
        message: `The checkpoint of ${c.treeSize} events is not signed by a trusted key: ${verdict.message}`,
      });
      continue;
    }
    const trusted = verdict?.ok ? verdict.jwk : undefined;
    const verified = await verifyTreeHead(c.signature, () => trusted);
    if (!verified.ok) {
      failures.push({
        code: verified.reason,
        ...at,
        kid: c.kid,
        message: `The checkpoint of ${c.treeSize} events does not verify (${verified.reason})`,
      });
      continue;
    }
    const { head, kid } = verified;
    const field =
      head.treeSize !== c.treeSize
        ? 'treeSize'
        : head.rootHash !== c.rootHash
          ? 'rootHash'
          : kid !== c.kid
            ? 'kid'
            : undefined;
    if (field) {
      failures.push({
        code: 'CHECKPOINT_PAYLOAD_MISMATCH',
        ...at,
        field,
        message: `The stored ${field} of checkpoint ${c.treeSize} is not what was signed`,
      });
    }
  }
  for (const p of source.consistency) {
    const [from, to] = [checkpoints.get(p.from), checkpoints.get(p.to)];
    const [a, b] = [bytesOfDigest(from?.rootHash ?? ''), bytesOfDigest(to?.rootHash ?? '')];
    const proof = p.proof.map((hex) => Buffer.from(hex, 'hex'));
    if (!a || !b || !verifyConsistency(p.from, p.to, a, b, proof)) {
      failures.push({
        code: 'CONSISTENCY_PROOF_INVALID',
        seq: p.to,
        from: p.from,
        to: p.to,
        ...(p.line ? { line: p.line } : {}),
        message: `The log of checkpoint ${p.to} is not shown to extend checkpoint ${p.from}`,
      });
    }
  }
  return failures.sort((x, y) => x.seq - y.seq);
}
