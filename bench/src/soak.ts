import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchSetup } from './bench-gateway.js';
import { prepareBodies, succeededDispatches } from './http-load.js';
import { paceLoad } from './paced-load.js';
import { machineInfo } from './report.js';
import { startServerProcess } from './server-process.js';

/**
 * `pnpm bench:soak`: the gateway (its own process, `startGateway`) under a steady load for BENCH_SOAK_SECONDS
 * [300], in windows of BENCH_SOAK_WINDOW [30] seconds at BENCH_SOAK_RATE [40] requests/s: a plan (a submit, then
 * its approval) every 2 / rate seconds on the clock, open loop (`paceLoad`), at most 10 requests open. Per window:
 * latency p50/p99 (a submit from when it was due), errors, non-2xx and the server's RSS. Holds when no
 * request failed and RSS did not grow: the last third of the windows averages within 10% of the second third
 * (the first third is warm-up). Writes bench/results/soak.json and soak.md; exits 1 when it does not hold.
 */

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const seconds = num('BENCH_SOAK_SECONDS', 300);
const windowSec = num('BENCH_SOAK_WINDOW', 30);
const rate = num('BENCH_SOAK_RATE', 40);
const machine = machineInfo();
const dir = mkdtempSync(join(tmpdir(), 'handoff-soak-'));
const dbPath = join(dir, 'soak.db');

interface Window {
  index: number;
  requests: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  rssMiB: number;
}

try {
  const setup = await benchSetup(dbPath);
  const server = await startServerProcess(setup, 'gateway', dir);
  const bodies = await prepareBodies(setup, Math.ceil((rate / 2) * seconds * 1.1), 21);
  const windows: Window[] = [];
  for (let index = 0; index * windowSec < seconds; index += 1) {
    const r = await paceLoad(server.url, setup, bodies, {
      plansPerSec: rate / 2,
      seconds: windowSec,
      connections: 10,
      warmupSeconds: 0,
    });
    const w = {
      index,
      requests: r.latency.count,
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
      errors: r.errors,
      non2xx: r.non2xx,
      rssMiB: server.rssMiB(),
    };
    windows.push(w);
    process.stderr.write(`[soak] window ${index}: ${JSON.stringify(w)}\n`);
  }
  await server.stop();
  const third = Math.max(1, Math.floor(windows.length / 3));
  const mean = (ws: Window[]) => ws.reduce((s, w) => s + w.rssMiB, 0) / Math.max(1, ws.length);
  const middle = mean(windows.slice(third, 2 * third));
  const last = mean(windows.slice(windows.length - third));
  const growth = middle > 0 ? Math.round(((last - middle) / middle) * 1000) / 10 : 0;
  const failures = windows.reduce((s, w) => s + w.errors + w.non2xx, 0);
  const held = failures === 0 && growth < 10;
  machine.loadAverageEnd = loadavg().map((l) => Math.round(l * 100) / 100);
  const summary = {
    generatedAt: new Date().toISOString(),
    machine,
    settings: { seconds, windowSec, rate, connections: 10 },
    windows,
    rssGrowthPercent: growth,
    failures,
    dispatched: succeededDispatches(dbPath),
    refusals: bodies.refusals,
    held,
  };
  const out = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'soak.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const md = [
    '# Handoff soak',
    '',
    `Generated ${summary.generatedAt} by \`pnpm bench:soak\`: ${seconds} s at ${rate} requests/s (10 connections), windows of ${windowSec} s.`,
    `Machine: ${machine.cpus} x ${machine.cpuModel}, Node ${machine.node}; load average ${machine.loadAverageStart.join(', ')} at start, ${machine.loadAverageEnd.join(', ')} at end.`,
    '',
    '| window | requests | p50 ms | p99 ms | max ms | errors | non-2xx | RSS MiB |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...windows.map(
      (w) =>
        `| ${w.index} | ${w.requests} | ${w.p50} | ${w.p99} | ${w.max} | ${w.errors} | ${w.non2xx} | ${w.rssMiB} |`,
    ),
    '',
    `RSS growth (last third vs second third of the windows): ${growth}%. Failures: ${failures} ${JSON.stringify(bodies.refusals)}. Actions dispatched: ${summary.dispatched}. ${held ? 'Held.' : 'DID NOT HOLD.'}`,
    '',
  ].join('\n');
  writeFileSync(join(out, 'soak.md'), md);
  process.stdout.write(md);
  process.exitCode = held ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
