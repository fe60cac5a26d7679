import { MerkleAccumulator, type MerkleSubtree } from '@handoff/lineage';
import type Database from 'better-sqlite3';
import type { LineageRow } from './database-source.js';
import { type EventColumns, isDeep } from './lineage-source.js';
import { StoredEventCheck } from './stored-event.js';

/**
 * The part of verifying a database lineage that a worker thread does for one range of `seq` (see
 * `verifyInParallel`): every event's own checks on its stored text (`StoredEventCheck`), its `seq`, its link to
 * the event before it inside the range, and its leaf in the range's Merkle subtrees. The range's first link
 * (to the event before the range) is the coordinator's to check, and so are the events this cannot settle alone,
 * handed back as `deferred`: those the fast path does not take (they are checked on their parsed body) and those
 * whose checks read other records (`approval.accepted`, `checkpoint.signed`). A range that does not hold reports
 * `irregular`: it is no verdict, the coordinator then runs the serial verifier, which names the failure.
 */

/** A range of events to check: seqs `first..last`, leaf `first - 1` a multiple of the range's width. */
export interface RangeTask {
  index: number;
  first: number;
  last: number;
  /** True for the first range: rows below `first` (seq 0 or less) must not exist either. */
  opening: boolean;
  /** Checkpoint tree sizes in `first..last`, ascending: the subtrees are recorded at each. */
  checkpointSizes: readonly number[];
}

/** An event the coordinator checks itself: its stored text and its columns. */
export interface DeferredEvent {
  seq: number;
  text: string;
  columns: EventColumns;
  /** True when it held on its stored text here (`StoredEventCheck`): deferred for its evidence only. */
  held: boolean;
}

/** What a range showed. */
export interface RangeResult {
  index: number;
  /** The first seq at which the range did not hold on its own (a gap, a broken link, ...), if any. */
  irregular?: number;
  /** The first event's `prev_hash` (its link to the range before). */
  firstPrevHash: string;
  /** The last event's `hash`. */
  lastHash: string;
  /** The range's leaves as perfect subtrees, leftmost first. */
  subtrees: MerkleSubtree[];
  /** At each checkpoint size in the range, the subtrees of the range's leaves up to it. */
  checkpoints: { treeSize: number; subtrees: MerkleSubtree[] }[];
  deferred: DeferredEvent[];
}

/** Rows read per query (see `database-source.ts`: pages small enough to die young in V8's heap). */
const PAGE = 512;

/** Checks ranges of one read-only connection (one per worker). */
export class RangeChecker {
  readonly #page: Database.Statement;
  readonly #fast = new StoredEventCheck();

  constructor(db: Database.Database) {
    this.#page = db
      .prepare(
        `select seq, tenant_id, plan_id, type, actor_type, actor_id, occurred_at, body, prev_hash, hash
         from lineage_events where seq > ? and seq <= ? order by seq limit ${PAGE}`,
      )
      .raw();
  }

  /** Checks `task`'s range (see the module comment). */
  check(task: RangeTask): RangeResult {
    const result: RangeResult = {
      index: task.index,
      firstPrevHash: '',
      lastHash: '',
      subtrees: [],
      checkpoints: [],
      deferred: [],
    };
    const accumulator = new MerkleAccumulator();
    let sizes = 0;
    let expected = task.first;
    let after = task.opening ? Number.MIN_SAFE_INTEGER : task.first - 1;
    try {
      for (;;) {
        const rows = this.#page.all(after, task.last) as LineageRow[];
        for (const row of rows) {
          if (!this.#event(row, expected, result)) {
            result.irregular = expected;
            return result;
          }
          accumulator.pushEventHash(row[9]);
          if (sizes < task.checkpointSizes.length && task.checkpointSizes[sizes] === expected) {
            result.checkpoints.push({ treeSize: expected, subtrees: accumulator.subtrees() });
            sizes += 1;
          }
          result.lastHash = row[9];
          expected += 1;
        }
        if (rows.length < PAGE) break;
        after = (rows.at(-1) as LineageRow)[0];
      }
    } catch {
      result.irregular = expected;
      return result;
    }
    if (expected !== task.last + 1) result.irregular = expected;
    result.subtrees = accumulator.subtrees();
    return result;
  }

  /** One event's own checks and its link inside the range; false when it does not hold. */
  #event(row: LineageRow, expected: number, result: RangeResult): boolean {
    const [seq, tenantId, planId, type, actorType, actorId, occurredAt, text, prevHash, hash] = row;
    // A hash that is not a digest fails the check below, or `pushEventHash` throws: the range is irregular.
    if (seq !== expected || typeof text !== 'string') return false;
    if (result.lastHash === '') result.firstPrevHash = prevHash;
    else if (prevHash !== result.lastHash) return false;
    const columns = { seq, tenantId, planId, type, actorType, actorId, occurredAt, prevHash, hash };
    const held = this.#fast.holds(text, columns);
    if (!held || isDeep(type)) result.deferred.push({ seq, text, columns, held });
    return true;
  }
}
