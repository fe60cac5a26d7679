import {
  bytesOfDigest,
  eventLeafHash,
  hexOf,
  MerkleAccumulator,
  verifyInclusion,
} from '@handoff/lineage';
import { GENESIS_HASH, type LineageEvent } from '@handoff/protocol';
import { checkRecordedApproval } from './approval-evidence.js';
import { checkParsedEvent, eventOf, holdsStored, where } from './event-check.js';
import {
  isDeep,
  type LineageSource,
  type SourceApprovalRow,
  type SourceCheckpoint,
  type SourceEvent,
} from './lineage-source.js';
import { StoredEventCheck } from './stored-event.js';
import type { KeyJudge } from './trust-anchors.js';
import type { VerificationCounts, VerificationFailure } from './verification-failure.js';

type Failure = VerificationFailure;
type At = { seq: number; line?: number };

/**
 * The per-event checks of `verifyLineage` (steps 2 and 3 of its list), in `seq` order, one event at a time:
 * each {@link visit} returns the first failure the event shows, if any. Approval tokens are verified
 * asynchronously: their checks are pushed to `inflight` for the caller to settle in order.
 *
 * An event read from a database with its stored text takes the fast path first (`StoredEventCheck`: the stored
 * bytes are hashed as they are); when that does not hold, the text is parsed and every check runs on the parsed
 * event, so failures are the same either way.
 */
export class ChainWalker {
  /** Token digests of the `approval.accepted` events seen. */
  readonly seenApprovals = new Set<string>();
  readonly accumulator = new MerkleAccumulator();
  #previousSeq = 0;
  #previousHash: string = GENESIS_HASH;
  #expectedSeq = 1;
  readonly #fast = new StoredEventCheck();
  readonly #rows: ReadonlyMap<string, SourceApprovalRow> | undefined;

  constructor(
    private readonly source: LineageSource,
    private readonly checkpoints: ReadonlyMap<number, SourceCheckpoint>,
    /** Checkpoint failures found up front, sorted by seq: reported once the walk reaches their seq. */
    private readonly pending: readonly Failure[],
    private readonly counts: VerificationCounts,
    /** Approval checks in flight, oldest first: the caller settles them in order. */
    private readonly inflight: Promise<Failure | undefined>[],
    /** The key each approval is verified with (trusted, or unanchored the recorded one). */
    private readonly judge: KeyJudge,
  ) {
    this.#rows = source.approvalRows();
  }

  /** The `seq` of the last event that held (0 before the first). */
  get previousSeq(): number {
    return this.#previousSeq;
  }

  /** The pending checkpoint failure due at `seq`, if any. */
  due(seq: number): Failure | undefined {
    const first = this.pending[0];
    return first !== undefined && first.seq <= seq ? first : undefined;
  }

