import {
  type CheckpointKey,
  eventLeafHash,
  hexOf,
  MerkleAccumulator,
  signTreeHead,
  type TreeHead,
} from '@handoff/lineage';
import type { Digest } from '@handoff/protocol';
import { type Clock, toIso } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { LineageLogTx, TreeHeadRecord } from '../store/lineage-log.js';
import type { GatewayStore, StoreTx } from '../store/store.js';
import type { WitnessFile, WitnessLine } from './witness-file.js';

/** A signed tree head as stored in `lineage_checkpoints` (`signedAt` in epoch ms, `signature` the JWS). */
export type CheckpointRecord = TreeHeadRecord;

/** Most events one batch sequences when `checkpoints.maxBatch` is not set. */
export const DEFAULT_MAX_BATCH = 1_000;

/** Options of {@link Sequencer}. */
export interface SequencerOptions {
  /** The gateway's tree head signing key (see `importCheckpointKey`). */
  key: CheckpointKey;
  /** The signing gateway's id: in every tree head, and the tenant of its `control.key_registered` event. */
  gatewayId: string;
  clock: Clock;
  /** Where each signed tree head is also appended, outside the database (`checkpoints.witnessFile`). */
  witness?: WitnessFile;
  /** Most events one batch sequences (default {@link DEFAULT_MAX_BATCH}). */
  maxBatch?: number;
  /**
   * Test seams for crash tests: `beforeCommit` runs inside the batch's transaction after every write of it,
   * `beforeWitness` after its commit and before the witness append. A hook that throws fails the batch there.
   */
  hooks?: { beforeCommit?: () => void; beforeWitness?: () => void };
}

/**
 * The single sequencer of the lineage's transparency log (issue 14; Certificate Transparency's "merge" step,
 * RFC 9162 section 4.1's maximum merge delay). Events are committed to their plan or tenant chains with
 * `log_index` NULL; each {@link sequence} call (a batch) takes the committed unsequenced events in `id` order
 * (at most `maxBatch`), gives them the next log indexes, extends the RFC 9162 tree (section 2.1; the leaf of an
 * event is the leaf hash of its `hash` bytes), signs one tree head over the whole log, stores it in
 * `lineage_checkpoints` (its key in `keys`, purpose `checkpoint`; the first use of a kid also recorded as
 * `control.key_registered`), all in ONE transaction, and only after that transaction committed appends the head
 * to the witness file.
 *
 * That order is what makes a crash safe: killed before the commit, nothing of the batch exists (the same events
 * are still unsequenced, and the next batch takes them in the same order); killed after the commit and before
 * the witness append, the database holds a head the witness lacks, and the next call appends every stored head
 * newer than the witness's last line first. So no event is lost or sequenced twice (`log_index` is unique and
 * only ever set from NULL), and the witness never holds a head the database cannot prove.
 *
 * The tree is kept in memory as an accumulator (O(log n)) and checked against the store at every batch (issue 15:
 * another replica may have sequenced since): each batch transaction first elects this replica the sequencer
 * (`leadSequencer`, a transaction-level advisory lock on PostgreSQL; the round is skipped when another holds it),
 * then reads the log's size and latest stored head. A log grown by another sequencer is read on from where the
 * accumulator stands; the first call reads every sequenced leaf (about a second per million events). Either way
 * it checks that `log_index` runs 0, 1, ... with no gap, that every stored head's root is the root at its size,
 * and that the witness file is not ahead of the database (a database restored from an older copy, or cut, must
 * not be extended into a fork); it refuses to sign otherwise. The sequencer runs no SQL: every read and write is
 * a {@link LineageLogTx} method of the store.
 */
export class Sequencer {
  readonly #store: GatewayStore;
  readonly #options: SequencerOptions;
  readonly #maxBatch: number;
  #accumulator: MerkleAccumulator | undefined;
  #lastBatch = 0;
  /** The batch under way: calls run one after another (the timer's, `sequenceAll`'s, a CLI's). */
  #running: Promise<unknown> = Promise.resolve();

  constructor(store: GatewayStore, options: SequencerOptions) {
    this.#store = store;
    this.#options = options;
    this.#maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
  }

  /** Events the last {@link sequence} call sequenced (0 when none was waiting). */
  get lastBatchSize(): number {
    return this.#lastBatch;
  }

