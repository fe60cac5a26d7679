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

/**
 * The reads of the transparency log a transaction offers (`audit/log-proofs.ts` builds proofs from them; the
 * sequencer, `audit/sequencer.ts`, is the log's only writer).
 */
export interface LineageLogTx {
  /** The signed head of `treeSize` leaves, or the latest head when `treeSize` is undefined; undefined if none. */
  treeHead(treeSize?: number): Promise<TreeHeadRecord | undefined>;
  /** The event hashes of log indexes 0..treeSize-1, in log order (fewer when fewer are sequenced). */
  logLeaves(treeSize: number): Promise<string[]>;
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
