import { GENESIS_HASH, type LineageEvent, lineageEventHash } from '@handoff/protocol';
import { checkRecordedApproval } from './approval-evidence.js';
import type {
  EventColumns,
  LineageSource,
  SourceCheckpoint,
  SourceEvent,
} from './lineage-source.js';
import { bytesOfDigest, eventLeafHash, hexOf, MerkleAccumulator } from './merkle-tree.js';
import { verifyConsistency, verifyInclusion } from './merkle-verify.js';
import { verifyTreeHead } from './tree-head.js';
import type {
  VerificationCounts,
  VerificationFailure,
  VerificationReport,
} from './verification-failure.js';

/** Options of {@link verifyLineage}. */
export interface VerifyLineageOptions {
  /** Called every `progressEvery` events (default 10,000) with the events checked and the total, when known. */
  onProgress?: (done: number, total: number | undefined) => void;
  progressEvery?: number;
}

type Failure = VerificationFailure;

/** Approval verifications in flight at most. */
const WINDOW = 64;

/**
 * Verifies a lineage offline and reports the FIRST point, in `seq` order, where it does not hold (see
 * {@link VerificationFailure} for the codes). Trusts nothing in the source:
 *
 * 1. every checkpoint's JWS against the checkpoint key recorded for its kid (`verifyTreeHead`), and that it
 *    signed the stored size, root and kid; an export's consistency proofs between checkpoints (RFC 9162 section
 *    2.1.4.2);
 * 2. for each event, in order: the body parses, its database columns equal the body, `seq` is the next one,
 *    `hash` is SHA-256 over its RFC 8785 form without `hash` (as `chainEvents` computes it), `prevHash` is the
 *    previous `hash` (GENESIS_HASH for seq 1); its leaf joins the RFC 9162 tree (leaf = the event hash's 32
 *    bytes), and at each checkpoint's size the root must equal the signed one;
 * 3. each `approval.accepted` event's stored token (`checkRecordedApproval`) and each `checkpoint.signed`
 *    event's checkpoint record;
 * 4. no checkpoint covers more events than exist (a cut tail), and every `approvals` row was recorded.
 *
 * A `subset` source (a filtered export) cannot show continuity: each event is checked by its hash and an
 * inclusion proof (RFC 9162 section 2.1.3.2) to a signed checkpoint instead, and links are checked between
 * consecutive seqs. Closes nothing: the caller closes the source.
 */
