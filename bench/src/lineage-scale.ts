import { once } from 'node:events';
import { createWriteStream, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  anchorsFromJwks,
  exportLineageJsonl,
  type GatewayRuntime,
  openDatabaseSource,
  openStoreReadOnly,
  traceInStore,
  verifyLineage,
} from '@handoff/gateway';
import type { LineageEvent } from '@handoff/protocol';
import { planDigest } from '@handoff/protocol';
import Database from 'better-sqlite3';
import { APPROVER, benchGateway, COPILOT, financeApproval } from './bench-gateway.js';
import { appendShapedEvents } from './lineage-bulk.js';
import { measurePhysicalLimit } from './physical-limit.js';
import { type Latency, LatencyRecorder, perSecond } from './stats.js';
import { benchPlan, TENANT } from './workload.js';

/** Lineage at scale: trace, verify and export over `events` events, each with a bare baseline. */
export interface LineageScaleResult {
  events: number;
  /** `approval.accepted` events in the lineage: one per plan, each a stored token the verifier checks. */
  approvals: number;
  appendPerSec: number;
  /** Seconds to build the lineage (the real plans and the bulk append). */
  generationSeconds: number;
  bytesPerEvent: number;
  /** Average length of an event's JSON body (what the database size is compared with). */
  bodyBytesPerEvent: number;
  /** Plans in the lineage (one approval each: the `approvals` rows). */
  plans: number;
  trace: Latency;
  traceBaseline: Latency;
  /** Offline verification (`verifyLineage`) in events/s and plans/s. */
  verifyPerSec: number;
  verifyPlansPerSec: number;
  /** CPU time of the verification (every thread of the process: user + system) per event, in microseconds. */
  verifyCpuUsPerEvent: number;
  /** The physical limit in the same run (`measurePhysicalLimit`), events/s and plans/s, and its threads. */
  limitPerSec: number;
  limitPlansPerSec: number;
  limitThreads: number;
  /** CPU time per event (every thread), in microseconds, of the limit and of the parse + RFC 8785 measure. */
  limitCpuUsPerEvent: number;
  canonicalCpuUsPerEvent: number;
  /** `JSON.parse` + RFC 8785 of every event on every core, no hash: the verifier's work the limit leaves out. */
  canonicalPerSec: number;
  verified: boolean;
  /** Absent when the run skipped the export (`exportEvents`). */
  exportPerSec?: number;
  exportBaselinePerSec?: number;
}

/** Events over which the parse + RFC 8785 rate is measured at most (a rate: the first million measure it). */
const CANONICAL_EVENTS = 1_000_000;

const REAL_PLANS = 20;
/** What `openDatabaseSource` maps into memory: the baselines read the file the same way. */
const MMAP_BYTES = 2 ** 31;

/** The events of one real plan, in its chain's order: the templates of every copied plan. */
function templatesOf(db: Database.Database, planId: string): LineageEvent[] {
  const bodies = db
    .prepare('select body from lineage_events where plan_id = ? order by seq')
    .pluck()
    .all(planId) as string[];
  return bodies.map((body) => JSON.parse(body) as LineageEvent);
}

/**
 * Builds a lineage of `events` events in a gateway database: 20 real plans through the whole pipeline, then
 * plans shaped like the first one (its events, under fresh plan ids, each plan its own format-2 chain, sequenced)
 * appended in bulk (`appendShapedEvents`: the store's format and hash chains, checked by sample). Each copied plan
 * carries a real approval (a token freshly signed for it by the bench's finance key, with its `approvals` row),
 * so verification checks one Ed25519 signature per plan, as in a real lineage. Then measures, against baselines
 * from the same run: tracing a real plan (`traceInStore`, p50/p99) vs one indexed SELECT of its rows; verifying
 * the lineage offline (`verifyLineage`, events/s and plans/s) vs the physical limit (`measurePhysicalLimit`: one
 * SHA-256 per event, leaf and node and one Ed25519 verification per approval, on every core) and vs `JSON.parse`
 * + RFC 8785 alone on every core; exporting it as JSON Lines (`exportLineageJsonl`) vs writing every row's body
 * to a file. Baselines read the file memory-mapped, as the verifier does.
 */
