import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runApprovalLatency } from './approval-latency.js';
import { runBudgetContention } from './budget-contention.js';
import { type CurvePanel, chartSvg, renderPng } from './chart.js';
import { runCliStartup } from './cli-startup.js';
import { buildFigures } from './figures.js';
import { runFloor } from './floor.js';
import { runHonestFloor } from './honest-floor.js';
import { runHttp } from './http-load.js';
import { runInProcess } from './in-process.js';
import { runLineageScale } from './lineage-scale.js';
import { P99_TARGET_MS, type PacedSweep, sweepPaced } from './paced-load.js';
import { postgresFigures } from './postgres-figures.js';
import { runPostgresOnly } from './postgres-only.js';
import { postgresSettings, runPostgresPart } from './postgres-part.js';
import { machineInfo, markdownReport } from './report.js';

/**
 * `pnpm bench`: every benchmark of issue 8 in one run, each figure with its baseline from the same run, written to
 * bench/results/latest.{json,md,png}. Scale with environment variables (defaults in brackets):
 * BENCH_PLANS [20000] plans through the in-process pipeline and the floor; BENCH_IN_FLIGHT [64] plans in flight
 * together in the in-process pipeline (it also runs one plan at a time); BENCH_HTTP_SECONDS [20] per HTTP run;
 * BENCH_CONNECTIONS [50]; BENCH_HTTP_PLANS [20000] distinct plans prepared per HTTP run; BENCH_LATENCY_SAMPLES
 * [1000]; BENCH_CONTENTION [1000] concurrent submissions, BENCH_CONTENTION_FITS [300] of which the cap fits;
 * BENCH_LINEAGE_EVENTS [1000000] events for lineage at scale (0 skips it); BENCH_LINEAGE_EVENTS_10M [10000000] events of
 * a second, larger lineage run after it (0 skips it; about 22 GB of disk while it runs);
 * BENCH_CLI_RUNS [20] runs each of `handoff --help`, `--version` and a bare Node start. The PostgreSQL part's
 * settings are in `postgres-part.ts`; BENCH_ONLY=postgres runs that part alone (as `pnpm --filter @handoff/bench
 * postgres`).
 */

