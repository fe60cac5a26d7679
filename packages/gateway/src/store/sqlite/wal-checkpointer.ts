import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Options of {@link startWalCheckpointer}. */
export interface WalCheckpointerOptions {
  /** How often the worker checkpoints, in ms (real time). Default 100. */
  intervalMs?: number;
}

/** The result of one `PRAGMA wal_checkpoint(PASSIVE)`: WAL frames in the log and frames now in the database. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/** A running checkpoint worker. */
export interface WalCheckpointer {
  /** Runs one passive checkpoint now and resolves with its result (for operators and tests). */
  checkpointNow(): Promise<CheckpointResult>;
  /** Stops the timer, closes the worker's connection and ends the thread. */
  close(): Promise<void>;
}

// The worker is plain CommonJS, evaluated: it needs no loader and runs the same better-sqlite3 the store uses.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('synchronous = NORMAL');
const checkpoint = () => {
  try {
    return db.pragma('wal_checkpoint(PASSIVE)')[0];
  } catch (error) {
    return { busy: 1, log: -1, checkpointed: -1, error: String(error && error.message) };
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') parentPort.postMessage({ result: checkpoint() });
  if (message === 'close') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
parentPort.postMessage({ ready: true });
`;

/**
 * Moves WAL checkpoints off the writer's thread. A SQLite writer in WAL mode checkpoints inside the `COMMIT` that
 * crosses `wal_autocheckpoint` pages: it copies the log into the database file and syncs it, stalling every
 * transaction queued behind it. This worker thread holds its own connection to `path` and runs
 * `PRAGMA wal_checkpoint(PASSIVE)` every `intervalMs`; a passive checkpoint never blocks writers or readers
 * (https://www.sqlite.org/wal.html#checkpointing). The writer keeps a high `wal_autocheckpoint` as a backstop,
 * should the worker fall behind. Resolves once the worker's connection is open.
 */
export async function startWalCheckpointer(
  path: string,
  options: WalCheckpointerOptions = {},
): Promise<WalCheckpointer> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, driver, intervalMs: options.intervalMs ?? 100 },
  });
  const pending: ((result: CheckpointResult) => void)[] = [];
  // A worker that dies answers every waiting `checkpointNow` as busy: nothing was checkpointed by it.
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      for (const answer of pending.splice(0)) answer({ busy: 1, log: -1, checkpointed: -1 });
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', () => resolve());
  });
  // The worker never keeps the process alive, except while someone waits for its answer.
  worker.unref();
  // After start, an error in the worker ends it (see `exited`); the writer's backstop checkpoints go on.
  worker.on('error', () => undefined);
  worker.on('message', (message: { result?: CheckpointResult }) => {
    if (message.result) pending.shift()?.(message.result);
    if (pending.length === 0) worker.unref();
  });
  return {
    checkpointNow() {
      return new Promise((resolve) => {
        pending.push(resolve);
        worker.ref();
        worker.postMessage('checkpoint');
      });
    },
    async close() {
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
  };
}
