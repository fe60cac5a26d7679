import { planDigest } from '@handoff/protocol';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import {
  type BenchSetup,
  benchPolicyVersion,
  benchSetup,
  financeApproval,
} from './bench-gateway.js';
import { startServerProcess } from './server-process.js';
import { benchPlan } from './workload.js';

/** One HTTP run: a plan is a submit and an approval (two requests). */
export interface HttpResult {
  mode: 'gateway' | 'bare';
  connections: number;
  seconds: number;
  requestsPerSec: number;
  plansPerSec: number;
  latency: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  /** Non-2xx answers by status and error code. */
  refusals: Record<string, number>;
  errors: number;
  /** Server RSS, sampled every 250 ms under load, in MiB. */
  rss: { startMiB: number; peakMiB: number; endMiB: number; samples: number[] };
  /** Actions the in-memory platform got, read from the outbox afterwards. */
  dispatched: number;
}

/** Request bodies of `count` plans and their finance approvals, made before a run (signing is the approver's work). */
export interface LoadBodies {
  submits: string[];
  approvals: string[];
  /** The next plan to send (shared by consecutive runs, e.g. the soak's windows). */
  next: number;
  /** Non-2xx answers by status and error code, e.g. `409 APPROVAL_REPLAYED`. */
  refusals: Record<string, number>;
}

/** Counts a non-2xx answer by its status and the gateway's error code (tRPC envelope or the bare server's). */
function countRefusal(bodies: LoadBodies, status: number, body: string): void {
  if (status < 300) return;
  const code = /"code":"([A-Z_]+)"/.exec(body)?.[1] ?? 'unknown';
  const key = `${status} ${code}`;
  bodies.refusals[key] = (bodies.refusals[key] ?? 0) + 1;
}

export async function prepareBodies(
  setup: BenchSetup,
  count: number,
  run: number,
): Promise<LoadBodies> {
  const policyVersion = benchPolicyVersion();
  const now = Date.now();
  const submits: string[] = [];
  const approvals: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const plan = benchPlan(i, now, { run });
    const token = await financeApproval(setup, {
      planId: plan.planId,
      digest: planDigest(plan),
      policyVersion,
    });
    submits.push(JSON.stringify({ plan }));
    approvals.push(JSON.stringify({ token }));
  }
  return { submits, approvals, next: 0, refusals: {} };
}

/**
 * autocannon against `url` (in THIS process: the server runs in its own): each connection submits a plan then
 * approves it, over and over, for `seconds`, at most `overallRate` requests/s when given. Plans are distinct; if a
 * run outlasts them it wraps (later submits are idempotent repeats, later approvals replays, counted non-2xx).
 */
export function drive(
  url: string,
  setup: BenchSetup,
  bodies: LoadBodies,
  options: { connections: number; seconds: number; overallRate?: number },
): Promise<autocannon.Result> {
  const json = { 'content-type': 'application/json' };
  return autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    requests: [
      {
        method: 'POST',
        path: '/plans.submit',
        headers: { ...json, authorization: `Bearer ${setup.copilotKey}` },
        setupRequest: (req, context) => {
          const index = bodies.next++ % bodies.submits.length;
          (context as { index?: number }).index = index;
          return { ...req, body: bodies.submits[index] };
        },
        onResponse: (status, body) => countRefusal(bodies, status, body),
      },
      {
        method: 'POST',
        path: '/approvals.submit',
        headers: { ...json, authorization: `Bearer ${setup.approverKey}` },
        setupRequest: (req, context) => ({
          ...req,
          body: bodies.approvals[(context as { index?: number }).index ?? 0],
        }),
        onResponse: (status, body) => countRefusal(bodies, status, body),
      },
    ],
  });
}

/** Outbox rows the platform acknowledged, read from a stopped server's database. */
export function succeededDispatches(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    const row = db.prepare("select count(*) n from dispatches where status = 'succeeded'").get();
    return (row as { n: number }).n;
  } finally {
    db.close();
  }
}

/** One HTTP run of `mode` (see `server-child.ts`) with `connections` for `seconds`, sampling the server's RSS. */
export async function runHttp(options: {
  mode: 'gateway' | 'bare';
  dir: string;
  seconds: number;
  connections: number;
  plans: number;
  run: number;
}): Promise<HttpResult> {
  const dbPath = `${options.dir}/http-${options.mode}.db`;
  const setup = await benchSetup(dbPath);
  const server = await startServerProcess(setup, options.mode, options.dir);
  const bodies = await prepareBodies(setup, options.plans, options.run);
  const rss = { startMiB: server.rssMiB(), peakMiB: 0, endMiB: 0, samples: [] as number[] };
  const sampler = setInterval(() => {
    const now = server.rssMiB();
    rss.samples.push(now);
    rss.peakMiB = Math.max(rss.peakMiB, now);
  }, 250);
  const result = await drive(server.url, setup, bodies, options);
  clearInterval(sampler);
  rss.endMiB = server.rssMiB();
  await server.stop();
  return {
    mode: options.mode,
    connections: options.connections,
    seconds: options.seconds,
    requestsPerSec: Math.round(result.requests.average),
    plansPerSec: Math.round(result['2xx'] / 2 / options.seconds),
    latency: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    non2xx: result.non2xx,
    refusals: bodies.refusals,
    errors: result.errors + result.timeouts,
    rss,
    dispatched: succeededDispatches(dbPath),
  };
}