  /** Checks one event; the first failure it shows, if any. */
  visit(item: SourceEvent): Failure | undefined {
    const early = this.due(this.#expectedSeq - 1);
    if (early) return early;
    const { columns } = item;
    if (
      columns !== undefined &&
      holdsStored(item, this.source.mode, this.#expectedSeq, this.#fast)
    ) {
      return this.#linked(item, columns.seq, columns.hash, columns.prevHash, columns.type);
    }
    const checked = checkParsedEvent(item, this.source.mode, this.#expectedSeq, this.#previousSeq);
    if ('code' in checked) return checked;
    return this.#linked(item, checked.seq, checked.hash, checked.prevHash, checked.type, checked);
  }

  /**
   * The checks after the event's own hash: its link to the previous event, its leaf in the tree (the signed root
   * at a checkpoint's size, or an inclusion proof in a subset), a `checkpoint.signed` event's record and an
   * `approval.accepted` event's token (queued). `body` is parsed from the text when a check needs it.
   */
  #linked(
    item: SourceEvent,
    seq: number,
    hash: string,
    prevHash: string,
    type: string,
    parsed?: LineageEvent,
  ): Failure | undefined {
    if (seq === this.#previousSeq + 1 && prevHash !== this.#previousHash) {
      return {
        code: 'CHAIN_BROKEN',
        ...where(seq, item),
        expected: this.#previousHash,
        found: prevHash,
        message: `Event ${seq} does not link to event ${this.#previousSeq}`,
      };
    }
    const signed = this.due(seq);
    if (signed) return signed;
    const placed =
      this.source.mode === 'complete'
        ? this.#rootAtCheckpoint(hash, item, seq)
        : proofFailure(item, seq, eventLeafHash(hash), this.checkpoints);
    if (placed) return placed;
    const missing = this.evidence(item, seq, type, parsed);
    if (missing) return missing;
    this.counts.events += 1;
    this.counts.headHash = hash;
    this.#previousSeq = seq;
    this.#previousHash = hash;
    this.#expectedSeq = seq + 1;
    return this.due(seq);
  }

  /**
   * The checks of what an event refers to, after its own checks held: a `checkpoint.signed` event's checkpoint
   * record, and an `approval.accepted` event's stored token (queued on `inflight`, counted, remembered). Other
   * types have none. `parsed` is the event when already parsed, else it is parsed from the item.
   */
  evidence(
    item: SourceEvent,
    seq: number,
    type: string,
    parsed?: LineageEvent,
  ): Failure | undefined {
    if (!isDeep(type)) return undefined;
    const body = parsed ?? eventOf(item);
    if (body === undefined) return undefined;
    const missing = this.#checkpointEvidence(body, item);
    if (missing) return missing;
    if (type === 'approval.accepted') {
      const check = this.#approvalEvidence(body, where(seq, item));
      // It rejects only when a trust anchor cannot be read: whoever awaits it gets that error; one left in flight
      // by an earlier failure must not become an unhandled rejection.
      check.catch(() => {});
      this.inflight.push(check);
      this.counts.approvals += 1;
      this.seenApprovals.add(String(body.refs.approval));
    }
    return undefined;
  }

  /** Adds the leaf; at a checkpoint's size the root must be the signed one. */
  #rootAtCheckpoint(hash: string, item: SourceEvent, seq: number): Failure | undefined {
    this.accumulator.pushEventHash(hash);
    const checkpoint = this.checkpoints.get(this.accumulator.size);
    if (checkpoint === undefined) return undefined;
    const root = `sha256:${hexOf(this.accumulator.root())}`;
    if (root === checkpoint.rootHash) return undefined;
    return {
      code: 'CHECKPOINT_ROOT_MISMATCH',
      ...where(seq, item),
      treeSize: checkpoint.treeSize,
      expected: checkpoint.rootHash,
      found: root,
      message: `The first ${checkpoint.treeSize} events do not have the signed Merkle root`,
    };
  }

  /** A `checkpoint.signed` event must have its checkpoint record (a complete source). */
  #checkpointEvidence(body: LineageEvent, item: SourceEvent): Failure | undefined {
    if (body.type !== 'checkpoint.signed' || this.source.mode !== 'complete') return undefined;
    const treeSize = Number(body.data.treeSize);
    if (this.checkpoints.get(treeSize)?.rootHash === body.refs.root) return undefined;
    return {
      code: 'CHECKPOINT_MISSING',
      ...where(body.seq, item),
      treeSize,
      message: `No checkpoint of ${treeSize} events with root ${body.refs.root} is stored`,
    };
  }

  /** An `approval.accepted` event's stored token must verify and match (see `checkRecordedApproval`). */
  async #approvalEvidence(body: LineageEvent, at: At): Promise<Failure | undefined> {
    const tokenDigest = String(body.refs.approval);
    const problem = await checkRecordedApproval(
      {
        tokenDigest,
        tenantId: body.tenantId,
        planId: body.planId,
        planDigest: body.refs.plan,
        data: body.data,
      },
      this.source.approvalToken(tokenDigest),
      this.judge,
      this.#rows?.get(tokenDigest),
    );
    return problem === undefined ? undefined : { ...problem, ...at };
  }
}

/** A subset event must carry an inclusion proof to a signed checkpoint. */
function proofFailure(
  item: SourceEvent,
  seq: number,
  leaf: Uint8Array,
  checkpoints: ReadonlyMap<number, SourceCheckpoint>,
): Failure | undefined {
  const treeSize = item.proof?.treeSize ?? 0;
  const root = bytesOfDigest(checkpoints.get(treeSize)?.rootHash ?? '');
  const path = (item.proof?.path ?? []).map((hex) => Buffer.from(hex, 'hex'));
  if (root && verifyInclusion(seq - 1, treeSize, leaf, path, root)) return undefined;
  return {
    code: 'INCLUSION_PROOF_INVALID',
    ...where(seq, item),
    treeSize,
    message: `Event ${seq} is not shown to be in the signed log of ${treeSize} events`,
  };
}
