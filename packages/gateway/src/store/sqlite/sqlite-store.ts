import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LineageEvent } from '@handoff/protocol';
import Database from 'better-sqlite3';
import { and, asc, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { bindToActiveContext } from '../../observability/tracing.js';
import type { AuditReads } from '../audit-reads.js';
import { lineageFilterConditions } from '../lineage-filter.js';
import type { LineageReads } from '../lineage-reads.js';
import type { GatewayStore, LineageFilter, PositionedEvent, StoreTx } from '../store.js';
import type { StoreHealth, StoreStateSnapshot } from '../store-status.js';
import { verifyFormat1Lineage } from './format1-check.js';
import { GroupCommit, type GroupCommitOptions } from './group-commit.js';
import * as schema from './schema.js';
import { SqliteAuditReads } from './sqlite-audit-reads.js';
import { SqliteLineageReads } from './sqlite-lineage-reads.js';
import { sqliteHealth, sqliteStateSnapshot } from './sqlite-store-status.js';
import { type SqliteDb, SqliteTx } from './sqlite-tx.js';
import {
  startWalCheckpointer,
  type WalCheckpointer,
  type WalCheckpointerOptions,
} from './wal-checkpointer.js';

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions extends GroupCommitOptions {
  /** A file path, or `:memory:` for a private in-memory database. */
  path: string;
  /** How long a writer waits for another connection's write lock, in ms (retried asynchronously). Default 5000. */
  busyTimeoutMs?: number;
  /** Called once the connection is closed (how `openStore` releases the file's writer lock with the store). */
  onClosed?: () => void;
}

/** The page size of a database this store creates (SQLite's default is 4096). */
const PAGE_BYTES = 16_384;

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'drizzle');

/**
 * Opens (creating if needed) the SQLite store: 16 KiB pages for a new file, WAL journal, `synchronous = NORMAL` under WAL (durable across
 * process crashes), foreign keys on, and the committed drizzle migrations applied. A format-1 lineage (written
 * before migration `0009_lineage_chains`) is verified first and the database is refused, unmigrated, when its
 * chain does not hold.
 *
 * @throws GatewayError `INTERNAL` from {@link verifyFormat1Lineage}; the connection is closed then.
 */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const sqlite = new Database(options.path);
  // Set before the first table exists (a no-op on an existing file; VACUUM would change it). A plan stores rows
  // of 0.5-3 KB (its document, its token, its events): SQLite appends a row that does not fit the last page on a
  // page of its own, so with 4 KiB pages they left about 40% of the payload pages and 15% of the lineage pages
  // empty (about 21 KB of file per plan); with 16 KiB pages several plans share a page (about 17.6 KB per plan,
  // `test/pipeline/lean-lineage.test.ts`), and a plan's B-tree inserts split fewer pages.
  sqlite.pragma(`page_size = ${PAGE_BYTES}`);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  // No SQLite busy handler: it would sleep inside better-sqlite3 and block the event loop. Waiting for another
  // connection's lock is done asynchronously by the store (see `SqliteStore`), up to `busyTimeoutMs`.
  sqlite.pragma('busy_timeout = 0');
  sqlite.pragma('foreign_keys = ON');
  try {
    verifyFormat1Lineage(sqlite);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  migrate(drizzle(sqlite, { schema }), { migrationsFolder: MIGRATIONS });
  return new SqliteStore(sqlite, options);
}

