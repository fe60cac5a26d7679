import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ChainWorkerAnswer, ChainWorkerMessage } from './chain-worker.js';

/**
 * Parallelism of the verifier: independent chains checked on worker threads, with the same per-chain code as the
 * serial path (`chain-worker.ts` runs `ChainCheck`). Each event goes to the worker of its chain (a hash of the
 * chain key, so one chain is always checked by one worker, in order); the main thread only routes text.
 *
 * When run from TypeScript source (the workspace's tests), the worker registers tsx's ESM hooks (`tsx/esm/api`,
 * resolved from here) and imports `chain-worker.ts` under the `@handoff/source` condition; compiled, it imports
 * `chain-worker.js` as it is.
 */

/** One event to check: its JSON text, its chain key (`chainKey`) and its position in the source. */
export interface RoutedEvent {
  text: string;
  chain: string;
  position: number;
}

/** What the workers found: events checked, and the first failure by position, if any. */
export interface ChainWorkersReport {
  events: number;
  failure?: NonNullable<ChainWorkerAnswer['failure']>;
}

/** Worker threads by default: the cores available, at most 4. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const start = workerData.tsx
  ? import(workerData.tsx).then((tsx) => { tsx.register(); return import(workerData.entry); })
  : import(workerData.entry);
start.catch((error) => { throw error; });
`;

/**
 * Events sent to a worker per message: one string (their texts one after another) with their lengths, so a
 * message is one copy of text, not thousands of strings to clone one by one.
 */
const BATCH = 2048;

function startWorker(): Worker {
  const here = import.meta.url;
  const fromSource = here.endsWith('.ts');
  const workerData = fromSource
    ? { entry: new URL('./chain-worker.ts', here).href, tsx: import.meta.resolve('tsx/esm/api') }
    : { entry: new URL('./chain-worker.js', here).href };
  return new Worker(BOOTSTRAP, {
    eval: true,
    workerData,
    execArgv: fromSource ? ['--conditions=@handoff/source'] : [],
  });
}

/** A small stable hash of a chain key, to pick its worker. */
function bucketOf(chain: string, buckets: number): number {
  let h = 0;
  for (let i = 0; i < chain.length; i += 1) h = (h * 31 + chain.charCodeAt(i)) >>> 0;
  return h % buckets;
}

/** One worker's batch being filled: texts, their lengths and positions. */
interface Batch {
  texts: string[];
  lengths: number[];
  positions: number[];
}

const emptyBatch = (): Batch => ({ texts: [], lengths: [], positions: [] });

/**
 * A pool of chain workers that events are routed to one at a time ({@link route}), so a caller can route while it
 * does other work on this thread (the verifier walks the same events meanwhile); {@link finish} ends the pool.
 */
export class ChainWorkers {
  readonly #workers: Worker[];
  readonly #batches: Batch[];
  readonly #answers: Promise<ChainWorkerAnswer>[];

  /** Starts `threads` worker threads (default {@link defaultThreads}). */
  constructor(threads = defaultThreads()) {
    this.#workers = Array.from({ length: Math.max(1, threads) }, startWorker);
    this.#batches = this.#workers.map(emptyBatch);
    this.#answers = this.#workers.map(
      (worker) =>
        new Promise<ChainWorkerAnswer>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`A chain worker exited (${code})`)));
        }),
    );
    // A worker that fails is reported by `finish`; until then its rejection must not be unhandled.
    for (const answer of this.#answers) answer.catch(() => {});
  }

  /** Routes one event to the worker of its chain (a hash of the chain key: one chain, one worker, in order). */
  route(event: RoutedEvent): void {
    const i = bucketOf(event.chain, this.#workers.length);
    const batch = this.#batches[i] as Batch;
    batch.texts.push(event.text);
    batch.lengths.push(event.text.length);
    batch.positions.push(event.position);
    if (batch.texts.length === BATCH) this.#send(i);
  }

  #send(i: number): void {
    const batch = this.#batches[i] as Batch;
    if (batch.texts.length === 0) return;
    const lengths = new Uint32Array(batch.lengths);
    const positions = new Float64Array(batch.positions);
    const message: ChainWorkerMessage = {
      kind: 'events',
      text: batch.texts.join(''),
      lengths,
      positions,
    };
    (this.#workers[i] as Worker).postMessage(message, [lengths.buffer, positions.buffer]);
    this.#batches[i] = emptyBatch();
  }

  /**
   * Sends what is left, waits for every worker's answer and ends the workers.
   *
   * @returns the events checked and the first failure by position (a worker checks its chains in order, so the
   *   first failure of the lineage is the earliest of the workers' firsts).
   * @throws Error when a worker cannot start or fails.
   */
  async finish(): Promise<ChainWorkersReport> {
    try {
      this.#workers.forEach((worker, i) => {
        this.#send(i);
        worker.postMessage({ kind: 'done' } satisfies ChainWorkerMessage);
      });
      const results = await Promise.all(this.#answers);
      const failures = results.flatMap((r) => (r.failure ? [r.failure] : []));
      const failure = failures.sort((a, b) => a.position - b.position)[0];
      return {
        events: results.reduce((sum, r) => sum + r.events, 0),
        ...(failure ? { failure } : {}),
      };
    } finally {
      await Promise.all(this.#workers.map((worker) => worker.terminate()));
    }
  }
}

/**
 * Checks the chains of `events` on `threads` worker threads (default {@link defaultThreads}): a
 * {@link ChainWorkers} pool fed with every event, then finished.
 *
 * @returns the events checked and the first failure by position.
 * @throws Error when a worker cannot start or fails.
 */
export async function checkChainsInWorkers(
  events: AsyncIterable<RoutedEvent> | Iterable<RoutedEvent>,
  threads = defaultThreads(),
): Promise<ChainWorkersReport> {
  const pool = new ChainWorkers(threads);
  try {
    for await (const event of events) pool.route(event);
  } catch (error) {
    await pool.finish().catch(() => {});
    throw error;
  }
  return pool.finish();
}