  /** Events sequenced so far (the tree size), once the sequencer has loaded the log; 0 before. */
  get treeSize(): number {
    return this.#accumulator?.size ?? 0;
  }

  /**
   * Sequences one batch: the oldest committed unsequenced events (at most `maxBatch`), one signed tree head.
   * Heads stored but missing from the witness file (a crash after an earlier commit) are appended first.
   *
   * @returns the new head, or `undefined` when no event was waiting.
   * @throws GatewayError `INTERNAL` when the log has a gap, no longer matches a stored head, or is behind the
   *   witness file (nothing is written then: run `handoff lineage verify --against`), or the witness file cannot
   *   be appended to (the head is stored and is appended by the next call).
   */
  sequence(): Promise<CheckpointRecord | undefined> {
    const batch = this.#running.then(() => this.#batch());
    this.#running = batch.catch(() => undefined);
    return batch;
  }

  /** One batch, as {@link sequence} says. */
  async #batch(): Promise<CheckpointRecord | undefined> {
    let accumulator: MerkleAccumulator | undefined;
    let before = this.treeSize;
    let sequenced = 0;
    this.#lastBatch = 0;
    const record = await this.#store.transaction(async (tx) => {
      // Another replica sequencing now: this round is skipped (its head reaches the witness on a later call).
      if (!(await tx.leadSequencer())) return undefined;
      accumulator = await this.#current(tx);
      const grown = accumulator;
      before = grown.size;
      let pending = await tx.unsequencedEvents(this.#maxBatch);
      if (pending.length === 0) return undefined;
      const { key, gatewayId, clock } = this.#options;
      const now = clock.now();
      // A kid's first head also records the key, as an event of this same batch (when it fits).
      if ((await tx.getKey('checkpoint', key.kid)) === undefined) {
        await tx.rememberKey('checkpoint', key.kid, JSON.stringify(key.publicJwk), now);
        await tx.appendLineage([
          {
            tenantId: gatewayId,
            actor: { type: 'system', id: 'sequencer' },
            type: 'control.key_registered',
            occurredAt: now,
            data: { purpose: 'checkpoint', kid: key.kid, alg: 'EdDSA' },
          },
        ]);
        pending = await tx.unsequencedEvents(this.#maxBatch);
      }
      await tx.assignLogIndexes(
        grown.size,
        pending.map((event) => event.id),
      );
      for (const event of pending) grown.push(eventLeafHash(event.hash));
      sequenced = pending.length;
      const rootHash: Digest = `sha256:${hexOf(grown.root())}`;
      const head: TreeHead = {
        kind: 'LineageTreeHead',
        gatewayId,
        treeSize: grown.size,
        rootHash,
        signedAt: toIso(now),
      };
      const signed: CheckpointRecord = {
        treeSize: head.treeSize,
        rootHash,
        signedAt: now,
        kid: key.kid,
        signature: await signTreeHead(head, key),
      };
      await tx.insertTreeHead(signed);
      this.#options.hooks?.beforeCommit?.();
      return signed;
    });
    // Committed: the tree now has the batch's leaves (or another replica's, read by this batch).
    if (accumulator !== undefined) this.#accumulator = accumulator;
    if (record !== undefined) this.#lastBatch = sequenced;
    this.#options.hooks?.beforeWitness?.();
    await this.#publish(before, record);
    return record;
  }

  /**
   * Sequences until no committed event is waiting (one head per batch of at most `maxBatch`).
   *
   * @returns the last head signed, or `undefined` when nothing was waiting.
   * @throws GatewayError as {@link sequence}.
   */
  async sequenceAll(): Promise<CheckpointRecord | undefined> {
    let last: CheckpointRecord | undefined;
    for (;;) {
      const record = await this.sequence();
      if (record === undefined) return last;
      last = record;
    }
  }

  /**
   * Appends to the witness file every stored head newer than its last line, oldest first: `record` alone when
   * the witness was up to date before it (the usual case: no read), else what the database holds.
   */
  async #publish(before: number, record: CheckpointRecord | undefined): Promise<void> {
    const witness = this.#options.witness;
    if (witness === undefined) return;
    const after = witness.lastTreeSize();
    if (after === this.treeSize) return;
    if (record !== undefined && after === before) {
      witness.append(witnessLineOf(record));
      return;
    }
    const heads = await this.#store.transaction((tx) => tx.treeHeadsAfter(after));
    for (const head of heads) witness.append(witnessLineOf(head));
  }

  /**
   * The tree at the store's log as this transaction sees it: the cached accumulator (a copy: a rolled-back batch
   * leaves the cache alone) extended by whatever another sequencer added since, or the whole log read on the first
   * call; checked as the class comment says.
   *
   * @throws GatewayError `INTERNAL` when it does not hold.
   */
  async #current(tx: StoreTx): Promise<MerkleAccumulator> {
    const size = await tx.logSize();
    const cached = this.#accumulator?.clone();
    if (cached !== undefined && size < cached.size) {
      throw new GatewayError(
        'INTERNAL',
        `The log changed under the sequencer (${cached.size} events expected): not signing`,
      );
    }
    const accumulator = await extendLog(tx, cached ?? new MerkleAccumulator(), size);
    if (cached === undefined) {
      const witnessed = this.#options.witness?.lastTreeSize() ?? 0;
      if (witnessed > accumulator.size) {
        throw new GatewayError(
          'INTERNAL',
          `The witness file has a tree head of ${witnessed} events but the log only ${accumulator.size}: the database was cut or restored from an older copy; not signing`,
        );
      }
    }
    return accumulator;
  }
}