export async function verifyLineage(
  source: LineageSource,
  options: VerifyLineageOptions = {},
): Promise<VerificationReport> {
  const counts: VerificationCounts = {
    events: 0,
    checkpoints: 0,
    approvals: 0,
    mode: source.mode,
    headHash: GENESIS_HASH,
  };
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
  if (source.openingFailure) return failed(source.openingFailure);

  const checkpoints = new Map<number, SourceCheckpoint>();
  const pending = await checkpointFailures(source, checkpoints, counts);
  const due = (seq: number): Failure | undefined =>
    pending[0] !== undefined && pending[0].seq <= seq ? pending[0] : undefined;

  const accumulator = new MerkleAccumulator();
  const rows = source.approvalRows();
  const seenApprovals = new Set<string>();
  const every = options.progressEvery ?? 10_000;
  let expectedSeq = 1;
  let previous: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH };

  for await (const item of source.events()) {
    const at = { seq: item.columns?.seq ?? expectedSeq, ...(item.line ? { line: item.line } : {}) };
    const early = due(expectedSeq - 1);
    if (early) return failed(early);
    const body = asEvent(item.body);
    if (body === undefined) {
      return failed({ code: 'BODY_MALFORMED', ...at, message: 'The event is not a lineage event' });
    }
    const located = { ...at, seq: body.seq, ...(item.line ? { line: item.line } : {}) };
    const column = item.columns ? mismatchedColumn(item.columns, body) : undefined;
    if (column !== undefined) {
      return failed({
        code: 'COLUMN_MISMATCH',
        ...at,
        field: column,
        message: `Column ${column} of seq ${at.seq} differs from the hashed event`,
      });
    }
    const inOrder = source.mode === 'complete' ? body.seq === expectedSeq : body.seq > previous.seq;
    if (!inOrder) {
      return failed({
        code: 'SEQ_GAP',
        ...at,
        seq: expectedSeq,
        expectedSeq,
        foundSeq: body.seq,
        message: `Expected seq ${source.mode === 'complete' ? expectedSeq : `> ${previous.seq}`}, found ${body.seq}`,
      });
    }
    let recomputed: string;
    try {
      recomputed = lineageEventHash(body);
    } catch {
      return failed({ code: 'BODY_MALFORMED', ...located, message: 'The event has no JSON form' });
    }
    if (recomputed !== body.hash) {
      return failed({
        code: 'HASH_MISMATCH',
        ...located,
        expected: recomputed,
        found: body.hash,
        message: `Event ${body.seq} was changed: its content does not hash to its hash`,
      });
    }
    if (body.seq === previous.seq + 1 && body.prevHash !== previous.hash) {
      return failed({
        code: 'CHAIN_BROKEN',
        ...located,
        expected: previous.hash,
        found: body.prevHash,
        message: `Event ${body.seq} does not link to event ${previous.seq}`,
      });
    }
    const leaf = eventLeafHash(body.hash);
    const signed = due(body.seq);
    if (signed) return failed(signed);
    const placed =
      source.mode === 'complete'
        ? rootAtCheckpoint(accumulator, leaf, checkpoints, located)
        : proofFailure(item, body, leaf, checkpoints, located);
    if (placed) return failed(placed);
    const missing = checkpointEvidence(source, body, checkpoints, located);
    if (missing) return failed(missing);
    if (body.type === 'approval.accepted') {
      inflight.push(approvalEvidence(source, body, rows, located));
      if (inflight.length >= WINDOW) {
        const oldest = await inflight.shift();
        if (oldest) return failed(oldest);
      }
    }
    if (body.type === 'approval.accepted') {
      counts.approvals += 1;
      seenApprovals.add(String(body.refs.approval));
    }
    counts.events += 1;
    counts.headHash = body.hash;
    previous = { seq: body.seq, hash: body.hash };
    expectedSeq = body.seq + 1;
    const late = due(body.seq);
    if (late) return failed(late);
    if (options.onProgress && counts.events % every === 0) {
      options.onProgress(counts.events, source.expectedEvents);
    }
  }
  options.onProgress?.(counts.events, source.expectedEvents);

  const settled = await earliest();
  if (settled) return failed(settled);
  const end = { seq: previous.seq + 1 };
  if (source.mode === 'complete') {
    const beyond = [...checkpoints.values()].find((c) => c.treeSize > previous.seq);
    if (beyond) {
      return failed({
        code: 'CHECKPOINT_BEYOND_LOG',
        ...end,
        treeSize: beyond.treeSize,
        events: previous.seq,
        message: `A checkpoint covers ${beyond.treeSize} events but only ${previous.seq} exist: the tail was removed`,
      });
    }
    counts.rootHash = `sha256:${hexOf(accumulator.root())}`;
  }
  const leftover = pending[0];
  if (leftover) return failed(leftover);
  const unrecorded = [...(rows?.entries() ?? [])].find(([digest]) => !seenApprovals.has(digest));
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

/** The body as an event, when it has the members the checks read. */
function asEvent(body: unknown): LineageEvent | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const e = body as Partial<LineageEvent>;
  const ok =
    Number.isSafeInteger(e.seq) &&
    typeof e.hash === 'string' &&
    typeof e.prevHash === 'string' &&
    bytesOfDigest(e.hash) !== undefined &&
    typeof e.refs === 'object' &&
    e.refs !== null &&
    typeof e.data === 'object' &&
    e.data !== null;
  return ok ? (body as LineageEvent) : undefined;
}

/** The first database column that differs from the hashed body, if any. */
function mismatchedColumn(c: EventColumns, e: LineageEvent): string | undefined {
  const pairs: [string, unknown, unknown][] = [
    ['seq', c.seq, e.seq],
    ['hash', c.hash, e.hash],
    ['prev_hash', c.prevHash, e.prevHash],
    ['tenant_id', c.tenantId, e.tenantId],
    ['plan_id', c.planId, e.planId ?? null],
    ['type', c.type, e.type],
    ['actor_type', c.actorType, e.actor?.type],
    ['actor_id', c.actorId, e.actor?.id],
    ['occurred_at', c.occurredAt, Date.parse(e.occurredAt)],
  ];
  return pairs.find(([, column, body]) => column !== body)?.[0];
}

