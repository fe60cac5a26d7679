import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLineageScale } from './lineage-scale.js';

/**
 * Lineage at scale alone, without the rest of the benchmark (`pnpm bench` runs it among everything else): builds
 * a lineage of BENCH_LINEAGE_EVENTS events [1000000] as `runLineageScale` does (about 35 s per million events on an idle machine,
 * and about 2.2 GB of disk per million while it runs), measures tracing, offline verification and export, and
 * prints its figures as one JSON object on stdout (progress on stderr): trace p50/p99 in milliseconds,
 * throughputs in events per second, verification CPU time per event in microseconds (every thread). Run it with
 * `cd bench && npx tsx --conditions=@handoff/source src/lineage-only.ts`.
 */

const raw = process.env.BENCH_LINEAGE_EVENTS;
const events = raw === undefined || raw === '' ? 1_000_000 : Number(raw);
if (!Number.isSafeInteger(events) || events < 1) {
  throw new Error(`BENCH_LINEAGE_EVENTS must be a positive integer, not ${raw}`);
}

const log = (text: string) =>
  process.stderr.write(
    `[lineage ${new Date().toISOString().slice(11, 19)} load ${loadavg()[0]?.toFixed(2)}] ${text}\n`,
  );

const dir = mkdtempSync(join(tmpdir(), 'handoff-lineage-'));
try {
  const result = await runLineageScale({ events, dir, log });
  process.stdout.write(`${JSON.stringify({ loadAverage: loadavg()[0], ...result }, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
