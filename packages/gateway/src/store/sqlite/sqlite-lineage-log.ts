import type Database from 'better-sqlite3';
import type { LineageLogTx, LogEntry, TreeHeadRecord } from '../lineage-log.js';

const HEAD_COLUMNS =
  'tree_size as treeSize, root_hash as rootHash, signed_at as signedAt, kid, signature';

/**
 * The transparency log's reads on SQLite ({@link LineageLogTx}): `lineage_checkpoints` by tree size, and
 * `lineage_events` by `log_index` (its unique index). Statements are prepared once.
 */
export class SqliteLineageLog implements LineageLogTx {
  readonly #latest;
  readonly #headAt;
  readonly #leaves;
  readonly #byIndex;
  readonly #byHash;

  constructor(sqlite: Database.Database) {
    this.#latest = sqlite.prepare(
      `select ${HEAD_COLUMNS} from lineage_checkpoints order by tree_size desc limit 1`,
    );
    this.#headAt = sqlite.prepare(
      `select ${HEAD_COLUMNS} from lineage_checkpoints where tree_size = ?`,
    );
    this.#leaves = sqlite
      .prepare('select hash from lineage_events where log_index < ? order by log_index')
      .pluck();
    this.#byIndex = sqlite.prepare(
      'select log_index as logIndex, hash from lineage_events where log_index = ? and tenant_id = ?',
    );
    this.#byHash = sqlite.prepare(
      `select log_index as logIndex, hash from lineage_events indexed by lineage_tenant
       where tenant_id = ? and hash = ? and log_index is not null`,
    );
  }

  async treeHead(treeSize?: number): Promise<TreeHeadRecord | undefined> {
    const row = treeSize === undefined ? this.#latest.get() : this.#headAt.get(treeSize);
    return row as TreeHeadRecord | undefined;
  }

  async logLeaves(treeSize: number): Promise<string[]> {
    return this.#leaves.all(treeSize) as string[];
  }

  async logEntry(
    tenantId: string,
    by: { eventHash: string } | { logIndex: number },
  ): Promise<LogEntry | undefined> {
    const row =
      'logIndex' in by
        ? this.#byIndex.get(by.logIndex, tenantId)
        : this.#byHash.get(tenantId, by.eventHash);
    return row as LogEntry | undefined;
  }
}
