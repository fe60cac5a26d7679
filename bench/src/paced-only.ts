import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepPaced } from './paced-load.js';

/**
 * The open-loop HTTP load alone, with small settings, for measuring a change to the hot mutations on a shared
 * machine: `pnpm --filter @handoff/bench paced` runs `sweepPaced` for the bare server and the gateway at the rates
 * of BENCH_PACED_RATES (plans/s, comma-separated; default `100,200`), BENCH_PACED_SECONDS measured seconds each
 * (default 5, after 3 s of warm-up) and BENCH_CONNECTIONS sockets (default 50), for each server of BENCH_PACED_MODES
 * (default `bare,gateway`; `gateway` is its lean JSON route, `trpc` the gateway through tRPC). Prints one JSON line per server:
 * p50 and p99 (ms) and plans/s through at each rate, and the most plans/s held with p99 under 50 ms.
 */
const rates = (process.env.BENCH_PACED_RATES ?? '100,200').split(',').map(Number);
const seconds = Number(process.env.BENCH_PACED_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
/** `bare`, `gateway` (the lean JSON route) and `trpc` (the gateway through tRPC). */
const modes = (process.env.BENCH_PACED_MODES ?? 'bare,gateway').split(',');
const dir = mkdtempSync(join(tmpdir(), 'handoff-paced-'));
try {
  for (const [run, mode] of modes.entries()) {
    const load = loadavg()[0];
    const sweep = await sweepPaced({
      mode: mode === 'bare' ? 'bare' : 'gateway',
      ...(mode === 'trpc' ? { route: '' } : {}),
      dir,
      plansPerSec: rates,
      seconds,
      connections,
      run: run + 3,
    });
    const steps = sweep.steps.map((s) => ({
      offered: s.offeredPlansPerSec,
      through: s.plansPerSec,
      p50: s.latency.p50,
      p99: s.latency.p99,
      non2xx: s.non2xx,
      errors: s.errors,
      serverCpuMsPerPlan: s.serverCpuMsPerPlan,
    }));
    const held = sweep.plansPerSecUnderTarget;
    process.stdout.write(`${JSON.stringify({ mode, loadAverage: load, seconds, held, steps })}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
