import type Database from 'better-sqlite3';
import type { LineageLogTx, LogEntry, TreeHeadRecord, UnsequencedEvent } from '../lineage-log.js';

const HEAD_COLUMNS =
  'tree_size as treeSize, root_hash as rootHash, signed_at as signedAt, kid, signature';

/**
 * The transparency log on SQLite ({@link LineageLogTx}): `lineage_checkpoints` by tree size, and
 * `lineage_events` by `log_index` (its unique index, NULLs first in `id` order: the unsequenced events). One
 * connection writes at a time, so the sequencer election always succeeds. Statements are prepared once.
 */
export class SqliteLineageLog implements LineageLogTx {
  readonly #latest;
  readonly #headAt;
  readonly #headsAfter;
  readonly #insertHead;
  readonly #leaves;
  readonly #byIndex;
  readonly #byHash;
  readonly #size;
  readonly #unsequenced;
  readonly #assign;

  constructor(sqlite: Database.Database) {
    this.#latest = sqlite.prepare(
      `select ${HEAD_COLUMNS} from lineage_checkpoints order by tree_size desc limit 1`,
    );
    this.#headAt = sqlite.prepare(
      `select ${HEAD_COLUMNS} from lineage_checkpoints where tree_size = ?`,
    );
    this.#headsAfter = sqlite.prepare(
      `select ${HEAD_COLUMNS} from lineage_checkpoints where tree_size > ? order by tree_size`,
    );
    this.#insertHead = sqlite.prepare(
      `insert into lineage_checkpoints (tree_size, root_hash, signed_at, kid, signature)
       values (@treeSize, @rootHash, @signedAt, @kid, @signature)`,
    );
    this.#leaves = sqlite
      .prepare(
        'select hash from lineage_events where log_index >= ? and log_index < ? order by log_index',
      )
      .pluck();
    this.#byIndex = sqlite.prepare(
      'select log_index as logIndex, hash from lineage_events where log_index = ? and tenant_id = ?',
    );
    this.#byHash = sqlite.prepare(
      `select log_index as logIndex, hash from lineage_events indexed by lineage_tenant
       where tenant_id = ? and hash = ? and log_index is not null`,
    );
    this.#size = sqlite.prepare('select max(log_index) from lineage_events').pluck();
    this.#unsequenced = sqlite.prepare(
      `select id, hash from lineage_events indexed by lineage_log_index
       where log_index is null order by id limit ?`,
    );
    this.#assign = sqlite.prepare(
      'update lineage_events set log_index = ? where id = ? and log_index is null',
    );
  }

  async leadSequencer(): Promise<boolean> {
    return true;
  }

  async logSize(): Promise<number> {
    return ((this.#size.get() as number | null) ?? -1) + 1;
  }

  async unsequencedEvents(limit: number): Promise<UnsequencedEvent[]> {
    return this.#unsequenced.all(limit) as UnsequencedEvent[];
  }

  async assignLogIndexes(firstIndex: number, ids: readonly number[]): Promise<void> {
    ids.forEach((id, offset) => {
      if (this.#assign.run(firstIndex + offset, id).changes !== 1) {
        throw new Error(`Lineage event ${id} is unknown or already sequenced`);
      }
    });
  }

  async insertTreeHead(head: TreeHeadRecord): Promise<void> {
    this.#insertHead.run(head);
  }

  async treeHeadsAfter(afterSize: number): Promise<TreeHeadRecord[]> {
    return this.#headsAfter.all(afterSize) as TreeHeadRecord[];
  }

  async treeHead(treeSize?: number): Promise<TreeHeadRecord | undefined> {
    const row = treeSize === undefined ? this.#latest.get() : this.#headAt.get(treeSize);
    return row as TreeHeadRecord | undefined;
  }

  async logLeaves(treeSize: number, from = 0): Promise<string[]> {
    return this.#leaves.all(from, treeSize) as string[];
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
