/** What {@link GroupCommit} needs of a SQLite connection (better-sqlite3's `Database` has all but `begin`). */
export interface GroupCommitConnection {
  /** Opens the write transaction (`BEGIN IMMEDIATE`), waiting for another connection's lock if needed. */
  begin(): Promise<void>;
  /** Runs one SQL statement (`SAVEPOINT`, `RELEASE`, `ROLLBACK TO`, `COMMIT`, `ROLLBACK`). */
  exec(sql: string): void;
  /** False once SQLite has ended the transaction on its own (e.g. after `SQLITE_FULL`). */
  readonly inTransaction: boolean;
}

/** Bounds of one group, whichever is reached first. */
export interface GroupCommitOptions {
  /** Most logical transactions in one SQLite transaction. Default 128. */
  maxGroup?: number;
  /** Once a group has run this long (ms, wall time), no more transactions join it. Default 10. */
  maxGroupMs?: number;
}

interface Task {
  work: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const SAVEPOINT = 'handoff_tx';

/**
 * Group commit: logical transactions queued together share one SQLite transaction, so a burst of N concurrent
 * submissions costs one `COMMIT` (one WAL append of the pages they touched) instead of N.
 *
 * Semantics are those of running each transaction alone, one after another, in queue order:
 * - each runs inside its own `SAVEPOINT`; when its work throws, `ROLLBACK TO` undoes exactly its writes and its
 *   caller gets the error at once (nothing of it was, or will be, written);
 * - a caller whose work succeeded is answered only after the shared `COMMIT` is durable; if that `COMMIT`
 *   fails (or SQLite rolls the whole transaction back on its own), every member still waiting gets the error
 *   and nothing of any of them was written;
 * - transactions never interleave: the next one starts when the previous one's work has settled.
 *
 * A group starts on the next turn of the event loop after the first transaction is queued (`setImmediate`), so
 * requests that arrived in the same I/O poll join it, and it closes at `maxGroup` members or after
 * `maxGroupMs`, to bound the wait of its first member.
 */
export class GroupCommit {
  readonly #connection: GroupCommitConnection;
  readonly #maxGroup: number;
  readonly #maxGroupMs: number;
  #queue: Task[] = [];
  #draining: Promise<void> | undefined;

  constructor(connection: GroupCommitConnection, options: GroupCommitOptions = {}) {
    this.#connection = connection;
    this.#maxGroup = options.maxGroup ?? 128;
    this.#maxGroupMs = options.maxGroupMs ?? 10;
  }

  /** Queues `work` to run in a group; resolves with its result once its group has committed. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#draining) {
        this.#draining = new Promise<void>((done) => setImmediate(done)).then(() => this.#drain());
      }
    });
  }

  /** Resolves once every transaction queued so far has been answered. */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /** Runs groups until the queue is empty; the flag is cleared in the same turn the queue is seen empty. */
  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) await this.#group();
    } finally {
      this.#draining = undefined;
    }
  }

  /** One SQLite transaction: as many queued tasks as the bounds allow, then `COMMIT`. */
  async #group(): Promise<void> {
    const connection = this.#connection;
    try {
      await connection.begin();
    } catch (error) {
      // Nobody can write: every waiting caller gets the lock error, as each would have alone.
      for (const task of this.#queue.splice(0)) task.reject(error);
      return;
    }
    const started = performance.now();
    const done: { task: Task; value: unknown }[] = [];
    let members = 0;
    while (
      this.#queue.length > 0 &&
      members < this.#maxGroup &&
      (members === 0 || performance.now() - started < this.#maxGroupMs)
    ) {
      const task = this.#queue.shift() as Task;
      members += 1;
      try {
        connection.exec(`SAVEPOINT ${SAVEPOINT}`);
        const value = await task.work();
        connection.exec(`RELEASE ${SAVEPOINT}`);
        done.push({ task, value });
      } catch (error) {
        task.reject(error);
        if (!connection.inTransaction) {
          // SQLite ended the whole transaction: the members before this one are lost too.
          for (const member of done) member.task.reject(error);
          return;
        }
        connection.exec(`ROLLBACK TO ${SAVEPOINT}`);
        connection.exec(`RELEASE ${SAVEPOINT}`);
      }
    }
    try {
      connection.exec('COMMIT');
    } catch (error) {
      if (connection.inTransaction) connection.exec('ROLLBACK');
      for (const member of done) member.task.reject(error);
      return;
    }
    for (const member of done) member.task.resolve(member.value);
  }
}
