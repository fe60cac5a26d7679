import type { ApprovalLatencyResult } from './approval-latency.js';
import type { ContentionResult } from './budget-contention.js';
import type { CliStartupResult } from './cli-startup.js';
import type { FloorResult } from './floor.js';
import type { HttpResult } from './http-load.js';
import type { InProcessResult } from './in-process.js';
import type { LineageScaleResult } from './lineage-scale.js';
import { P99_TARGET_MS, type PacedResult, type PacedSweep } from './paced-load.js';
import type { Figure } from './report.js';
import { serverNodeArgs } from './server-process.js';
import { ratio } from './stats.js';

/** Every result of one run. */
export interface RunResults {
  /** The single-transaction floor of issue 8, kept for history. */
  floor: FloorResult;
  /** The honest floor of issue 14: three transactions, one event each (see `honest-floor.ts`). */
  honestFloor: FloorResult;
  /** The pipeline with plans in flight together, as concurrent requests (the figure the target applies to). */
  inProcess: InProcessResult;
  /** The same pipeline, one plan after another. */
  inProcessSerial: InProcessResult;
  bare: HttpResult;
  gateway: HttpResult;
  /** Both servers again, open loop, at a sweep of fixed rates. */
  barePaced: PacedSweep;
  gatewayPaced: PacedSweep;
  approval: ApprovalLatencyResult;
  contention: ContentionResult;
  /** Lineage at scale, smallest first (1M events, then 10M when asked for); empty when skipped. */
  lineage: LineageScaleResult[];
  /** `handoff --help` and `--version`, start to exit. */
  cliStartup: CliStartupResult;
}

function figure(f: Omit<Figure, 'ratio' | 'met'> & { met?: boolean | undefined }): Figure {
  return { ...f, ratio: ratio(f.value, f.baseline), met: f.met };
}

