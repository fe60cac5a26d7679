import { planDigest } from '@handoff/protocol';
import {
  APPROVER,
  type BenchSetup,
  benchGateway,
  COPILOT,
  financeApproval,
  readDatabase,
  removeDatabase,
} from './bench-gateway.js';
import { type Latency, LatencyRecorder, perSecond } from './stats.js';
import { benchPlan } from './workload.js';

/** What the in-process pipeline measured. */
export interface InProcessResult {
  plans: number;
  /** Plans in flight at once (1: one plan after another). */
  inFlight: number;
  plansPerSec: number;
  /** Process CPU time (user + system, all threads) per plan in the timed sections, ms: less load-sensitive. */
  cpuMsPerPlan: number;
  /** Submit + approve of one plan (dispatch runs per chunk, counted in the throughput). */
  latency: Latency;
  lineageRowsPerPlan: number;
  dispatched: number;
  duplicates: number;
  databaseBytesPerPlan: number;
}

const CHUNK = 500;

/** Plans and their approval tokens, made before a timed chunk (signing is the approver's work, not the gateway's). */
async function prepareChunk(
  setup: BenchSetup,
  start: number,
  count: number,
  policyVersion: string,
) {
  const now = Date.now();
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const plan = benchPlan(start + i, now);
      const digest = planDigest(plan);
      const token = await financeApproval(setup, { planId: plan.planId, digest, policyVersion });
      return { plan, token };
    }),
  );
}

/**
 * The whole gateway in process, on the real clock and a SQLite file: for each plan, `submitPlan` (validate,
 * digest, policy, one transaction reserving budget and writing lineage: awaiting approval), then `submitApproval`
 * with one signed EdDSA approval (verify, match, approve, outbox rows); the dispatcher runs as in production
 * (woken by each approval) and executes every queued action on an in-memory adapter (claim, send, record,
 * settle). `inFlight` plans go through at once, as concurrent requests would (their transactions then share
 * SQLite commits); 1 runs one plan after another. A chunk's time ends when its last action is dispatched.
 */
export async function runInProcess(options: {
  plans: number;
  dir: string;
  inFlight?: number;
}): Promise<InProcessResult> {
  const inFlight = options.inFlight ?? 1;
  const { path, setup, hubspot, runtime } = await benchGateway(
    options.dir,
    `in-process-${inFlight}`,
  );
  const { gateway } = runtime;
  runtime.startDispatching(60_000);
  const policyVersion = gateway.deps.policy.version;
  const latency = new LatencyRecorder();
  let timedMs = 0;
  let cpuMicros = 0;
  for (let start = 0; start < options.plans; start += CHUNK) {
    const batch = await prepareChunk(
      setup,
      start,
      Math.min(CHUNK, options.plans - start),
      policyVersion,
    );
    const began = performance.now();
    const cpuBefore = process.cpuUsage();
    let next = 0;
    const lane = async () => {
      for (let item = batch[next++]; item; item = batch[next++]) {
        const { plan, token } = item;
        const t0 = performance.now();
        const view = await gateway.submitPlan(COPILOT, plan);
        if (view.state !== 'awaiting_approval')
          throw new Error(`plan ${view.planId} is ${view.state}`);
        const approved = await gateway.submitApproval(APPROVER, token);
        if (approved.state !== 'approved')
          throw new Error(`plan ${view.planId} is ${approved.state}`);
        latency.record(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, lane));
    await runtime.dispatcher.runDue();
    timedMs += performance.now() - began;
    const cpu = process.cpuUsage(cpuBefore);
    cpuMicros += cpu.user + cpu.system;
  }
  await runtime.close();
  const { lineageRows, bytes } = readDatabase(path, (db) => ({
    lineageRows: (db.prepare('select count(*) n from lineage_events').get() as { n: number }).n,
    bytes:
      (db.pragma('page_count', { simple: true }) as number) *
      (db.pragma('page_size', { simple: true }) as number),
  }));
  removeDatabase(path);
  return {
    plans: options.plans,
    inFlight,
    plansPerSec: perSecond(options.plans, timedMs),
    cpuMsPerPlan: Math.round((cpuMicros / 1000 / options.plans) * 1000) / 1000,
    latency: latency.summary(),
    lineageRowsPerPlan: Math.round((lineageRows / options.plans) * 10) / 10,
    dispatched: hubspot.applied.size,
    duplicates: hubspot.duplicates(),
    databaseBytesPerPlan: Math.round(bytes / options.plans),
  };
}