/** True for `SQLITE_BUSY` and its extended codes: another connection holds the lock. */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** Resolves after `ms` milliseconds, letting the event loop run (another connection may be finishing). */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The default {@link GatewayStore}: drizzle-orm on better-sqlite3. better-sqlite3 is synchronous, so the async
 * interface is kept honest by running every transaction alone, in queue order. Transactions queued together
 * share one SQLite transaction ({@link GroupCommit}): each runs in its own `SAVEPOINT` (rolled back alone when
 * its work throws) and its caller is answered once the shared `COMMIT` is durable. The SQLite transaction is
 * opened with `BEGIN IMMEDIATE`, which also takes the write lock against other connections sharing the file
 * (other processes, or other stores in this one).
 *
 * The lock is taken without SQLite's busy handler: better-sqlite3 would sleep inside it, blocking the event loop,
 * so a second store in the same process could never see the first one commit (it would wait out the whole
 * `busy_timeout` and fail with `SQLITE_BUSY`). Instead the connection runs with `busy_timeout = 0` and `BEGIN
 * IMMEDIATE` is retried asynchronously, with a short backoff, for up to `busyTimeoutMs`.
 */
export class SqliteStore implements GatewayStore {
  readonly #sqlite: Database.Database;
  readonly #db: SqliteDb;
  readonly #tx: SqliteTx;
  readonly #busyTimeoutMs: number;
  readonly #group: GroupCommit;
  #checkpointer: WalCheckpointer | undefined;
  #auditReads: SqliteAuditReads | undefined;
  #closed = false;
  readonly #onClosed: (() => void) | undefined;
  readonly lineageReads: LineageReads;
  /** `PRAGMA data_version`: changes when another connection commits to the file (https://sqlite.org/pragma.html#pragma_data_version). */
  readonly #dataVersion: Database.Statement;
  /** `data_version` when the current group began. */
  #groupDataVersion: number | undefined;
  /** `data_version` of the last group that committed, while its cached chain heads are trusted; else undefined. */
  #headsCommittedAt: number | undefined;