/** The figures, each against its baseline from the same run, with its target; and notes on correctness. */
export function buildFigures(r: RunResults): { figures: Figure[]; notes: string[] } {
  const figures: Figure[] = [
    figure({
      id: 'in-process-throughput',
      name: `In-process pipeline (submit, policy, reserve, 1 signed approval, dispatch, lineage), ${r.inProcess.inFlight} plans in flight`,
      value: r.inProcess.plansPerSec,
      unit: 'plans/s',
      baselineName: 'honest floor (3 transactions, 1 event each)',
      baseline: r.honestFloor.plansPerSec,
      target: '>= 0.6x honest floor',
      met: ratio(r.inProcess.plansPerSec, r.honestFloor.plansPerSec) >= 0.6,
    }),
    figure({
      id: 'in-process-vs-old-floor',
      name: `In-process pipeline, ${r.inProcess.inFlight} plans in flight, against the old floor (history)`,
      value: r.inProcess.plansPerSec,
      unit: 'plans/s',
      baselineName: `old floor (1 transaction, ${r.floor.rowsPerPlan} rows)`,
      baseline: r.floor.plansPerSec,
      target: '-',
    }),
    figure({
      id: 'in-process-serial-throughput',
      name: 'In-process pipeline, one plan after another',
      value: r.inProcessSerial.plansPerSec,
      unit: 'plans/s',
      baselineName: 'floor',
      baseline: r.floor.plansPerSec,
      target: '-',
    }),
    figure({
      id: 'http-throughput',
      name: `HTTP gateway, ${r.gateway.connections} connections (${submitsOf(r.gateway)}, 1 approval request per plan)`,
      value: r.gateway.plansPerSec,
      unit: 'plans/s',
      baselineName: 'bare node:http, same pipeline',
      baseline: r.bare.plansPerSec,
      target: '>= 0.8x bare',
      met: ratio(r.gateway.plansPerSec, r.bare.plansPerSec) >= 0.8,
    }),
    figure({
      id: 'http-p50',
      name: 'HTTP gateway latency p50 (per request, submits and approvals)',
      value: r.gateway.latency.p50,
      unit: 'ms',
      baselineName: 'bare p50',
      baseline: r.bare.latency.p50,
      target: '-',
    }),
    figure({
      id: 'http-p99',
      name: 'HTTP gateway latency p99 (per request, submits and approvals)',
      value: r.gateway.latency.p99,
      unit: 'ms',
      baselineName: 'bare p99',
      baseline: r.bare.latency.p99,
      target: '< 50 ms',
      met: r.gateway.latency.p99 < 50,
    }),
    figure({
      id: 'http-paced-throughput-at-p99',
      name: `HTTP gateway, most plans/s held with p99 under ${P99_TARGET_MS} ms (open loop at ${r.gatewayPaced.steps.map((step) => step.offeredPlansPerSec).join(', ')} plans/s, plans.submit then approvals.submit; the gateway on its lean JSON route /json/...)`,
      value: r.gatewayPaced.plansPerSecUnderTarget,
      unit: 'plans/s',
      baselineName: 'bare node:http, same rates',
      baseline: r.barePaced.plansPerSecUnderTarget,
      target: `p99 < ${P99_TARGET_MS} ms at >= 800 plans/s and >= 0.8x bare`,
      met:
        r.gatewayPaced.plansPerSecUnderTarget >= 800 &&
        ratio(r.gatewayPaced.plansPerSecUnderTarget, r.barePaced.plansPerSecUnderTarget) >= 0.8,
    }),
    figure({
      id: 'approval-to-dispatch-p99',
      name: 'Approval-to-dispatch latency p99',
      value: r.approval.latency.p99,
      unit: 'ms',
      baselineName: 'floor p50 per handoff',
      baseline: r.floor.latency.p50,
      target: '< 10 ms',
      met: r.approval.latency.p99 < 10,
    }),
    figure({
      id: 'budget-contention',
      name: `Budget contention: ${r.contention.contended.submissions} concurrent submissions, 1 cap`,
      value: r.contention.contended.plansPerSec,
      unit: 'plans/s',
      baselineName: 'same burst, cap out of reach',
      baseline: r.contention.baseline.plansPerSec,
      target: 'overspend 0',
      met: r.contention.contended.overspendMinor === 0,
    }),
    figure({
      id: 'memory-rss',
      name: 'Gateway RSS under sustained HTTP load (peak)',
      value: r.gateway.rss.peakMiB,
      unit: 'MiB',
      baselineName: 'bare server peak',
      baseline: r.bare.rss.peakMiB,
      target: '< 200 MB',
      met: r.gateway.rss.peakMiB * 1.048576 < 200,
    }),
    figure({
      id: 'cli-help-startup',
      name: `CLI start-up: \`${r.cliStartup.command}\`, start to exit (median of ${r.cliStartup.runs})`,
      value: r.cliStartup.helpMedianMs,
      unit: 'ms',
      baselineName: 'node -e "" (a bare Node start)',
      baseline: r.cliStartup.nodeMedianMs,
      target: '< 500 ms',
      met: r.cliStartup.helpMedianMs < 500,
    }),
  ];
  for (const l of r.lineage) figures.push(...lineageFigures(l, l === r.lineage[0]));
  const c = r.contention.contended;
  const notes = [
    `Honest floor: zod parse, RFC 8785 digest, 1 Ed25519 verification, 3 transactions (submit, approve, dispatch claim plus outcome) of 1 event each; p50 ${r.honestFloor.latency.p50} ms, p99 ${r.honestFloor.latency.p99} ms, ${r.honestFloor.cpuMsPerPlan} ms of CPU per plan. Old floor (history): ${r.floor.rowsPerPlan} lineage rows per handoff in one transaction (what the pipeline writes per plan: ${r.inProcess.lineageRowsPerPlan}); p50 ${r.floor.latency.p50} ms, p99 ${r.floor.latency.p99} ms.`,
    ...[r.inProcess, r.inProcessSerial].map(
      (p) =>
        `In-process, ${p.inFlight} in flight: ${p.plans} plans, ${p.cpuMsPerPlan} ms of process CPU per plan (floor: ${r.floor.cpuMsPerPlan}), submit+approve p50 ${p.latency.p50} ms, p99 ${p.latency.p99} ms; ${p.dispatched} actions dispatched, ${p.duplicates} applied twice; ${p.databaseBytesPerPlan} database bytes per plan.`,
    ),
    `HTTP (${submitsOf(r.gateway)}, then one approvals.submit per plan; a plan counts when its approval is answered 2xx): ${httpNote('bare', r.bare)}; ${httpNote('gateway', r.gateway)}. Open loop, each rate on a fresh server for ${r.gatewayPaced.steps[0]?.warmupSeconds ?? 0} s of warm-up (not recorded) and ${r.gatewayPaced.steps[0]?.seconds ?? 0} s measured: ${pacedNote(r.barePaced)}; ${pacedNote(r.gatewayPaced)}. The servers run on plain node from one esbuild bundle (bench/src/child-bundle.ts), with ${serverNodeArgs().join(' ') || "V8's default heap sizing"}.`,
    `Approval to dispatch: ${r.approval.samples} samples, p50 ${r.approval.latency.p50} ms, p90 ${r.approval.latency.p90} ms, max ${r.approval.latency.max} ms.`,
    `Budget contention: ${c.accepted} accepted, ${c.refused} refused; cap ${c.capMinor} minor units, used ${c.usedMinor}, overspend ${c.overspendMinor}.`,
    `CLI start-up: \`handoff --help\` p50 ${r.cliStartup.helpMedianMs} ms, p90 ${r.cliStartup.helpP90Ms} ms; \`handoff --version\` p50 ${r.cliStartup.versionMedianMs} ms (it also loads the protocol, for its version); bare Node ${r.cliStartup.nodeMedianMs} ms.`,
    `Memory: gateway RSS ${r.gateway.rss.startMiB} MiB at start, ${r.gateway.rss.peakMiB} MiB peak, ${r.gateway.rss.endMiB} MiB at end (${r.gateway.rss.samples.length} samples every 250 ms).`,
  ];
  for (const l of r.lineage) {
    notes.push(
      `Lineage at scale: ${l.events} events (20 real plans, the rest shaped like theirs, appended in bulk at ${l.appendPerSec} events/s; built in ${l.generationSeconds} s); ${l.bytesPerEvent} database bytes per event; the chain ${l.verified ? 'verified' : 'did NOT verify'}; trace p50 ${l.trace.p50} ms over ${l.trace.count} traces.`,
    );
  }
  return { figures, notes };
}