/**
 * Pushes the log's leaves from `accumulator.size` up to `size` onto `accumulator`, checking that they run with no
 * gap, that every stored head among them (and the latest stored head) has the root at its size, and that no
 * stored head is larger than the log.
 *
 * @throws GatewayError `INTERNAL` when it does not hold.
 */
async function extendLog(
  tx: LineageLogTx,
  accumulator: MerkleAccumulator,
  size: number,
): Promise<MerkleAccumulator> {
  const from = accumulator.size;
  const leaves = await tx.logLeaves(size, from);
  if (leaves.length !== size - from) {
    throw new GatewayError('INTERNAL', `The log has a gap below index ${size}: not signing`);
  }
  const heads = await tx.treeHeadsAfter(from > 0 ? from - 1 : 0);
  const roots = new Map(heads.map((head) => [head.treeSize, head.rootHash]));
  const check = () => {
    const root = roots.get(accumulator.size);
    if (root !== undefined && root !== `sha256:${hexOf(accumulator.root())}`) {
      throw new GatewayError(
        'INTERNAL',
        `The log no longer matches its tree head of size ${accumulator.size}: not signing over it`,
      );
    }
  };
  check();
  for (const hash of leaves) {
    accumulator.push(eventLeafHash(hash));
    check();
  }
  const newest = heads.at(-1)?.treeSize ?? 0;
  if (newest > accumulator.size) {
    throw new GatewayError(
      'INTERNAL',
      `The log holds ${accumulator.size} events but a tree head of ${newest} is stored: not signing`,
    );
  }
  return accumulator;
}

/** The witness file line of a stored head. */
export function witnessLineOf(head: CheckpointRecord): WitnessLine {
  return {
    kind: 'LineageTreeHead',
    treeSize: head.treeSize,
    rootHash: head.rootHash,
    signedAt: toIso(head.signedAt),
    kid: head.kid,
    jws: head.signature,
  };
}

/**
 * Runs the sequencer every `intervalMs` milliseconds and, between ticks, as soon as `maxBatch` events were
 * appended (`notify` counts them: the store's `onLineageAppended`), whichever comes first; a full batch is
 * followed at once by the next. One batch runs at a time. A failed batch is reported to `onError` and retried at
 * the next tick. The timer does not keep the process alive.
 */
export function startSequencing(
  sequencer: Pick<Sequencer, 'sequence' | 'lastBatchSize'>,
  options: { intervalMs: number; maxBatch: number },
  onError: (error: unknown) => void,
): { stop(): Promise<void>; notify(appended: number): void } {
  let running: Promise<void> | undefined;
  let appended = 0;
  let stopped = false;
  const run = () => {
    if (running || stopped) return;
    appended = 0;
    running = sequencer
      .sequence()
      .then(
        () => sequencer.lastBatchSize >= options.maxBatch,
        (error: unknown) => {
          onError(error);
          return false;
        },
      )
      .then((full) => {
        running = undefined;
        if (full || appended >= options.maxBatch) setImmediate(run);
      });
  };
  const timer = setInterval(run, options.intervalMs);
  timer.unref();
  return {
    notify(count: number) {
      appended += count;
      if (appended >= options.maxBatch) run();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
