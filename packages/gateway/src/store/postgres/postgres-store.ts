import type { LineageEvent } from '@handoff/protocol';
import { ExponentialBackoff, handleWhen, type IPolicy, retry, wrap } from 'cockatiel';
import { and, asc, gte, isNotNull, isNull, type SQL, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { AuditReads } from '../audit-reads.js';
import { lineageFilterConditions } from '../lineage-filter.js';
import type { LineageReads } from '../lineage-reads.js';
import type { GatewayStore, LineageFilter, PositionedEvent, StoreTx } from '../store.js';
import type { StoreHealth, StoreStateSnapshot } from '../store-status.js';
import { postgresAuditReads } from './postgres-audit-reads.js';
import { postgresLineageReads } from './postgres-lineage-reads.js';
import { migratePostgres } from './postgres-migrate.js';
import { type HeldSnapshot, holdSnapshot } from './postgres-snapshot.js';
import { postgresHealth, postgresStateSnapshot } from './postgres-store-status.js';
import { oneCallAtATime, type PgDb, postgresTx } from './postgres-tx.js';
import * as schema from './schema.js';

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** A `postgres://` or `postgresql://` URL (libpq form, https://www.postgresql.org/docs/15/libpq-connect.html). */
  url: string;
  /** The connection pool: at most `max` connections (default 10), each transaction holding one. */
  pool?: { max?: number };
  /**
   * How many times a transaction that failed with a serialization failure or a deadlock (SQLSTATE 40001, 40P01) is
   * run again, after a jittered exponential backoff (cockatiel's decorrelated jitter, 2 ms doubling up to 200 ms).
   * Default 50; the error is rethrown once they are spent. At READ COMMITTED a serialization failure does not
   * happen for the store's statements; a deadlock can (two transactions locking two plans in opposite orders).
   */
  serializationRetries?: number;
  /**
   * How many times a transaction that failed on a unique key (SQLSTATE 23505) is run again, after the same backoff.
   * Default 5. A unique violation is how a read-then-insert learns that another transaction inserted the same key
   * after it read (two appends to one tenant chain computing the same `seq`, two replicas submitting one plan
   * id): run again, the transaction reads what the other committed (the chain's new head, the existing plan).
   */
  uniqueRetries?: number;
  /**
   * For the auditor's offline commands: no migration is run, and every connection is opened with
   * `default_transaction_read_only = on`, so a write fails (SQLSTATE 25006) and `health` answers `read-only`.
   */
  readOnly?: boolean;
  /**
   * With `readOnly`: every read of the store is made in ONE `REPEATABLE READ, READ ONLY` transaction, begun at
   * open on one connection and ended by `close` (`holdSnapshot`), so a walk over many pages (the offline
   * verifier's, an export's) reads one committed state while replicas write. Transactions then run one at a time,
   * each in a savepoint of it.
   */
  snapshot?: boolean;
}

/** SQLSTATEs after which a transaction is run again: serialization_failure, deadlock_detected. */
const RETRYABLE = new Set(['40001', '40P01']);
/** SQLSTATE unique_violation: a concurrent transaction committed the key this one meant to insert. */
const UNIQUE_VIOLATION = '23505';

/** The SQLSTATE of a driver error, looking through drizzle's `DrizzleQueryError` (which keeps it as `cause`). */
export function sqlState(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * Opens the PostgreSQL store: a `pg` pool on `url`, the committed migrations applied (`migratePostgres`: safe when
 * replicas start together), or, `readOnly`, only a first connection made (with `snapshot`, the snapshot's
 * transaction begun on it). The pool is closed again when that fails.
 *
 * @throws the driver's error when the database is unreachable or a migration fails.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const snapshot = options.readOnly === true && options.snapshot === true;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: snapshot ? 1 : (options.pool?.max ?? 10),
    application_name: 'handoff-gateway',
    ...(options.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  });
  // An idle connection's error (the server restarted, the network dropped) removes it from the pool; without a
  // listener it would crash the process. The next transaction opens a new connection, or fails.
  pool.on('error', () => {});
  try {
    if (snapshot)
      return new PostgresStore(pool, options, await holdSnapshot(drizzle({ client: pool })));
    if (options.readOnly) await pool.query('select 1');
    else await migratePostgres(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresStore(pool, options);
}

/**
 * The {@link GatewayStore} on PostgreSQL: drizzle-orm's `node-postgres` driver on a `pg` pool, shared by any
 * number of gateway replicas. Nothing is cached across transactions: everything another replica may change is
 * read from the database.
 *
 * Isolation: every transaction runs at READ COMMITTED on a connection of its own, and the invariants are enforced
 * by the database row by row, never by a snapshot:
 * - a budget reservation is one conditional `UPDATE budget_usage ... WHERE reserved + committed + $a <= $limit`;
 *   a concurrent update of the row makes it wait for the row lock and re-check its `WHERE` on the row's latest
 *   version (https://www.postgresql.org/docs/15/transaction-iso.html#XACT-READ-COMMITTED), so overspend cannot
 *   happen and a hot cap costs a short wait, not an abort (under SERIALIZABLE every concurrent update of the one
 *   row aborted with 40001, a retry storm at 1-2 submissions/s);
 * - `getPlan` locks the plan's row (`FOR NO KEY UPDATE`), so whatever a transaction decides from a plan (quorum
 *   counting, the plan chain's next `seq`, the next state, its ledger) is serialised per plan; state changes stay
 *   compare-and-set (`WHERE state = $expected`);
 * - unique keys refuse replay (`used_tokens.jti`, insert-or-nothing), a second plan with one id and a fork of a
 *   chain (`(tenant, chain, plan, seq)`); a unique violation (23505) reruns the transaction, bounded
 *   ({@link PostgresStoreOptions.uniqueRetries}), which then reads what the other committed;
 * - outbox claims take `FOR UPDATE SKIP LOCKED`, the sequencer a transaction-level advisory lock.
 * A deadlock (40P01) or serialization failure (40001) is run again too
 * ({@link PostgresStoreOptions.serializationRetries}). `work` must therefore do nothing outside `tx` (no I/O, no
 * change to memory another attempt would see twice).
 */
export class PostgresStore implements GatewayStore {
  readonly #pool: pg.Pool;
  readonly #db: PgDb;
  readonly #retry: IPolicy;
  readonly #readOnly: boolean;
  readonly #running = new Set<Promise<unknown>>();
  /** A held snapshot (`snapshot` option): the store's one transaction, ended by `close`. */
  readonly #held: HeldSnapshot | undefined;
  /** With a held snapshot, the last transaction queued: they run one at a time (one connection, savepoints). */
  #queue: Promise<unknown> = Promise.resolve();
  #onAppended: (count: number) => void = () => {};
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly lineageReads: LineageReads;

  /**
   * A store on a pool whose database is migrated ({@link openPostgresStore} opens one); with `held`, every read on
   * that snapshot's transaction.
   */
  constructor(
    pool: pg.Pool,
    options: Pick<PostgresStoreOptions, 'serializationRetries' | 'uniqueRetries' | 'readOnly'> = {},
    held?: HeldSnapshot,
  ) {
    this.#pool = pool;
    this.#held = held;
    // No `schema`: the store builds every query itself (never `db.query`), and drizzle gives each transaction
    // relational query builders for every table of a schema it is given, built anew per transaction.
    this.#db = held?.db ?? drizzle({ client: pool });
    this.#readOnly = options.readOnly ?? false;
    this.lineageReads = postgresLineageReads(this.#db);
    const backoff = () => new ExponentialBackoff({ initialDelay: 2, maxDelay: 200 });
    this.#retry = wrap(
      retry(
        handleWhen((error) => sqlState(error) === UNIQUE_VIOLATION),
        { maxAttempts: options.uniqueRetries ?? 5, backoff: backoff() },
      ),
      retry(
        handleWhen((error) => RETRYABLE.has(sqlState(error) ?? '')),
        { maxAttempts: options.serializationRetries ?? 50, backoff: backoff() },
      ),
    );
  }

  transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('The store is closed'));
    const attempt = () =>
      this.#db.transaction(
        (tx) => work(postgresTx(tx, (n) => this.#onAppended(n), this.#readOnly)),
        { isolationLevel: 'read committed' },
      );
    return this.#track(this.#serially(() => this.#retry.execute(() => attempt())));
  }

  /**
   * Runs `work` in one `REPEATABLE READ, READ ONLY` transaction: every read sees one committed state. Its reads
   * take turns on the transaction's connection ({@link oneCallAtATime}), however `work` calls them.
   */
  readAudit<T>(work: (reads: AuditReads) => Promise<T>): Promise<T> {
    const queue = { tail: Promise.resolve<unknown>(undefined) };
    return this.#snapshot((db) => work(oneCallAtATime(postgresAuditReads(db), queue)));
  }

  stateSnapshot(atMs: number): Promise<StoreStateSnapshot> {
    return this.#snapshot((db) => postgresStateSnapshot(db, atMs));
  }

  health(): Promise<StoreHealth> {
    return postgresHealth(this.#db);
  }

  /** A read-only transaction on one snapshot (never a serialization failure, so never retried). */
  #snapshot<T>(read: (db: PgDb) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('The store is closed'));
    return this.#track(
      this.#serially(() =>
        this.#db.transaction(read, { isolationLevel: 'repeatable read', accessMode: 'read only' }),
      ),
    );
  }

  /**
   * Runs `work` now, or with a held snapshot after the transaction queued before it: there, `db.transaction` is a
   * savepoint of the one open transaction (its options ignored), and two at once would tangle their savepoints.
   */
  #serially<T>(work: () => Promise<T>): Promise<T> {
    if (this.#held === undefined) return work();
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Remembers a running transaction until it settles, so `close` waits for it. */
  #track<T>(running: Promise<T>): Promise<T> {
    this.#running.add(running);
    const forget = () => this.#running.delete(running);
    running.then(forget, forget);
    return running;
  }

  /**
   * Every committed event matching `filter`, in insertion order (`id`), sequenced or not; with a cursor (`after`),
   * the events after it as {@link queryLineageAt} pages them.
   */
  async queryLineage(filter: LineageFilter): Promise<LineageEvent[]> {
    if (filter.after !== undefined) return (await this.queryLineageAt(filter)).map((r) => r.event);
    const t = schema.lineageEvents;
    const rows = await this.#db
      .select({ body: t.body })
      .from(t)
      .where(and(...this.#lineageWhere(filter)))
      .orderBy(asc(t.id))
      .limit(filter.limit);
    return rows.map((row) => JSON.parse(row.body) as LineageEvent);
  }

  /**
   * The sequenced events after the cursor in log order, position = `log_index` + 1; then, when the page has room,
   * the committed events not sequenced yet, in insertion order, each at the position of the last sequenced event
   * of the page (or the cursor). On PostgreSQL an `id` is taken at insert and a lower one can commit after a
   * higher one, so a cursor on `id` could pass over an event not committed yet; log indexes are given in one
   * transaction per batch, in order, after commit, so a cursor on them never does. An event not sequenced yet is
   * read at once (no wait for the sequencer), and a cursor taken on it resumes after the log part already read:
   * it may come again (in log order, once sequenced), it is never passed over.
   */
  async queryLineageAt(filter: LineageFilter): Promise<PositionedEvent[]> {
    const t = schema.lineageEvents;
    const { after, ...rest } = filter;
    const where = [...this.#lineageWhere(rest), isNotNull(t.logIndex)];
    if (after !== undefined) where.push(gte(t.logIndex, after));
    const rows = await this.#db
      .select({ logIndex: t.logIndex, body: t.body })
      .from(t)
      .where(and(...where))
      .orderBy(asc(t.logIndex))
      .limit(filter.limit);
    const sequenced = rows.map((row) => ({
      position: Number(row.logIndex) + 1,
      event: JSON.parse(row.body) as LineageEvent,
    }));
    const room = filter.limit - sequenced.length;
    if (room <= 0) return sequenced;
    const tail = await this.#db
      .select({ body: t.body })
      .from(t)
      .where(and(...this.#lineageWhere(rest), isNull(t.logIndex)))
      .orderBy(asc(t.id))
      .limit(room);
    const at = sequenced.at(-1)?.position ?? after ?? 0;
    return [
      ...sequenced,
      ...tail.map((row) => ({ position: at, event: JSON.parse(row.body) as LineageEvent })),
    ];
  }

  /** The conditions of a filter (without `after`: each reader keys its own order). */
  #lineageWhere(filter: Omit<LineageFilter, 'after'>): SQL[] {
    const dataAdapter = sql`(${schema.lineageEvents.body}::jsonb -> 'data' ->> 'adapter')`;
    return lineageFilterConditions(
      filter,
      { events: schema.lineageEvents, plans: schema.plans, dispatches: schema.dispatches },
      dataAdapter,
    );
  }

  onLineageAppended(listener: (count: number) => void): void {
    this.#onAppended = listener;
  }

  /**
   * Answers every transaction started before it, ends a held snapshot, then closes the pool; later ones are
   * refused.
   */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= Promise.allSettled([...this.#running])
      .then(() => this.#held?.end())
      .finally(() => this.#pool.end());
    return this.#closing;
  }
}
