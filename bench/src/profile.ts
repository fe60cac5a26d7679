import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInProcess } from './in-process.js';

/**
 * The in-process pipeline alone, to run under the V8 profiler: `pnpm --filter @handoff/bench cpu-profile` runs it with
 * `node --cpu-prof` (BENCH_PLANS plans, default 2,000; BENCH_IN_FLIGHT at once, default 64) and prints the hottest functions with `profile-summary.ts`.
 */
const dir = mkdtempSync(join(tmpdir(), 'handoff-profile-'));
try {
  const result = await runInProcess({
    plans: Number(process.env.BENCH_PLANS ?? 2000),
    dir,
    inFlight: Number(process.env.BENCH_IN_FLIGHT ?? 64),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
