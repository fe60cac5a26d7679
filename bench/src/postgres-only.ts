import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInProcess } from './in-process.js';
import { postgresFigures } from './postgres-figures.js';
import { postgresSettings, runPostgresPart } from './postgres-part.js';
import { machineInfo, markdownReport } from './report.js';

/**
 * The PostgreSQL part of `pnpm bench` alone: `pnpm --filter @handoff/bench postgres`, or `BENCH_ONLY=postgres
 * pnpm bench`. Runs a short in-process pipeline first (BENCH_PLANS plans, default 1,000, 64 in flight) for the
 * event rate the sequencer is held against, then the part (settings in `postgres-part.ts`). Writes
 * bench/results/postgres.{json,md} and prints the markdown.
 */
export async function runPostgresOnly(): Promise<void> {
  const log = (text: string) =>
    process.stderr.write(
      `[bench ${new Date().toISOString().slice(11, 19)} load ${loadavg()[0]?.toFixed(2)}] ${text}\n`,
    );
  const machine = machineInfo();
  const settings = {
    ...postgresSettings(),
    pipelinePlans: Number(process.env.BENCH_PLANS ?? 1000),
  };
  const dir = mkdtempSync(join(tmpdir(), 'handoff-bench-pg-'));
  try {
    log(`in-process pipeline (SQLite), ${settings.pipelinePlans} plans, 64 in flight`);
    const pipeline = await runInProcess({ plans: settings.pipelinePlans, dir, inFlight: 64 });
    const results = await runPostgresPart({ dir, settings, pipeline, log });
    machine.loadAverageEnd = loadavg().map((l) => Math.round(l * 100) / 100);
    const { figures, notes } = postgresFigures(results);
    const generatedAt = new Date().toISOString();
    const out = fileURLToPath(new URL('../results/', import.meta.url));
    mkdirSync(out, { recursive: true });
    const raw = { pipeline, ...results };
    writeFileSync(
      join(out, 'postgres.json'),
      `${JSON.stringify({ generatedAt, machine, settings, figures, notes, raw }, null, 2)}\n`,
    );
    const report = markdownReport({ generatedAt, machine, settings, figures, notes });
    writeFileSync(join(out, 'postgres.md'), report);
    process.stdout.write(report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runPostgresOnly();
