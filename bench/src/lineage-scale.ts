import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LineageEvent } from '@handoff/protocol';
import { planDigest } from '@handoff/protocol';
import Database from 'better-sqlite3';
// The audit API is not exported by @handoff/gateway yet: its modules are imported by path.
import { openDatabaseSource } from '../../packages/gateway/src/audit/database-source.js';
import { exportLineageJsonl } from '../../packages/gateway/src/audit/export-jsonl.js';
import { traceInStore } from '../../packages/gateway/src/audit/trace-in-store.js';
import { verifyLineage } from '../../packages/gateway/src/audit/verify-lineage.js';
import { APPROVER, benchGateway, COPILOT, financeApproval } from './bench-gateway.js';
import { type Latency, LatencyRecorder, perSecond } from './stats.js';
import { benchPlan, TENANT } from './workload.js';

/** Lineage at scale: trace, verify and export over `events` events, each with a bare baseline. */
export interface LineageScaleResult {
  events: number;
  appendPerSec: number;
  bytesPerEvent: number;
  /** Average length of an event's JSON body (what the database size is compared with). */
  bodyBytesPerEvent: number;
  trace: Latency;
  traceBaseline: Latency;
  verifyPerSec: number;
  verifyBaselinePerSec: number;
  verified: boolean;
  exportPerSec: number;
  exportBaselinePerSec: number;
}

const REAL_PLANS = 20;
const BATCH = 10_000;

/** Events of real plans, as templates: approvals are left out (the verifier checks each against a stored token). */
function templatesOf(events: LineageEvent[]): LineageEvent[] {
  return events.filter((e) => e.type !== 'approval.accepted' && e.type !== 'checkpoint.signed');
}

/**
 * Builds a lineage of `events` events in a gateway database: 20 real plans through the whole pipeline, then
 * events shaped like theirs (same types, actors, refs and data, under fresh plan ids) appended through the store's
 * own `appendLineage` (hash chain and all) in transactions of 10,000. Then measures, against bare baselines from
 * the same run: tracing a real plan (`traceInStore`, p50/p99) vs one indexed SELECT of its rows; verifying the
 * whole chain offline (`verifyLineage`) vs reading every row and hashing its body; exporting it as JSON Lines
 * (`exportLineageJsonl`) vs writing every row's body to a file.
 */
export async function runLineageScale(options: {
  events: number;
  dir: string;
  log: (text: string) => void;
}): Promise<LineageScaleResult> {
  const { path, setup, runtime } = await benchGateway(options.dir, 'lineage-scale');
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
  let written = await runtime.store.queryLineage({ limit: 1_000_000 }).then((e) => e.length);
  const appendStart = performance.now();
  let fakePlan = 0;
  while (written < options.events) {
    const count = Math.min(BATCH, options.events - written);
    const drafts = Array.from({ length: count }, (_, i) => {
      const t = templates[(written + i) % templates.length] as LineageEvent;
      if ((written + i) % templates.length === 0) fakePlan += 1;
      return {
        tenantId: t.tenantId,
        planId: `019a8f2e-${(fakePlan >>> 16).toString(16).padStart(4, '0')}-7d3e-9a1f-${(fakePlan & 0xffff).toString(16).padStart(12, '0')}`,
        type: t.type,
        actor: t.actor,
        occurredAt: Date.parse(t.occurredAt),
        refs: t.refs,
        data: t.data,
      };
    });
    await runtime.store.transaction(async (tx) => {
      // One INSERT per 1,000 rows: SQLite allows 32,766 bound variables in one statement.
      for (let i = 0; i < drafts.length; i += 1000)
        await tx.appendLineage(drafts.slice(i, i + 1000));
    });
    written += count;
    if (written % 100_000 < BATCH) options.log(`lineage: ${written} events`);
  }
  const appendMs = performance.now() - appendStart;

  const trace = new LatencyRecorder();
  const traceBaseline = new LatencyRecorder();
  const bare = runtime.store.sqlite.prepare(
    'select body from lineage_events where plan_id = ? order by seq',
  );
  // At most 500 traces or 30 s of them (at least 20): a slow trace at 10M events must not stall the run.
  const traceUntil = performance.now() + 30_000;
  for (let i = 0; i < 500 && (i < 20 || performance.now() < traceUntil); i += 1) {
    const planId = realPlanIds[i % realPlanIds.length] as string;
    let t0 = performance.now();
    await traceInStore(runtime.store, { planId }, TENANT);
    trace.record(performance.now() - t0);
    t0 = performance.now();
    bare.all(planId).map((r) => JSON.parse((r as { body: string }).body));
    traceBaseline.record(performance.now() - t0);
  }
  await runtime.close();
  const bytes = statSync(path).size;

  options.log('lineage: verify');
  let t0 = performance.now();
  const source = openDatabaseSource(path);
  const report = await verifyLineage(source);
  source.close();
  const verifyMs = performance.now() - t0;

  const db = new Database(path, { readonly: true });
  t0 = performance.now();
  let n = 0;
  let bodyBytes = 0;
  for (const row of db.prepare('select body from lineage_events order by seq').iterate()) {
    const { body } = row as { body: string };
    createHash('sha256').update(body).digest('hex');
    bodyBytes += body.length;
    n += 1;
  }
  const verifyBaselineMs = performance.now() - t0;

  options.log('lineage: export');
  const out = join(options.dir, 'lineage.jsonl');
  t0 = performance.now();
  const summary = await exportLineageJsonl(db, out);
  const exportMs = performance.now() - t0;
  t0 = performance.now();
  const stream = createWriteStream(`${out}.bare`);
  for (const row of db.prepare('select body from lineage_events order by seq').iterate()) {
    if (
      !stream.write(`${(row as { body: string }).body}
`)
    )
      await once(stream, 'drain');
  }
  await new Promise<void>((resolve) => stream.end(() => resolve()));
  const exportBaselineMs = performance.now() - t0;
  db.close();
  for (const file of [path, `${path}-wal`, `${path}-shm`, out, `${out}.bare`])
    rmSync(file, { force: true });
  return {
    events: written,
    appendPerSec: perSecond(written, appendMs),
    bytesPerEvent: Math.round(bytes / written),
    bodyBytesPerEvent: Math.round(bodyBytes / n),
    trace: trace.summary(),
    traceBaseline: traceBaseline.summary(),
    verifyPerSec: perSecond(report.events, verifyMs),
    verifyBaselinePerSec: perSecond(n, verifyBaselineMs),
    verified: report.ok,
    exportPerSec: perSecond(summary.events, exportMs),
    exportBaselinePerSec: perSecond(n, exportBaselineMs),
  };
}
