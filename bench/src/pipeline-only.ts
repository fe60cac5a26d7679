import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHonestFloor } from './honest-floor.js';
import { runInProcess } from './in-process.js';

/**
 * The in-process pipeline and the honest floor alone, with small settings, for measuring a change to the hot path
 * on a shared machine: `pnpm --filter @handoff/bench pipeline` (BENCH_PLANS plans, default 2,000; BENCH_IN_FLIGHT
 * at once, default 64). Prints one JSON line: plans/s and CPU ms per plan of each, their ratio, the load average.
 */
const plans = Number(process.env.BENCH_PLANS ?? 2000);
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 64);
const dir = mkdtempSync(join(tmpdir(), 'handoff-pipeline-'));
try {
  const load = loadavg()[0];
  const pipeline = await runInProcess({ plans, dir, inFlight });
  const floor = runHonestFloor({ plans, dir });
  const summary = {
    plans,
    inFlight,
    loadAverage: load,
    pipeline: {
      plansPerSec: pipeline.plansPerSec,
      cpuMsPerPlan: pipeline.cpuMsPerPlan,
      lineageRowsPerPlan: pipeline.lineageRowsPerPlan,
      databaseBytesPerPlan: pipeline.databaseBytesPerPlan,
      dispatched: pipeline.dispatched,
    },
    honestFloor: { plansPerSec: floor.plansPerSec, cpuMsPerPlan: floor.cpuMsPerPlan },
    ratio: Math.round((pipeline.plansPerSec / floor.plansPerSec) * 1000) / 1000,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
