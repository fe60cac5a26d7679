/**
 * A signed tree head of the lineage's transparency log as stored in `lineage_checkpoints`: `treeSize` leaves (log
 * indexes 0..treeSize-1), their RFC 9162 root, when it was signed (epoch ms), the signing key and the JWS.
 */
export interface TreeHeadRecord {
  treeSize: number;
  rootHash: `sha256:${string}`;
  signedAt: number;
  kid: string;
  signature: string;
}

/** One sequenced event as the log holds it: its log index and its `hash`. */
export interface LogEntry {
  logIndex: number;
  hash: string;
}

/** A committed lineage event not yet in the log: its insertion position (the store's `id`) and its `hash`. */
export interface UnsequencedEvent {
  id: number;
  hash: string;
}

/**
 * The transparency log as a transaction offers it: reads (`audit/log-proofs.ts` builds proofs from them) and the
 * sequencer's writes (`audit/sequencer.ts`, the log's only writer, runs no SQL of its own). Log indexes run 0, 1,
 * ... with no gap; `log_index` is unique and only ever set from null.
 */
export interface LineageLogTx {
  /**
   * Elects this transaction's replica the sequencer for the rest of the transaction (issue 15, brief decision 5):
   * PostgreSQL `select pg_try_advisory_xact_lock(<constant bigint>)` (transaction-level, never session-level: it
   * is released by the commit or rollback, and cannot leak behind a connection pooler); SQLite: always true (one
   * writer). Call it first in the sequencer's batch transaction and skip the round when false.
   */
  leadSequencer(): Promise<boolean>;
  /** The log's size: the highest `log_index` + 1, 0 when nothing is sequenced. */
  logSize(): Promise<number>;
  /** The oldest committed events without a log index, in `id` order, at most `limit`. */
  unsequencedEvents(limit: number): Promise<UnsequencedEvent[]>;
  /**
   * Gives the events of `ids` the log indexes `firstIndex`, `firstIndex + 1`, ... in the order given.
   *
   * @throws Error when an id is unknown or already has a log index (nothing of the call is kept then: the caller's
   *   transaction fails), or on a `log_index` unique-key clash.
   */
  assignLogIndexes(firstIndex: number, ids: readonly number[]): Promise<void>;
  /** Stores a signed tree head. @throws the store's unique-key error when a head of that `treeSize` exists. */
  insertTreeHead(head: TreeHeadRecord): Promise<void>;
  /** Every stored head with `treeSize > afterSize`, oldest first (the witness file's catch-up, the log check). */
  treeHeadsAfter(afterSize: number): Promise<TreeHeadRecord[]>;
  /** The signed head of `treeSize` leaves, or the latest head when `treeSize` is undefined; undefined if none. */
  treeHead(treeSize?: number): Promise<TreeHeadRecord | undefined>;
  /**
   * The event hashes of log indexes `from`..treeSize-1 (`from` default 0), in log order (fewer when fewer are
   * sequenced: a gap shows as a short answer).
   */
  logLeaves(treeSize: number, from?: number): Promise<string[]>;
  /**
   * One sequenced event of `tenantId`, by its hash or its log index; undefined when there is none (unknown, not
   * yet sequenced, or another tenant's: not told apart). By hash, the tenant's events are scanned (there is no
   * index on hashes, see `schema.ts`).
   */
  logEntry(
    tenantId: string,
    by: { eventHash: string } | { logIndex: number },
  ): Promise<LogEntry | undefined>;
}
