import type Database from 'better-sqlite3';
import type { TreeHeadRecord } from '../lineage-log.js';
import type {
  ApprovalTokenRow,
  LineageReads,
  LineageRowFilter,
  LineageRowPage,
  PlanKey,
  RecordedKeyRow,
  StoredDocument,
  StoredLineageRow,
} from '../lineage-reads.js';
import type { ApprovalRecord } from '../store.js';

/** Most rows one page may ask for. */
const MAX_PAGE = 10_000;

/**
 * The columns of `lineage_events` a row page reads. A file written before lineage format 2 (not migrated: no
 * `id`, `chain` nor `log_index`) is paged by `seq`, its `chain` and `log_index` read as undefined (the verifier
 * then takes `log_index` as `seq - 1`, what the migration writes for format-1 rows).
 */
function rowColumns(sqlite: Database.Database): { format2: boolean; select: string } {
  const names = new Set(
    sqlite
      .prepare('select name from pragma_table_info(?)')
      .pluck()
      .all('lineage_events') as string[],
  );
  const format2 = names.has('log_index') && names.has('chain') && names.has('id');
  const [position, chain, logIndex] = format2
    ? ['id', 'chain', 'log_index']
    : ['seq', 'null', 'null'];
  return {
    format2,
    select: `select ${position}, seq, ${chain}, ${logIndex}, tenant_id, plan_id, type, actor_type, actor_id,
      occurred_at, body, prev_hash, hash from lineage_events`,
  };
}

type RawRow = [number, number, string | null, number | null, string, string | null, string];
type RawTail = [string, string, number, string, string, string];

/**
 * {@link LineageReads} on SQLite: rows keyset-paged on the `id` primary key or the unique `lineage_log_index`
 * index, the approval tokens found through the partial index `lineage_approvals` (no pass over every event).
 * Statements are prepared once per shape of filter.
 */
export class SqliteLineageReads implements LineageReads {
  readonly #sqlite: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  #columns: { format2: boolean; select: string } | undefined;

  constructor(sqlite: Database.Database) {
    this.#sqlite = sqlite;
  }

