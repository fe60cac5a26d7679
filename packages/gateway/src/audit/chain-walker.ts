import {
  ChainCheck,
  chainKey,
  inclusionFailure,
  LogCheck,
  type LogTreeHead,
  parseEvent,
  type VerificationCounts,
  type VerificationFailure,
} from '@handoff/lineage';
import type { LineageEvent } from '@handoff/protocol';
import { checkRecordedApproval } from './approval-evidence.js';
import { columnFailure, where } from './event-check.js';
import {
  isDeep,
  type LineageSource,
  type SourceApprovalRow,
  type SourceCheckpoint,
  type SourceEvent,
} from './lineage-source.js';
import type { KeyJudge } from './trust-anchors.js';

type Failure = VerificationFailure;
type At = { seq: number; chain?: string; line?: number };

/**
 * The per-event checks of `verifyLineage` (steps 2 and 3 of its list), one event at a time, in the order the
 * source gives them (log order; each chain's events in `seq` order): each {@link visit} returns the first
 * failure the event shows, if any. One path for every event: `JSON.parse`, then the chain checks of
 * `@handoff/lineage` (`ChainCheck`: RFC 8785, SHA-256, the link to the previous event of its chain), the
 * columns of a database row, its leaf in the log (`LogCheck`, or an inclusion proof in a subset), then what it
 * refers to. Approval tokens are verified asynchronously: their checks are pushed to `inflight` for the caller
 * to settle in order.
 */
export class ChainWalker {
  /** Token digests of the `approval.accepted` events seen. */
  readonly seenApprovals = new Set<string>();
  readonly log: LogCheck;
  readonly #chains: ChainCheck;
  readonly #rows: ReadonlyMap<string, SourceApprovalRow> | undefined;

  constructor(
    private readonly source: LineageSource,
    private readonly checkpoints: ReadonlyMap<number, SourceCheckpoint & LogTreeHead>,
    /** Checkpoint failures found up front, sorted by seq (their tree size): reported once the log reaches it. */
    private readonly pending: readonly Failure[],
    private readonly counts: VerificationCounts,
    /** Approval checks in flight, oldest first: the caller settles them in order. */
    private readonly inflight: Promise<Failure | undefined>[],
    /** The key each approval is verified with (trusted, or unanchored the recorded one). */
    private readonly judge: KeyJudge,
    /** True when the chain checks run elsewhere (the chain workers of `verifyLineage`, the same `ChainCheck`). */
    private readonly chainsChecked = false,
  ) {
    this.#rows = source.approvalRows();
    this.#chains = new ChainCheck(source.mode);
    this.log = new LogCheck(checkpoints);
  }

  /** The pending checkpoint failure due once the log has `size` leaves, if any. */
  due(size: number): Failure | undefined {
    const first = this.pending[0];
    return first !== undefined && first.seq <= size ? first : undefined;
  }

  /** Checks one event; the first failure it shows, if any. */
  visit(item: SourceEvent): Failure | undefined {
    const early = this.due(this.log.size);
    if (early) return early;
    const { columns } = item;
    const event = parseEvent(item.text ?? item.body);
    // An unreadable export line names no seq: it is reported at the next leaf of the log.
    const at = where(columns?.seq ?? this.log.size + 1, item);
    if (event === undefined) {
      return { code: 'BODY_MALFORMED', ...at, message: 'The event is not a lineage event' };
    }
    const key = chainKey(event);
    const located = where(event.seq, item, key);
    const failure =
      columnFailure(columns, event, where(columns?.seq ?? event.seq, item, key)) ??
      (this.chainsChecked ? undefined : this.#chains.check(event, item));
    if (failure) return failure;
    const logIndex =
      item.logIndex === undefined
        ? event.chain === undefined
          ? event.seq - 1
          : null
        : item.logIndex;
    // A checkpoint that failed its own checks is reported at the leaf it ends on, before that leaf's root.
    const signed = logIndex === null ? undefined : this.due(logIndex + 1);
    if (signed) return signed;
    const problem =
      this.#placed(item, logIndex, event.hash, located) ?? this.evidence(event, located);
    if (problem) return problem;
    this.counts.events += 1;
    this.counts.headHash = event.hash;
    return this.due(this.source.mode === 'complete' ? this.log.size : (logIndex ?? -1) + 1);
  }

  /**
   * The event's leaf: appended to the log at its log index (the source's, else `seq - 1` for a format-1
   * event; an unsequenced event, `null`, has none yet), or, in a subset, shown included by its proof.
   */
  #placed(item: SourceEvent, logIndex: number | null, hash: string, at: At): Failure | undefined {
    if (logIndex === null) return undefined;
    return this.source.mode === 'complete'
      ? this.log.append(hash, logIndex, at)
      : inclusionFailure(hash, logIndex, item.proof, this.checkpoints, at);
  }

  /**
   * The checks of what an event refers to, after its own checks held: a `checkpoint.signed` event's checkpoint
   * record, and an `approval.accepted` event's stored token (queued on `inflight`, counted, remembered). Other
   * types have none.
   */
  evidence(body: LineageEvent, at: At): Failure | undefined {
    if (!isDeep(body.type)) return undefined;
    const missing = this.#checkpointEvidence(body, at);
    if (missing) return missing;
    if (body.type === 'approval.accepted') {
      const check = this.#approvalEvidence(body, at);
      // It rejects only when a trust anchor cannot be read: whoever awaits it gets that error; one left in flight
      // by an earlier failure must not become an unhandled rejection.
      check.catch(() => {});
      this.inflight.push(check);
      this.counts.approvals += 1;
      this.seenApprovals.add(String(body.refs.approval));
    }
    return undefined;
  }

  /** A `checkpoint.signed` event must have its checkpoint record (a complete source). */
  #checkpointEvidence(body: LineageEvent, at: At): Failure | undefined {
    if (body.type !== 'checkpoint.signed' || this.source.mode !== 'complete') return undefined;
    const treeSize = Number(body.data.treeSize);
    if (this.checkpoints.get(treeSize)?.rootHash === body.refs.root) return undefined;
    return {
      code: 'CHECKPOINT_MISSING',
      ...at,
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
      await this.source.approvalToken(tokenDigest),
      this.judge,
      this.#rows?.get(tokenDigest),
    );
    return problem === undefined ? undefined : { ...problem, ...at };
  }
}
