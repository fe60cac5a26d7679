import { hash } from 'node:crypto';
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
  trace: Latency;
  traceBaseline: Latency;
  verifyPerSec: number;
  /** CPU time of the verification (every thread of the process: user + system) per event, in microseconds. */
  verifyCpuUsPerEvent: number;
  verifyBaselinePerSec: number;
  verified: boolean;
  exportPerSec: number;
  exportBaselinePerSec: number;
}

const REAL_PLANS = 20;
/** What `openDatabaseSource` maps into memory: the baselines read the file the same way. */
const MMAP_BYTES = 2 ** 31;

/**
 * Events of real plans, as templates: approvals included (each copy gets a token freshly signed for its plan),
 * checkpoints left out (a copy would name a Merkle root that no checkpoint record has).
 */
function templatesOf(events: LineageEvent[]): LineageEvent[] {
  return events.filter((e) => e.type !== 'checkpoint.signed');
}

/**
 * Builds a lineage of `events` events in a gateway database: 20 real plans through the whole pipeline, then
 * events shaped like theirs (same types, actors, refs and data, under fresh plan ids) appended in bulk
 * (`appendShapedEvents`: the store's format and hash chain, checked row by row). The copies carry real approvals:
 * each copied plan's `approval.accepted` event refers to a token freshly signed for it by the bench's finance
 * key, stored with its `approvals` row, so verification checks one Ed25519 signature per plan (about one event in
 * 14), as in a real lineage. Then measures, against bare
 * baselines from the same run: tracing a real plan (`traceInStore`, p50/p99) vs one indexed SELECT of its rows;
 * verifying the whole chain offline (`verifyLineage`) vs reading every row and hashing its body; exporting it as
 * JSON Lines (`exportLineageJsonl`) vs writing every row's body to a file. Baselines read the file memory-mapped,
 * as the verifier does.
 */
export async function runLineageScale(options: {
  events: number;
  dir: string;
  log: (text: string) => void;
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
  const templates = templatesOf(
    await runtime.store.queryLineage({ tenantId: TENANT, limit: 10_000 }),
  );
  // The bulk append writes the file directly (a second connection; the runtime is idle meanwhile).
  const db = new Database(path);
  const append = appendShapedEvents(db, templates, options.events, {
    approverKey: setup.finance.privateJwk,
    log: options.log,
  });
  const generationSeconds = Math.round((performance.now() - started) / 100) / 10;
  const written = db.prepare('select max(seq) from lineage_events').pluck().get() as number;
  const approvals = db
    .prepare("select count(*) from lineage_events where type = 'approval.accepted'")
    .pluck()
    .get() as number;
  // The bulk append leaves a large WAL: checkpoint it first, so traces measure a settled database, not the copy
  // competing for the 2 cores and the disk.
  db.pragma('wal_checkpoint(TRUNCATE)');
  const traces = await measureTrace(runtime, realPlanIds, db);
  db.close();
  await runtime.close();
  const bytes = statSync(path).size;

  options.log('lineage: verify');
  let t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const source = await openDatabaseSource(path);
  // Anchored on the approver key the bench holds (the bench gateway signs no checkpoints).
  const trust = anchorsFromJwks({ keys: [] }, { keys: [setup.finance.publicJwk] });
  const report = await verifyLineage(source, { trust });
  source.close();
  const verifyMs = performance.now() - t0;
  const verifyCpu = process.cpuUsage(cpu0);
  const reader = new Database(path, { readonly: true });
  reader.pragma(`mmap_size = ${MMAP_BYTES}`);
  const baseline = readAndHash(reader);

  options.log('lineage: export');
  const out = join(options.dir, 'lineage.jsonl');
  t0 = performance.now();
  const store = await openStoreReadOnly(path);
  const summary = await exportLineageJsonl(store, out);
  await store.close();
  const exportMs = performance.now() - t0;
  rmSync(out); // at 10M events each file is about 10 GB: one at a time
  const exportBaselineMs = await writeBodies(reader, `${out}.bare`);
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
    bodyBytesPerEvent: Math.round(baseline.bodyChars / baseline.rows),
    ...traces,
    verifyPerSec: perSecond(report.events, verifyMs),
    verifyCpuUsPerEvent:
      Math.round(((verifyCpu.user + verifyCpu.system) / Math.max(1, report.events)) * 100) / 100,
    verifyBaselinePerSec: perSecond(baseline.rows, baseline.ms),
    verified: report.ok,
    exportPerSec: perSecond(summary.events, exportMs),
    exportBaselinePerSec: perSecond(baseline.rows, exportBaselineMs),
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

/** The verification baseline: every body read in seq order and hashed (SHA-256, one-shot). */
function readAndHash(db: Database.Database): { rows: number; bodyChars: number; ms: number } {
  const t0 = performance.now();
  let rows = 0;
  let bodyChars = 0;
  for (const row of db.prepare('select body from lineage_events order by seq').iterate()) {
    const { body } = row as { body: string };
    hash('sha256', body, 'hex');
    bodyChars += body.length;
    rows += 1;
  }
  return { rows, bodyChars, ms: performance.now() - t0 };
}

/** The export baseline: every body written to `file`, one per line, with back-pressure; milliseconds. */
async function writeBodies(db: Database.Database, file: string): Promise<number> {
  const t0 = performance.now();
  const stream = createWriteStream(file);
  for (const row of db.prepare('select body from lineage_events order by seq').iterate()) {
    if (!stream.write(`${(row as { body: string }).body}\n`)) await once(stream, 'drain');
  }
  await new Promise<void>((resolve) => stream.end(() => resolve()));
  return performance.now() - t0;
}
