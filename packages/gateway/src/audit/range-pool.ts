import { Worker } from 'node:worker_threads';
import type { RangeResult, RangeTask } from './range-check.js';
import type { RangeWorkerData } from './range-worker.js';

/**
 * Worker threads that check ranges of a database lineage (`range-worker.ts`), started as the WAL checkpoint
 * worker is (`wal-checkpointer.ts`): a small CommonJS bootstrap, evaluated, that needs no loader of its own. The
 * workspace runs from TypeScript source (tsx under the CLI and the benchmarks, Vitest in the tests, an esbuild
 * bundle that keeps each source's own `import.meta.url`): when this module is a `.ts` file, the bootstrap
 * registers tsx's ESM hooks (`tsx/esm/api`, a dependency of the gateway) and imports the worker's `.ts` source
 * with the `@handoff/source` condition (so `@handoff/lineage`, ESM only, resolves to its source too). From
 * compiled JavaScript it imports `range-worker.js` as it is, with no `execArgv` of its own.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
if (workerData.tsx) {
  import(workerData.tsx).then((tsx) => {
    tsx.register();
    return import(workerData.entry);
  });
} else {
  import(workerData.entry);
}
`;

/** Where the worker's source is, and the tsx hooks it needs when it is TypeScript. */
function workerEntry(): { entry: string; tsx?: string } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { entry: new URL('./range-worker.js', here).href };
  return {
    entry: new URL('./range-worker.ts', here).href,
    tsx: import.meta.resolve('tsx/esm/api'),
  };
}

/** Starts one worker on `path`; resolves once its connection is open, rejects when it cannot start. */
async function startWorker(path: string, mmapBytes: number): Promise<Worker> {
  const data: RangeWorkerData & ReturnType<typeof workerEntry> = {
    rangeWorker: true,
    path,
    mmapBytes,
    ...workerEntry(),
  };
  // From source, workspace packages (`@handoff/lineage`) resolve to their TypeScript by the source condition.
  const execArgv = data.tsx === undefined ? [] : ['--conditions=@handoff/source'];
  const worker = new Worker(BOOTSTRAP, { eval: true, execArgv, workerData: data });
  const failed = (reject: (error: unknown) => void) => ({
    error: (error: unknown) => reject(error),
    exit: (code: number) => reject(new Error(`The range worker exited (${code})`)),
  });
  let listeners: ReturnType<typeof failed> | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      listeners = failed(reject);
      worker.once('error', listeners.error);
      worker.once('exit', listeners.exit);
      worker.once('message', () => resolve());
    });
  } catch (error) {
    await worker.terminate();
    throw error;
  } finally {
    if (listeners) {
      worker.off('error', listeners.error);
      worker.off('exit', listeners.exit);
    }
  }
  return worker;
}

/**
 * Checks `tasks` on up to `threads` worker threads, each with its own read-only connection to `path`, and
 * yields their results in task order (each worker takes the next task as it finishes one, so a slower thread
 * holds back no more than its current task). Stopping the iteration early ends the workers.
 *
 * @throws Error when a worker cannot start or fails (the caller then checks the lineage another way).
 */
export async function* checkRangesInWorkers(
  path: string,
  tasks: readonly RangeTask[],
  options: { threads: number; mmapBytes: number },
): AsyncGenerator<RangeResult> {
  const count = Math.max(1, Math.min(options.threads, tasks.length));
  const started = await Promise.allSettled(
    Array.from({ length: count }, () => startWorker(path, options.mmapBytes)),
  );
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const done = new Map<number, RangeResult>();
  let failure: unknown;
  let closing = false;
  let wake: (() => void) | undefined;
  let next = 0;
  const give = (worker: Worker) => {
    if (next < tasks.length) worker.postMessage(tasks[next++]);
  };
  try {
    const refused = started.find((s) => s.status === 'rejected');
    if (refused) throw refused.reason;
    for (const worker of workers) {
      worker.on('message', (result: RangeResult) => {
        done.set(result.index, result);
        give(worker);
        wake?.();
      });
      worker.on('error', (error) => {
        failure ??= error;
        wake?.();
      });
      worker.on('exit', (code) => {
        if (!closing) failure ??= new Error(`A range worker exited (${code})`);
        wake?.();
      });
      give(worker);
    }
    for (let wanted = 0; wanted < tasks.length; ) {
      const result = done.get(wanted);
      if (result !== undefined) {
        done.delete(wanted);
        wanted += 1;
        yield result;
      } else if (failure !== undefined) {
        throw failure;
      } else {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    }
  } finally {
    closing = true;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