/** Verifies every checkpoint's signature and an export's consistency proofs; failures sorted by seq. */
async function checkpointFailures(
  source: LineageSource,
  checkpoints: Map<number, SourceCheckpoint>,
  counts: VerificationCounts,
): Promise<Failure[]> {
  const failures: Failure[] = [];
  for (const c of source.checkpoints) {
    const at = { seq: c.treeSize, treeSize: c.treeSize, ...(c.line ? { line: c.line } : {}) };
    checkpoints.set(c.treeSize, c);
    counts.checkpoints += 1;
    const verified = await verifyTreeHead(c.signature, (kid) => source.key('checkpoint', kid));
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

/** Adds the leaf; at a checkpoint's size the root must be the signed one. */
function rootAtCheckpoint(
  accumulator: MerkleAccumulator,
  leaf: Uint8Array,
  checkpoints: ReadonlyMap<number, SourceCheckpoint>,
  at: { seq: number; line?: number },
): Failure | undefined {
  accumulator.push(leaf);
  const checkpoint = checkpoints.get(accumulator.size);
  if (checkpoint === undefined) return undefined;
  const root = `sha256:${hexOf(accumulator.root())}`;
  if (root === checkpoint.rootHash) return undefined;
  return {
    code: 'CHECKPOINT_ROOT_MISMATCH',
    ...at,
    treeSize: checkpoint.treeSize,
    expected: checkpoint.rootHash,
    found: root,
    message: `The first ${checkpoint.treeSize} events do not have the signed Merkle root`,
  };
}

/** A subset event must carry an inclusion proof to a signed checkpoint. */
function proofFailure(
  item: SourceEvent,
  body: LineageEvent,
  leaf: Uint8Array,
  checkpoints: ReadonlyMap<number, SourceCheckpoint>,
  at: { seq: number; line?: number },
): Failure | undefined {
  const treeSize = item.proof?.treeSize ?? 0;
  const root = bytesOfDigest(checkpoints.get(treeSize)?.rootHash ?? '');
  const path = (item.proof?.path ?? []).map((hex) => Buffer.from(hex, 'hex'));
  if (root && verifyInclusion(body.seq - 1, treeSize, leaf, path, root)) return undefined;
  return {
    code: 'INCLUSION_PROOF_INVALID',
    ...at,
    treeSize,
    message: `Event ${body.seq} is not shown to be in the signed log of ${treeSize} events`,
  };
}

/** A `checkpoint.signed` event must have its checkpoint record (a complete source). */
function checkpointEvidence(
  source: LineageSource,
  body: LineageEvent,
  checkpoints: ReadonlyMap<number, SourceCheckpoint>,
  at: { seq: number; line?: number },
): Failure | undefined {
  if (body.type !== 'checkpoint.signed' || source.mode !== 'complete') return undefined;
  const treeSize = Number(body.data.treeSize);
  if (checkpoints.get(treeSize)?.rootHash === body.refs.root) return undefined;
  return {
    code: 'CHECKPOINT_MISSING',
    ...at,
    treeSize,
    message: `No checkpoint of ${treeSize} events with root ${body.refs.root} is stored`,
  };
}

/** An `approval.accepted` event's stored token must verify and match (see `checkRecordedApproval`). */
async function approvalEvidence(
  source: LineageSource,
  body: LineageEvent,
  rows: ReturnType<LineageSource['approvalRows']>,
  at: { seq: number; line?: number },
): Promise<Failure | undefined> {
  const tokenDigest = String(body.refs.approval);
  const problem = await checkRecordedApproval(
    { tokenDigest, planId: body.planId, planDigest: body.refs.plan, data: body.data },
    source.approvalToken(tokenDigest),
    (kid) => source.key('approver', kid),
    rows?.get(tokenDigest),
  );
  return problem === undefined ? undefined : { ...problem, ...at };
}
