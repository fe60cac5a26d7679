import { availableParallelism } from 'node:os';
import { hexOf, MerkleAccumulator } from '@handoff/lineage';
import { GENESIS_HASH, type LineageEvent } from '@handoff/protocol';
import { ChainWalker } from './chain-walker.js';
import { checkParsedEvent } from './event-check.js';
import type { LineageSource, SourceCheckpoint, SourceEvent } from './lineage-source.js';
import type { DeferredEvent, RangeResult, RangeTask } from './range-check.js';
import { checkRangesInWorkers } from './range-pool.js';
import type { KeyJudge } from './trust-anchors.js';
import type {
  VerificationCounts,
  VerificationFailure,
  VerificationReport,
} from './verification-failure.js';

/** How {@link verifyInParallel} splits the work. */
export interface ParallelVerifyOptions {
  /** Worker threads (default: the cores available, at most 4). */
  threads?: number;
  /** Events per range handed to a worker: a power of two (default 16,384). */
  rangeEvents?: number;
  /** Called after each range, in order, with the events checked so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Default events per range: about 0.15 s of one core's work (a thread idles at most that long at the end). */
export const RANGE_EVENTS = 16_384;
/** Approval verifications in flight at most (as the serial walk). */
const WINDOW = 64;
/** `mmap_size` of the workers' connections, as `openDatabaseSource`. */
const MMAP_BYTES = 2 ** 31;

/** The default number of worker threads: the cores available, at most 4. */
export function defaultThreads(): number {
  return Math.min(availableParallelism(), 4);
}

/**
 * Verifies the lineage of the database file `file` (the file of `source`, opened read-only) on worker threads,
 * and returns the report only when the whole lineage holds; `undefined` means "not shown to hold here": the
 * caller then runs the serial walk, which finds and names the first failure exactly as it always does. Each
 * worker checks ranges of `seq` on its own connection (`RangeChecker`: the stored-event check, seq continuity,
 * links and leaves inside the range); here, in order: every link between ranges (the first to GENESIS_HASH),
 * the Merkle root at each checkpoint's size and at the end (from the ranges' perfect subtrees, RFC 9162's split
 * being on powers of two), and every event a worker deferred, with the serial walk's own functions (the full
 * check of an event the fast path did not take, a checkpoint event's record, an approval's token). Every check
 * of the serial walk runs on every event; none is sampled.
 *
 * Call it only when the checkpoint signatures all verified (`pending` empty): a failure there is the serial
 * walk's to report at its seq.
 */
export async function verifyInParallel(
  source: LineageSource,
  file: string,
  checkpoints: ReadonlyMap<number, SourceCheckpoint>,
  counts: VerificationCounts,
  judge: KeyJudge,
  options: ParallelVerifyOptions = {},
): Promise<VerificationReport | undefined> {
  const total = source.expectedEvents ?? 0;
  const width = options.rangeEvents ?? RANGE_EVENTS;
  if (!(Number.isSafeInteger(width) && width > 0 && Number.isInteger(Math.log2(width)))) {
    throw new RangeError(`Events per range must be a power of two, not ${width}`);
  }
  // A checkpoint beyond the last event: the serial walk reports the cut tail.
  if (source.mode !== 'complete' || [...checkpoints.keys()].some((size) => size > total)) {
    return undefined;
  }
  const inflight: Promise<VerificationFailure | undefined>[] = [];
  const walker = new ChainWalker(source, checkpoints, [], counts, inflight, judge);
  const tree = new MerkleAccumulator();
  let head: string = GENESIS_HASH;
  const tasks = rangesOf(total, width, [...checkpoints.keys()]);
  if (tasks.length === 0) return undefined;
  try {
    const results = checkRangesInWorkers(file, tasks, {
      threads: options.threads ?? defaultThreads(),
      mmapBytes: MMAP_BYTES,
    });
    for await (const range of results) {
      if (!joins(range, head, tree, checkpoints)) return undefined;
      for (const event of range.deferred) {
        if (walker.evidence(...deferredItem(event)) !== undefined) return undefined;
        if (inflight.length >= WINDOW && (await inflight.shift()) !== undefined) return undefined;
      }
      head = range.lastHash;
      counts.events = (tasks[range.index] as RangeTask).last;
      options.onProgress?.(counts.events, total);
    }
  } catch {
    // A worker that could not start or failed, or an event that is not what its range said: no verdict here.
    return undefined;
  }
  if ((await Promise.all(inflight)).some((failure) => failure !== undefined)) return undefined;
  const rows = source.approvalRows();
  if ([...(rows?.keys() ?? [])].some((digest) => !walker.seenApprovals.has(digest))) {
    return undefined;
  }
  counts.headHash = head;
  counts.rootHash = `sha256:${hexOf(tree.root())}`;
  return { ok: true, ...counts };
}

/** Ranges of `width` events over seqs 1..total, each with the checkpoint sizes inside it. */
function rangesOf(total: number, width: number, sizes: readonly number[]): RangeTask[] {
  const sorted = [...sizes].sort((a, b) => a - b);
  const tasks: RangeTask[] = [];
  for (let first = 1; first <= total; first += width) {
    const last = Math.min(total, first + width - 1);
    tasks.push({
      index: tasks.length,
      first,
      last,
      opening: first === 1,
      checkpointSizes: sorted.filter((size) => size >= first && size <= last),
    });
  }
  return tasks;
}

/**
 * True when `range` held on its own, links to `head` (the hash before it), and the tree with its leaves has the
 * signed root at each checkpoint inside it; its subtrees are then added to `tree`.
 */
function joins(
  range: RangeResult,
  head: string,
  tree: MerkleAccumulator,
  checkpoints: ReadonlyMap<number, SourceCheckpoint>,
): boolean {
  if (range.irregular !== undefined || range.firstPrevHash !== head) return false;
  for (const at of range.checkpoints) {
    const upTo = tree.clone();
    for (const subtree of at.subtrees) upTo.pushSubtree(subtree.root, subtree.height);
    if (`sha256:${hexOf(upTo.root())}` !== checkpoints.get(at.treeSize)?.rootHash) return false;
  }
  for (const subtree of range.subtrees) tree.pushSubtree(subtree.root, subtree.height);
  return true;
}

/**
 * A deferred event checked as the serial walk checks it at its seq, as the arguments of `ChainWalker.evidence`:
 * its worker ran the fast path on its stored text (`held`), the same check the serial walk runs first; when that
 * did not hold, the full check runs here on its parsed body.
 *
 * @throws Error when its own checks do not hold (a verdict only the serial walk gives).
 */
function deferredItem(
  event: DeferredEvent,
): [SourceEvent, number, string, LineageEvent | undefined] {
  const item: SourceEvent = {
    body: undefined,
    text: event.text,
    columns: event.columns,
    position: event.seq,
  };
  if (event.held) {
    return [item, event.seq, event.columns.type, undefined];
  }
  const checked = checkParsedEvent(item, 'complete', event.seq, event.seq - 1);
  if ('code' in checked) throw new Error(`Event ${event.seq} does not hold`);
  return [item, event.seq, checked.type, checked];
}