  #statement(key: string, build: () => Database.Statement): Database.Statement {
    let statement = this.#statements.get(key);
    if (statement === undefined) {
      statement = build();
      this.#statements.set(key, statement);
    }
    return statement;
  }

  async treeHeads(): Promise<TreeHeadRecord[]> {
    return this.#sqlite
      .prepare(
        'select tree_size treeSize, root_hash rootHash, signed_at signedAt, kid, signature from lineage_checkpoints order by tree_size',
      )
      .all() as TreeHeadRecord[];
  }

  async recordedKeys(): Promise<RecordedKeyRow[]> {
    return this.#sqlite
      .prepare(
        'select purpose, tenant_id tenantId, kid, jwk, first_seen_at firstSeenAt from keys order by purpose, tenant_id, kid',
      )
      .all() as RecordedKeyRow[];
  }

  async countLineage(filter: LineageRowFilter): Promise<number> {
    const [where, params] = whereOf(filter, '');
    return this.#sqlite
      .prepare(`select count(*) from lineage_events where ${where}`)
      .pluck()
      .get(...params) as number;
  }

  async lastPosition(): Promise<number> {
    const position = this.#format().format2 ? 'id' : 'seq';
    return (
      (this.#sqlite.prepare(`select max(${position}) from lineage_events`).pluck().get() as
        | number
        | null) ?? 0
    );
  }

  async lineageRows(page: LineageRowPage): Promise<StoredLineageRow[]> {
    const { format2, select } = this.#format();
    const limit = Math.max(1, Math.min(MAX_PAGE, Math.trunc(page.limit)));
    const [where, params] = whereOf(page, '');
    const byLog = page.order === 'logIndex';
    const key = byLog ? 'log_index' : format2 ? 'id' : 'seq';
    // Rows not covered by a walk by log index: two searches of `lineage_log_index` (its NULLs, then its tail),
    // each at most one page long, not a walk of every row by `id`.
    const beyond = page.unsequencedFrom === undefined ? [] : [page.unsequencedFrom];
    const branch = (cond: string) =>
      `select id from (select id from lineage_events where ${where} and ${cond} and id > ? order by id limit ?)`;
    const unsequenced =
      beyond.length > 0
        ? ` and id in (${branch('log_index is null')} union all ${branch('log_index >= ?')})`
        : '';
    const statement = this.#statement(
      `rows ${key} ${unsequenced} ${where}`,
      () =>
        this.#sqlite
          .prepare(`${select} where ${where}${unsequenced} and ${key} > ? order by ${key} limit ?`)
          .raw() as Database.Statement,
    );
    const inner =
      beyond.length > 0
        ? [...params, page.after, limit, ...params, ...beyond, page.after, limit]
        : [];
    const rows = statement.all(...params, ...inner, page.after, limit) as (RawRow & RawTail)[];
    return rows.map((r) => ({
      position: r[0],
      seq: r[1],
      chain: format2 ? r[2] : undefined,
      logIndex: format2 ? r[3] : undefined,
      tenantId: r[4],
      planId: r[5],
      type: r[6],
      actorType: r[7],
      actorId: r[8],
      occurredAt: r[9],
      body: r[10],
      prevHash: r[11],
      hash: r[12],
    }));
  }

  async approvalTokens(
    filter: LineageRowFilter,
    afterPosition: number,
    limit: number,
  ): Promise<ApprovalTokenRow[]> {
    const [where, params] = whereOf(filter, 'e.');
    const statement = this.#statement(`tokens ${where}`, () =>
      this.#sqlite.prepare(
        `select e.id position, p.digest, p.body token
         from lineage_events e indexed by lineage_approvals
         join payloads p on p.digest = json_extract(e.body, '$.refs.approval')
         where e.type = 'approval.accepted' and e.id > ? and ${where}
         order by e.id limit ?`,
      ),
    );
    return statement.all(afterPosition, ...params, Math.min(MAX_PAGE, limit)) as ApprovalTokenRow[];
  }

  async approvalRecords(): Promise<ApprovalRecord[]> {
    return this.#sqlite
      .prepare(
        `select jti, tenant_id tenantId, plan_id planId, option_id optionId, approver, role, decision, kid,
         token_digest tokenDigest, max_spend_minor maxSpendMinor, currency, received_at receivedAt
         from approvals order by jti`,
      )
      .all() as ApprovalRecord[];
  }

  async documents(afterDigest: string, limit: number): Promise<StoredDocument[]> {
    return this.#statement('documents', () =>
      this.#sqlite.prepare(
        "select digest, kind, body from payloads where digest > ? and kind <> 'ApprovalJws' order by digest limit ?",
      ),
    ).all(afterDigest, Math.min(MAX_PAGE, limit)) as StoredDocument[];
  }

  async document(digest: string): Promise<StoredDocument | undefined> {
    return this.#statement('document', () =>
      this.#sqlite.prepare('select digest, kind, body from payloads where digest = ?'),
    ).get(digest) as StoredDocument | undefined;
  }

  async planKeys(filter: { tenantId?: string; planId?: string }): Promise<PlanKey[]> {
    const [where, params] = whereOf(filter, '');
    return this.#sqlite
      .prepare(
        `select tenant_id as tenantId, plan_id as planId from plans where ${where}
         order by received_at, plan_id, tenant_id`,
      )
      .all(...params) as PlanKey[];
  }

  #format(): { format2: boolean; select: string } {
    this.#columns ??= rowColumns(this.#sqlite);
    return this.#columns;
  }
}

/** The conditions of a filter on `lineage_events` (or `plans`, without `logIndexBelow`), for a table alias. */
function whereOf(filter: LineageRowFilter, alias: string): [string, (string | number)[]] {
  const where = ['1 = 1'];
  const params: (string | number)[] = [];
  if (filter.tenantId !== undefined) {
    where.push(`${alias}tenant_id = ?`);
    params.push(filter.tenantId);
  }
  if (filter.planId !== undefined) {
    where.push(`${alias}plan_id = ?`);
    params.push(filter.planId);
  }
  if (filter.logIndexBelow !== undefined) {
    where.push(`${alias}log_index < ?`);
    params.push(filter.logIndexBelow);
  }
  return [where.join(' and '), params];
}