if (process.env.BENCH_ONLY === 'postgres') {
  await runPostgresOnly();
  process.exit(0);
}

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${name} must be a non-negative number`);
  return value;
};

const settings = {
  plans: env('BENCH_PLANS', 20_000),
  inFlight: Math.max(1, env('BENCH_IN_FLIGHT', 64)),
  httpSeconds: env('BENCH_HTTP_SECONDS', 20),
  connections: env('BENCH_CONNECTIONS', 50),
  httpPlans: env('BENCH_HTTP_PLANS', 20_000),
  latencySamples: env('BENCH_LATENCY_SAMPLES', 1000),
  contention: env('BENCH_CONTENTION', 1000),
  contentionFits: env('BENCH_CONTENTION_FITS', 300),
  lineageEvents: env('BENCH_LINEAGE_EVENTS', 1_000_000),
  lineageEvents10M: env('BENCH_LINEAGE_EVENTS_10M', 10_000_000),
  cliRuns: Math.max(1, env('BENCH_CLI_RUNS', 20)),
};

/** p50 and p99 against offered load (open loop) for the gateway and the bare server: where each curve knees. */
function latencyCurves(gateway: PacedSweep, bare: PacedSweep): CurvePanel {
  const curve = (sweep: PacedSweep, p: 'p50' | 'p99') =>
    sweep.steps.map((s) => [s.offeredPlansPerSec, s.latency[p]] as const);
  return {
    title: 'Latency against offered load (open loop)',
    unit: 'ms',
    xUnit: 'plans/s',
    target: { value: P99_TARGET_MS, label: `p99 target ${P99_TARGET_MS} ms` },
    curves: [
      { label: 'gateway p99', points: curve(gateway, 'p99'), colour: '#2f6db5' },
      {
        label: 'gateway p50 (dashed)',
        points: curve(gateway, 'p50'),
        colour: '#2f6db5',
        dashed: true,
      },
      { label: 'bare node:http p99', points: curve(bare, 'p99'), colour: '#e07b39' },
      {
        label: 'bare node:http p50 (dashed)',
        points: curve(bare, 'p50'),
        colour: '#e07b39',
        dashed: true,
      },
    ],
  };
}

const log = (text: string) =>
  process.stderr.write(
    `[bench ${new Date().toISOString().slice(11, 19)} load ${loadavg()[0]?.toFixed(2)}] ${text}\n`,
  );

const machine = machineInfo();
const dir = mkdtempSync(join(tmpdir(), 'handoff-bench-'));
try {
  log(`in-process pipeline, ${settings.plans} plans, ${settings.inFlight} in flight`);
  const inProcess = await runInProcess({ plans: settings.plans, dir, inFlight: settings.inFlight });
  log(`in-process pipeline, ${settings.plans} plans, one after another`);
  const inProcessSerial = await runInProcess({ plans: settings.plans, dir, inFlight: 1 });
  log(`floor, ${settings.plans} plans x ${inProcess.lineageRowsPerPlan} lineage rows`);
  const floor = runFloor({
    plans: settings.plans,
    rowsPerPlan: Math.round(inProcess.lineageRowsPerPlan),
    dir,
  });
  log(`honest floor, ${settings.plans} plans x 3 transactions`);
  const honestFloor = runHonestFloor({ plans: settings.plans, dir });
  log(
    `HTTP, bare node:http baseline, ${settings.httpSeconds} s x ${settings.connections} connections`,
  );
  const http = {
    connections: settings.connections,
    seconds: settings.httpSeconds,
    plans: settings.httpPlans,
    dir,
  };
  const bare = await runHttp({ ...http, mode: 'bare', run: 1 });
  log('HTTP, the gateway');
  const gateway = await runHttp({ ...http, mode: 'gateway', run: 2 });
  // Latency below saturation: a closed loop of 50 connections measures mostly its own queue (Little's law).
  const rates = [0.25, 0.5, 0.75, 1, 1.25].map((f) =>
    Math.max(1, Math.round(gateway.plansPerSec * f)),
  );
  log(`HTTP, both servers paced (open loop) at ${rates.join(', ')} plans/s`);
  const paced = { dir, plansPerSec: rates, seconds: 10, connections: settings.connections };
  const barePaced = await sweepPaced({ ...paced, mode: 'bare', run: 3 });
  const gatewayPaced = await sweepPaced({ ...paced, mode: 'gateway', run: 4 });
  log(`approval-to-dispatch latency, ${settings.latencySamples} samples`);
  const approval = await runApprovalLatency({ samples: settings.latencySamples, dir });
  log(`budget contention, ${settings.contention} concurrent submissions`);
  const contention = await runBudgetContention({
    submissions: settings.contention,
    fits: settings.contentionFits,
    dir,
  });
  const lineage = [];
  if (settings.lineageEvents > 0) {
    lineage.push(await runLineageScale({ events: settings.lineageEvents, dir, log }));
  }
  if (settings.lineageEvents10M > 0) {
    // The export is measured at the first size: at 10M it would write 2 x 10 GB for the same rate.
    const events = settings.lineageEvents10M;
    lineage.push(await runLineageScale({ events, dir, log, exportEvents: false }));
  }
  log(`CLI start-up, ${settings.cliRuns} runs of handoff --help and --version`);
  const cliStartup = runCliStartup({ runs: settings.cliRuns });
  const postgres = await runPostgresPart({
    dir,
    settings: postgresSettings(),
    pipeline: inProcess,
    log,
  });
  machine.loadAverageEnd = loadavg().map((l) => Math.round(l * 100) / 100);

  const { figures, notes } = buildFigures({
    floor,
    honestFloor,
    inProcess,
    inProcessSerial,
    bare,
    gateway,
    barePaced,
    gatewayPaced,
    approval,
    contention,
    lineage,
    cliStartup,
  });
  const pg = postgresFigures(postgres);
  figures.push(...pg.figures);
  notes.push(...pg.notes);
  const generatedAt = new Date().toISOString();
  const out = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  const raw = {
    floor,
    honestFloor,
    inProcess,
    inProcessSerial,
    http: { bare, gateway, barePaced, gatewayPaced },
    approval,
    contention,
    lineage,
    cliStartup,
    postgres,
  };
  writeFileSync(
    join(out, 'latest.json'),
    `${JSON.stringify({ generatedAt, machine, settings, figures, notes, raw }, null, 2)}\n`,
  );
  writeFileSync(
    join(out, 'latest.md'),
    markdownReport({ generatedAt, machine, settings, figures, notes }),
  );
  const subtitle = `${machine.cpus} x ${machine.cpuModel}, Node ${machine.node}, load ${machine.loadAverageStart[0]} -> ${machine.loadAverageEnd[0]}, ${generatedAt}`;
  const svg = chartSvg(
    'Handoff gateway vs its baselines',
    subtitle,
    [
      {
        title: 'Throughput',
        unit: 'plans/s',
        bars: [
          { label: 'honest floor (3 transactions)', value: honestFloor.plansPerSec },
          { label: 'old floor (1 transaction)', value: floor.plansPerSec },
          { label: `in-process, ${inProcess.inFlight} in flight`, value: inProcess.plansPerSec },
          { label: 'in-process, one at a time', value: inProcessSerial.plansPerSec },
          { label: 'HTTP bare node:http', value: bare.plansPerSec },
          { label: 'HTTP gateway (tRPC)', value: gateway.plansPerSec },
          { label: 'budget burst, 1 cap', value: contention.contended.plansPerSec },
        ],
      },
      {
        title: 'Latency',
        unit: 'ms',
        bars: [
          { label: 'HTTP bare p50', value: bare.latency.p50 },
          { label: 'HTTP bare p99', value: bare.latency.p99 },
          { label: 'HTTP gateway p50', value: gateway.latency.p50 },
          { label: 'HTTP gateway p99', value: gateway.latency.p99 },
          { label: 'approval -> dispatch p50', value: approval.latency.p50 },
          { label: 'approval -> dispatch p99', value: approval.latency.p99 },
        ],
      },
    ],
    [latencyCurves(gatewayPaced, barePaced)],
  );
  writeFileSync(join(out, 'latest.png'), renderPng(svg));
  process.stdout.write(markdownReport({ generatedAt, machine, settings, figures, notes }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
