import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { RangeChecker, type RangeTask } from './range-check.js';

/**
 * The entry of a range worker thread (started by `checkRangesInWorkers`, never imported otherwise): opens the
 * database file read-only (`readonly`, `fileMustExist`, `query_only`, memory-mapped as `openDatabaseSource`
 * does), answers `ready`, then each {@link RangeTask} message with its `RangeResult`, until it is terminated (the
 * connection only reads).
 */

/** What a range worker is started with. */
export interface RangeWorkerData {
  rangeWorker: true;
  /** The database file. */
  path: string;
  /** Bytes of the file mapped into memory (`mmap_size`). */
  mmapBytes: number;
}

const data = workerData as RangeWorkerData | undefined;
const port = parentPort;
if (port !== null && data?.rangeWorker === true) {
  const db = new Database(data.path, { readonly: true, fileMustExist: true });
  db.pragma('query_only = ON');
  db.pragma(`mmap_size = ${data.mmapBytes}`);
  const checker = new RangeChecker(db);
  port.on('message', (task: RangeTask) => port.postMessage(checker.check(task)));
  port.postMessage('ready');
}
