import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { type BenchSetup, benchSetup, removeDatabase } from './bench-gateway.js';
import { countRefusal, countSubmitted, type LoadBodies, prepareBodies } from './load-bodies.js';
import { startServerProcess } from './server-process.js';
import type { Latency } from './stats.js';

/**
 * One HTTP run. A copilot submits `batchSize` plans per request (`plans.submitBatch`), then an approver approves
 * each of them (one `approvals.submit` request per plan); a plan counts when its approval is answered 2xx.
 */
export interface HttpResult {
  mode: 'gateway' | 'bare';
  connections: number;
  seconds: number;
  /** Plans per submit request (1: `plans.submit`, one request per plan). */
  batchSize: number;
  requestsPerSec: number;
  plansPerSec: number;
  /** Per request, every kind together (autocannon's histogram), in ms. */
  latency: { p50: number; p90: number; p99: number; max: number };
  /** Per request of each kind: batch submits and approvals, in ms. */
  latencyByKind: { submit: Latency; approve: Latency };
  non2xx: number;
  /** Non-2xx answers by status and error code. */
  refusals: Record<string, number>;
  /** Batch items the gateway refused inside 2xx answers (`ok: false`). */
  itemRefusals: number;
  errors: number;
  /** Server RSS, sampled every 250 ms under load, in MiB. */
  rss: { startMiB: number; peakMiB: number; endMiB: number; samples: number[] };
  /** Actions the in-memory platform got, read from the outbox afterwards. */
  dispatched: number;
}

export { type LoadBodies, prepareBodies };

/**
 * Plans per `plans.submitBatch` request in `runHttp` (BENCH_HTTP_BATCH, default 10; 1 uses `plans.submit`).
 * With 50 connections a run starts with `50 x batch` plans in flight: 10 already cuts the requests per plan from
 * 2 to 1.1, and keeps that first wave (500 plans) shorter than the run at the pipeline's present speed (about
 * 100 plans/s here); 50 (2,500 plans) needs a pipeline near the 1,500 plans/s target.
 */
export const HTTP_BATCH_SIZE = Number(process.env.BENCH_HTTP_BATCH ?? 10);

type Sent = { batch?: number; sentAt?: number };

/** Seconds before the load generator gives up on a request (counted in `errors`). */
const REQUEST_TIMEOUT_S = 30;

/**
 * autocannon against `url` (in THIS process: the server runs in its own): each connection submits a batch of
 * plans, then approves them one request at a time, over and over, for `seconds` (a closed loop: paced loads are
 * `paced-load.ts`'s). Plans are distinct; if a run outlasts them it wraps (later submits are idempotent repeats,
 * later approvals replays, counted non-2xx).
 */
export function drive(
  url: string,
  setup: BenchSetup,
  bodies: LoadBodies,
  options: { connections: number; seconds: number },
): Promise<autocannon.Result> {
  const json = { 'content-type': 'application/json' };
  const { batchSize } = bodies;
  const sent = (context: unknown) => context as Sent;
  const elapsed = (context: unknown) => performance.now() - (sent(context).sentAt ?? 0);
  const approve = (offset: number): autocannon.Request => ({
    method: 'POST',
    path: '/approvals.submit',
    headers: { ...json, authorization: `Bearer ${setup.approverKey}` },
    setupRequest: (req, context) => {
      sent(context).sentAt = performance.now();
      const plan = (sent(context).batch ?? 0) * batchSize + offset;
      return { ...req, body: bodies.approvals[plan] };
    },
    onResponse: (status, body, context) => {
      bodies.latency.approve.record(elapsed(context));
      if (status < 300) bodies.approved += 1;
      countRefusal(bodies, status, body);
    },
  });
  return autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    // A batch waits behind every plan queued before it (50 connections x 50 plans): give it REQUEST_TIMEOUT_S
    // rather than autocannon's 10 s, after which the client would resend while the server still works on it.
    timeout: REQUEST_TIMEOUT_S,
    requests: [
      {
        method: 'POST',
        path: batchSize === 1 ? '/plans.submit' : '/plans.submitBatch',
        headers: { ...json, authorization: `Bearer ${setup.copilotKey}` },
        setupRequest: (req, context) => {
          const batch = bodies.next++ % bodies.submits.length;
          Object.assign(sent(context), { batch, sentAt: performance.now() });
          return { ...req, body: bodies.submits[batch] };
        },
        onResponse: (status, body, context) => {
          bodies.latency.submit.record(elapsed(context));
          countSubmitted(bodies, status, body);
          countRefusal(bodies, status, body);
        },
      },
      ...Array.from({ length: batchSize }, (_, offset) => approve(offset)),
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

/**
 * One HTTP run of `mode` (see `server-child.ts`) with `connections` for `seconds`, `batchSize` plans per submit
 * (default {@link HTTP_BATCH_SIZE}), sampling the server's RSS.
 */
export async function runHttp(options: {
  mode: 'gateway' | 'bare';
  dir: string;
  seconds: number;
  connections: number;
  plans: number;
  run: number;
  batchSize?: number;
}): Promise<HttpResult> {
  const batchSize = options.batchSize ?? HTTP_BATCH_SIZE;
  const dbPath = `${options.dir}/http-${options.mode}-${options.run}.db`;
  const setup = await benchSetup(dbPath);
  const server = await startServerProcess(setup, options.mode, options.dir);
  const bodies = await prepareBodies(setup, options.plans, options.run, batchSize);
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
  const dispatched = succeededDispatches(dbPath);
  removeDatabase(dbPath);
  return {
    mode: options.mode,
    connections: options.connections,
    seconds: options.seconds,
    batchSize,
    requestsPerSec: Math.round(result.requests.average),
    plansPerSec: Math.round(bodies.approved / options.seconds),
    latency: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    latencyByKind: {
      submit: bodies.latency.submit.summary(),
      approve: bodies.latency.approve.summary(),
    },
    non2xx: result.non2xx,
    refusals: bodies.refusals,
    itemRefusals: bodies.itemRefusals,
    errors: result.errors + result.timeouts,
    rss,
    dispatched,
  };
}