  /**
   * A store on an open better-sqlite3 connection whose schema is migrated (`openSqliteStore` opens and migrates
   * one). Drizzle stays inside: no drizzle type is part of the store's public surface, so a consumer's `tsc`
   * never reads drizzle's declarations.
   */
  constructor(
    sqlite: Database.Database,
    options: { busyTimeoutMs?: number; onClosed?: () => void } & GroupCommitOptions = {},
  ) {
    this.#onClosed = options.onClosed;
    const db: SqliteDb = drizzle(sqlite, { schema });
    this.#sqlite = sqlite;
    this.#db = db;
    this.#tx = new SqliteTx(db, sqlite);
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.lineageReads = new SqliteLineageReads(sqlite);
    this.#dataVersion = sqlite.prepare('PRAGMA data_version').pluck();
    this.#group = new GroupCommit(
      {
        begin: () => this.#begin(),
        exec: (statement) => {
          // A rollback may undo appended events: the cached chain head is read again on the next append.
          if (statement.startsWith('ROLLBACK')) this.#tx.forgetChainHead();
          sqlite.exec(statement);
          // Committed: the heads cached are those in the file, until another connection writes.
          if (statement === 'COMMIT') this.#headsCommittedAt = this.#groupDataVersion;
        },
        get inTransaction() {
          return sqlite.inTransaction;
        },
      },
      options,
    );
  }

  /** `BEGIN IMMEDIATE`, waiting for another connection's write lock without blocking the event loop. */
  async #begin(): Promise<void> {
    const deadline = Date.now() + this.#busyTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        this.#sqlite.exec('BEGIN IMMEDIATE');
        // The chain heads cached by this connection's last committed group hold unless another connection has
        // committed since (SQLite's `data_version` moves only on other connections' commits) or that group did
        // not commit (a rollback, or SQLite ending it on its own): then they are read again.
        const version = Number(this.#dataVersion.get());
        if (version !== this.#headsCommittedAt) this.#tx.forgetChainHead();
        this.#headsCommittedAt = undefined;
        this.#groupDataVersion = version;
        return;
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
      }
      await pause(Math.min(2 ** attempt, 20));
    }
  }

  /** Runs `task` in the next group, after every task queued before it; refused once the store is closing. */
  #serialise<T>(task: () => Promise<T>): Promise<T> {
    if (this.#closed) {
      return this.#group.idle().then(() => {
        throw new Error('The store is closed');
      });
    }
    return this.#group.run(task);
  }

  transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    // A grouped transaction runs on the group's turn: with tracing on, in its caller's trace context.
    const inCaller = bindToActiveContext(work);
    return this.#serialise(() => inCaller(this.#tx));
  }

  /**
   * Reads in queue order, like a transaction (so it never sees a group's uncommitted writes); on a read-only
   * connection (offline tools), where nothing in this process writes, it reads at once.
   */
  async queryLineage(filter: LineageFilter): Promise<LineageEvent[]> {
    return (await this.queryLineageAt(filter)).map((row) => row.event);
  }

  /**
   * Runs a read in queue order, like a transaction (so it never sees a group's uncommitted writes); on a read-only
   * connection (offline tools), where nothing in this process writes, at once.
   */
  #read<T>(task: () => Promise<T>): Promise<T> {
    return this.#sqlite.readonly ? task() : this.#serialise(task);
  }

  readAudit<T>(work: (reads: AuditReads) => Promise<T>): Promise<T> {
    // Prepared on first use: building the statements costs more than a small trace's queries.
    this.#auditReads ??= new SqliteAuditReads(this.#sqlite);
    const reads = this.#auditReads;
    return this.#read(() => work(reads));
  }

  stateSnapshot(atMs: number): Promise<StoreStateSnapshot> {
    return this.#read(async () => sqliteStateSnapshot(this.#sqlite, atMs));
  }

  health(): Promise<StoreHealth> {
    return sqliteHealth(this.#sqlite, () => this.transaction(async () => undefined));
  }

  queryLineageAt(filter: LineageFilter): Promise<PositionedEvent[]> {
    return this.#read(async () => {
      const t = schema.lineageEvents;
      const where = lineageFilterConditions(
        filter,
        { events: t, plans: schema.plans, dispatches: schema.dispatches },
        sql`json_extract(${t.body}, '$.data.adapter')`,
      );
      const rows = this.#db
        .select({ id: t.id, body: t.body })
        .from(t)
        .where(and(...where))
        .orderBy(asc(t.id))
        .limit(filter.limit)
        .all();
      return rows.map((row) => ({ position: row.id, event: JSON.parse(row.body) as LineageEvent }));
    });
  }

  /**
   * Calls `listener` with the number of events each `appendLineage` writes (before its transaction commits; a
   * rolled-back one is counted too): how the sequencer starts a batch early once enough events are waiting. One
   * listener; a later call replaces it.
   */
  onLineageAppended(listener: (count: number) => void): void {
    this.#tx.onAppended = listener;
  }

  /** The raw better-sqlite3 handle, for offline tools (verification, export). */
  get sqlite(): Database.Database {
    return this.#sqlite;
  }

  /**
   * Moves WAL checkpoints to a worker thread ({@link startWalCheckpointer}); this connection then checkpoints
   * only past `backstopPages` WAL pages (default 10,000, about 40 MB), should the worker fall behind. For a
   * database file (not `:memory:`); one per store.
   */
  async startWalCheckpointer(
    options: WalCheckpointerOptions & { backstopPages?: number } = {},
  ): Promise<WalCheckpointer> {
    if (this.#checkpointer) return this.#checkpointer;
    this.#checkpointer = await startWalCheckpointer(this.#sqlite.name, options);
    this.#sqlite.pragma(`wal_autocheckpoint = ${Math.trunc(options.backstopPages ?? 10_000)}`);
    return this.#checkpointer;
  }

  /** Answers every transaction queued before it, then closes the connection; later ones are refused. */
  async close(): Promise<void> {
    if (this.#closed) return this.#group.idle();
    this.#closed = true;
    await this.#group.idle();
    try {
      await this.#checkpointer?.close();
      this.#sqlite.close();
    } finally {
      this.#onClosed?.();
    }
  }
}