export async function runLineageScale(options: {
  events: number;
  dir: string;
  log: (text: string) => void;
  /** Whether to measure the export (default true; the 10M run leaves it to the 1M one: 2 x 10 GB of files). */
  exportEvents?: boolean;
}): Promise<LineageScaleResult> {
  const started = performance.now();
  const { path, setup, runtime } = await benchGateway(options.dir, `lineage-${options.events}`);
  const now = Date.now();
  const realPlanIds: string[] = [];
  for (let i = 0; i < REAL_PLANS; i += 1) {
    const plan = benchPlan(i, now, { run: 11 });
    const view = await runtime.gateway.submitPlan(COPILOT, plan);
    const token = await financeApproval(setup, { ...view, digest: planDigest(plan) });
    await runtime.gateway.submitApproval(APPROVER, token);
    realPlanIds.push(plan.planId);
  }
  await runtime.dispatcher.runDue();
  // The bulk append writes the file directly (a second connection; the runtime is idle meanwhile).
  const db = new Database(path);
  const templates = templatesOf(db, realPlanIds[0] as string);
  const append = appendShapedEvents(db, templates, options.events, {
    approverKey: setup.finance.privateJwk,
    log: options.log,
  });
  const generationSeconds = Math.round((performance.now() - started) / 100) / 10;
  const written = db.prepare('select max(id) from lineage_events').pluck().get() as number;
  const approvals = db.prepare('select count(*) from approvals').pluck().get() as number;
  // The bulk append leaves a large WAL that the runtime's checkpoint worker copies in the background: finish it
  // first, so traces measure a settled database, not the copy competing for the 2 cores and the disk.
  db.pragma('wal_checkpoint(TRUNCATE)');
  const traces = await measureTrace(runtime, realPlanIds, db);
  db.close();
  await runtime.close();
  const bytes = statSync(path).size;

  options.log('lineage: physical limit');
  const limit = await measurePhysicalLimit(path, 'limit', setup.finance.publicJwk);
  options.log('lineage: verify');
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const source = await openDatabaseSource(path);
  // Anchored on the approver key the bench holds (the bench gateway signs no checkpoints).
  const trust = anchorsFromJwks({ keys: [] }, { keys: [setup.finance.publicJwk] });
  const report = await verifyLineage(source, { trust });
  source.close();
  const verifyMs = performance.now() - t0;
  const verifyCpu = process.cpuUsage(cpu0);
  options.log('lineage: parse and RFC 8785 only');
  const canonical = await measurePhysicalLimit(path, 'canonical', setup.finance.publicJwk, {
    maxEvents: CANONICAL_EVENTS,
  });
  const reader = new Database(path, { readonly: true });
  reader.pragma(`mmap_size = ${MMAP_BYTES}`);
  const bodyChars = reader.prepare('select sum(length(body)) from lineage_events').pluck().get();

  const out = join(options.dir, 'lineage.jsonl');
  const exported =
    options.exportEvents === false ? {} : await measureExport(path, reader, out, options.log);
  reader.close();
  for (const file of [path, `${path}-wal`, `${path}-shm`, out, `${out}.bare`]) {
    rmSync(file, { force: true });
  }
  return {
    events: written,
    approvals,
    appendPerSec: perSecond(append.appended, append.ms),
    generationSeconds,
    bytesPerEvent: Math.round(bytes / written),
    bodyBytesPerEvent: Math.round(Number(bodyChars) / written),
    plans: approvals,
    ...traces,
    verifyPerSec: perSecond(report.events, verifyMs),
    verifyPlansPerSec: perSecond(approvals, verifyMs),
    verifyCpuUsPerEvent:
      Math.round(((verifyCpu.user + verifyCpu.system) / Math.max(1, report.events)) * 100) / 100,
    limitPerSec: limit.eventsPerSec,
    limitPlansPerSec: perSecond(limit.tokens, limit.ms),
    limitThreads: limit.threads,
    limitCpuUsPerEvent: limit.cpuUsPerEvent,
    canonicalCpuUsPerEvent: canonical.cpuUsPerEvent,
    canonicalPerSec: canonical.eventsPerSec,
    verified: report.ok,
    ...exported,
  };
}

/** Traces of the real plans (`traceInStore`) against one indexed SELECT of the plan's rows, parsed. */
async function measureTrace(
  runtime: GatewayRuntime,
  planIds: readonly string[],
  db: Database.Database,
): Promise<{ trace: Latency; traceBaseline: Latency }> {
  const trace = new LatencyRecorder();
  const traceBaseline = new LatencyRecorder();
  const bare = db.prepare('select body from lineage_events where plan_id = ? order by seq');
  // At most 500 traces or 30 s of them (at least 20): a slow trace at 10M events must not stall the run.
  const traceUntil = performance.now() + 30_000;
  for (let i = 0; i < 500 && (i < 20 || performance.now() < traceUntil); i += 1) {
    const planId = planIds[i % planIds.length] as string;
    let t0 = performance.now();
    await traceInStore(runtime.store, { planId }, TENANT);
    trace.record(performance.now() - t0);
    t0 = performance.now();
    bare.all(planId).map((r) => JSON.parse((r as { body: string }).body));
    traceBaseline.record(performance.now() - t0);
  }
  return { trace: trace.summary(), traceBaseline: traceBaseline.summary() };
}

/** `exportLineageJsonl` to `out`, then the bare baseline, in events/s; each file removed after. */
async function measureExport(
  path: string,
  reader: Database.Database,
  out: string,
  log: (text: string) => void,
): Promise<{ exportPerSec: number; exportBaselinePerSec: number }> {
  log('lineage: export');
  const t0 = performance.now();
  const store = await openStoreReadOnly(path);
  const summary = await exportLineageJsonl(store, out);
  await store.close();
  const exportMs = performance.now() - t0;
  rmSync(out); // at 10M events each file is about 10 GB: one at a time
  const baseline = await writeBodies(reader, `${out}.bare`);
  rmSync(`${out}.bare`);
  return {
    exportPerSec: perSecond(summary.events, exportMs),
    exportBaselinePerSec: perSecond(baseline.rows, baseline.ms),
  };
}

/** The export baseline: every body written to `file`, one per line, with back-pressure. */
async function writeBodies(
  db: Database.Database,
  file: string,
): Promise<{ rows: number; ms: number }> {
  const t0 = performance.now();
  const stream = createWriteStream(file);
  let rows = 0;
  for (const body of db.prepare('select body from lineage_events order by id').pluck().iterate()) {
    if (!stream.write(`${body as string}\n`)) await once(stream, 'drain');
    rows += 1;
  }
  await new Promise<void>((resolve) => stream.end(() => resolve()));
  return { rows, ms: performance.now() - t0 };
}