/** How the HTTP runs submit plans. */
function submitsOf(h: HttpResult): string {
  return h.batchSize === 1
    ? 'plans.submit, 1 plan a request'
    : `plans.submitBatch of ${h.batchSize}`;
}

/** One HTTP run in a note: request rate (plans/s), latency of each kind of request, refusals, errors, dispatches. */
function httpNote(label: string, h: HttpResult): string {
  const { submit, approve } = h.latencyByKind;
  return `${label} ${h.requestsPerSec} req/s (${h.plansPerSec} plans/s), submit p50 ${submit.p50} ms p99 ${submit.p99} ms (${submit.count}), approval p50 ${approve.p50} ms p99 ${approve.p99} ms (${approve.count}), ${h.non2xx} non-2xx ${JSON.stringify(h.refusals)}, ${h.itemRefusals} batch items refused, ${h.errors} errors, ${h.dispatched} actions dispatched`;
}

/** A paced sweep in a note: p50/p99 at each rate, and what went wrong. */
function pacedNote(sweep: PacedSweep): string {
  const step = (s: PacedResult) =>
    `${s.offeredPlansPerSec} plans/s: p50 ${s.latency.p50} ms p99 ${s.latency.p99} ms (${s.plansPerSec} plans/s through, ${s.non2xx} non-2xx, ${s.errors} errors, server CPU ${s.serverCpuMsPerPlan} ms per plan)`;
  return `${sweep.mode} ${sweep.steps.map(step).join(', ')}`;
}

/** The lineage figures of one size; ids of a size after the first end in its size (`-10m`). */
function lineageFigures(l: LineageScaleResult, first: boolean): Figure[] {
  const at = `${(l.events / 1e6).toLocaleString('en-US')}M events`;
  const id = (name: string) => (first ? name : `${name}-${Math.round(l.events / 1e6)}m`);
  return [
    figure({
      id: id('lineage-trace-p99'),
      name: `Lineage: trace one plan, p99 (${at})`,
      value: l.trace.p99,
      unit: 'ms',
      baselineName: 'one indexed SELECT of its rows',
      baseline: l.traceBaseline.p99,
      target: '< 5 ms',
      met: l.trace.p99 < 5,
    }),
    figure({
      id: id('lineage-verify'),
      name: `Lineage: verify the chain offline (${at})`,
      value: l.verifyPerSec,
      unit: 'events/s',
      baselineName: 'read + SHA-256 each row',
      baseline: l.verifyBaselinePerSec,
      target: '>= 200,000 events/s',
      met: l.verifyPerSec >= 200_000,
    }),
    figure({
      id: id('lineage-export'),
      name: `Lineage: export JSON Lines (${at})`,
      value: l.exportPerSec,
      unit: 'events/s',
      baselineName: 'write each row body',
      baseline: l.exportBaselinePerSec,
      target: '>= 100,000 events/s',
      met: l.exportPerSec >= 100_000,
    }),
    figure({
      id: id('lineage-bytes'),
      name: `Lineage: database size per event (${at})`,
      value: l.bytesPerEvent,
      unit: 'bytes',
      baselineName: 'average event body',
      baseline: l.bodyBytesPerEvent,
      target: '-',
    }),
  ];
}
