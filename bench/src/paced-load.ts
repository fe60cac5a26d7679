import { Agent, request } from 'node:http';
import { type BenchSetup, benchSetup, removeDatabase } from './bench-gateway.js';
import { countRefusal, countSubmitted, type LoadBodies, prepareBodies } from './load-bodies.js';
import { startServerProcess } from './server-process.js';
import { type Latency, LatencyRecorder } from './stats.js';

/** One paced (open-loop) HTTP run: plans arrive at a steady rate, whatever the server answers. */
export interface PacedResult {
  mode: 'gateway' | 'bare';
  /** The offered rate: one plan's submit every `1000 / plansPerSec` ms. */
  offeredPlansPerSec: number;
  /** Plans whose approval was answered 2xx, per second of the run (warm-up included). */
  plansPerSec: number;
  /** Measured seconds, after `warmupSeconds` whose answers are not recorded. */
  seconds: number;
  warmupSeconds: number;
  /** Most requests open at once (keep-alive sockets). */
  connections: number;
  /**
   * Every request of the plans due after the warm-up, submits and approvals, in ms: a submit from the moment it
   * was due, an approval from its send.
   */
  latency: Latency;
  latencyByKind: { submit: Latency; approve: Latency };
  non2xx: number;
  refusals: Record<string, number>;
  errors: number;
  /**
   * CPU time of the server process (user + system, all threads, from /proc) per plan sent, warm-up included, in
   * ms: less sensitive than latency to other work on a shared machine.
   */
  serverCpuMsPerPlan: number;
}

/** The gateway's lean JSON route of `plans.submit` and `approvals.submit` (`/json/plans.submit`, ...). */
export const GATEWAY_ROUTE = '/json';

/** Seconds after the last plan was due that answers are still waited for. */
const DRAIN_S = 30;

/** POSTs `body` on `agent`; resolves with the status and body, or `undefined` on a connection error. */
function post(
  agent: Agent,
  url: URL,
  path: string,
  key: string,
  body: string,
): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${key}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('error', () => resolve(undefined));
    req.end(body);
  });
}

/** What one paced load measured; latencies in ms. */
export interface PacedLoad {
  /** Every recorded request, submits and approvals. */
  latency: Latency;
  submit: Latency;
  approve: Latency;
  /** Plans sent, and plans whose approval was answered 2xx. */
  plans: number;
  approved: number;
  non2xx: number;
  /** Connection errors, plus 1 when answers were still missing `DRAIN_S` seconds after the last plan was due. */
  errors: number;
}

/**
 * Open-loop load at a fixed rate, as wrk2 does, against `url` (a server in another process) with the bodies of
 * `bodies` from plan `bodies.next` on (advanced past the plans sent, so consecutive loads send fresh plans): plan
 * `k`'s `plans.submit` is due `k / plansPerSec` s after the start, whether or not earlier requests were answered;
 * once it is accepted, its `approvals.submit` is sent at once. At most `connections` requests are open
 * (keep-alive sockets); a request that waits for a socket waits on the clock. A submit's latency runs from the
 * moment it was due, not from when it could be sent, so a stalled server cannot hide its backlog (no coordinated
 * omission). Plans due in the first `warmupSeconds` are sent but not recorded. Resolves once every answer came
 * back (or `DRAIN_S` seconds after the last plan was due).
 */
export async function paceLoad(
  url: string,
  setup: BenchSetup,
  bodies: LoadBodies,
  options: {
    plansPerSec: number;
    seconds: number;
    connections: number;
    warmupSeconds: number;
    /** Path prefix of the two mutations: `/json` for the gateway's lean JSON route; default none (tRPC). */
    route?: string;
  },
): Promise<PacedLoad> {
  const route = options.route ?? '';
  const intervalMs = 1000 / options.plansPerSec;
  const plans = Math.max(
    1,
    Math.round(options.plansPerSec * (options.warmupSeconds + options.seconds)),
  );
  const first = bodies.next;
  bodies.next += plans;
  const warm = Math.ceil((options.warmupSeconds * 1000) / intervalMs); // the first plan recorded
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const target = new URL(url);
  const all = new LatencyRecorder();
  const kinds = { submit: new LatencyRecorder(), approve: new LatencyRecorder() };
  const counts = { approved: 0, non2xx: 0, errors: 0 };
  /** One request of the `i`th plan, its latency counted from `from` (ms, `performance.now()`). */
  const exchange = async (i: number, path: string, key: string, body: string, from: number) => {
    const answer = await post(agent, target, path, key, body);
    if (!answer) {
      counts.errors += 1;
      return undefined;
    }
    if (i >= warm) {
      const ms = performance.now() - from;
      all.record(ms);
      kinds[path.endsWith('/plans.submit') ? 'submit' : 'approve'].record(ms);
    }
    if (answer.status >= 300) counts.non2xx += 1;
    countRefusal(bodies, answer.status, answer.body);
    return answer;
  };
  const flow = async (i: number, due: number) => {
    const k = (first + i) % bodies.approvals.length;
    const submitted = await exchange(
      i,
      `${route}/plans.submit`,
      setup.copilotKey,
      bodies.submits[k] ?? '',
      due,
    );
    if (!submitted) return;
    countSubmitted(bodies, submitted.status, submitted.body);
    if (submitted.status >= 300) return;
    const approvalBody = bodies.approvals[k] ?? '';
    const approved = await exchange(
      i,
      `${route}/approvals.submit`,
      setup.approverKey,
      approvalBody,
      performance.now(),
    );
    if (approved && approved.status < 300) {
      counts.approved += 1;
      bodies.approved += 1;
    }
  };
  const started = performance.now();
  const flows: Promise<void>[] = [];
  await new Promise<void>((done) => {
    let i = 0;
    const tick = () => {
      const now = performance.now();
      for (
        let due = started + i * intervalMs;
        i < plans && due <= now;
        due = started + i * intervalMs
      ) {
        flows.push(flow(i, due));
        i += 1;
      }
      if (i >= plans) return done();
      setTimeout(tick, Math.max(0, started + i * intervalMs - performance.now()));
    };
    tick();
  });
  const drained = await Promise.race([
    Promise.all(flows).then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), DRAIN_S * 1000).unref()),
  ]);
  agent.destroy();
  return {
    latency: all.summary(),
    submit: kinds.submit.summary(),
    approve: kinds.approve.summary(),
    plans,
    approved: counts.approved,
    non2xx: counts.non2xx,
    errors: counts.errors + (drained ? 0 : 1),
  };
}

/**
 * {@link paceLoad} on a fresh server of `mode` (`server-child.ts`, its own process and database) for
 * `warmupSeconds` (default 3) and then `seconds`. Unlike a closed loop of `connections` clients, whose latency at
 * saturation is mostly its own queue (Little's law), this measures latency at a given throughput. The warm-up is
 * sent but not recorded: a fresh server's first requests wait for V8 to compile the hot paths (stalls of 100 ms
 * and more), which is start-up, not steady state.
 */
export async function runPaced(options: {
  mode: 'gateway' | 'bare';
  dir: string;
  plansPerSec: number;
  seconds: number;
  connections: number;
  run: number;
  warmupSeconds?: number;
  /** Path prefix of the two mutations (see {@link paceLoad}); default {@link GATEWAY_ROUTE} for the gateway. */
  route?: string;
}): Promise<PacedResult> {
  const warmupSeconds = options.warmupSeconds ?? 3;
  const plans = Math.max(1, Math.round(options.plansPerSec * (warmupSeconds + options.seconds)));
  const dbPath = `${options.dir}/paced-${options.mode}-${options.run}.db`;
  const setup = await benchSetup(dbPath);
  const server = await startServerProcess(setup, options.mode, options.dir);
  const bodies = await prepareBodies(setup, plans, options.run, 1);
  // The gateway serves the two hot mutations on its lean JSON route (`api/json-route.ts`), as a client that
  // cares for latency would call them; the bare server on its own paths.
  const route = options.route ?? (options.mode === 'gateway' ? GATEWAY_ROUTE : '');
  const cpuBefore = server.cpuMs();
  const load = await paceLoad(server.url, setup, bodies, { ...options, warmupSeconds, route });
  const serverCpuMsPerPlan = Math.round(((server.cpuMs() - cpuBefore) / load.plans) * 1000) / 1000;
  await server.stop();
  removeDatabase(dbPath);
  return {
    mode: options.mode,
    offeredPlansPerSec: options.plansPerSec,
    plansPerSec: Math.round(load.approved / (warmupSeconds + options.seconds)),
    seconds: options.seconds,
    warmupSeconds,
    connections: options.connections,
    latency: load.latency,
    latencyByKind: { submit: load.submit, approve: load.approve },
    non2xx: load.non2xx,
    refusals: bodies.refusals,
    errors: load.errors,
    serverCpuMsPerPlan,
  };
}

/** A latency target of the issue: p99 of every request under this many ms. */
export const P99_TARGET_MS = 50;

/** Paced runs of one server at several rates, and the most plans/s it held with p99 under {@link P99_TARGET_MS}. */
export interface PacedSweep {
  mode: 'gateway' | 'bare';
  /** One run per rate, lowest first. */
  steps: PacedResult[];
  /** The highest offered rate whose p99 was under the target and whose plans all went through (0: none). */
  plansPerSecUnderTarget: number;
}

/**
 * {@link runPaced} for `mode` at each rate of `plansPerSec` (lowest first), each on a fresh server and database.
 * A step counts for `plansPerSecUnderTarget` when its p99 is under {@link P99_TARGET_MS} with no error, no
 * refusal, and every plan approved.
 */
export async function sweepPaced(options: {
  mode: 'gateway' | 'bare';
  dir: string;
  plansPerSec: readonly number[];
  seconds: number;
  connections: number;
  run: number;
  route?: string;
}): Promise<PacedSweep> {
  const steps: PacedResult[] = [];
  for (const [i, rate] of [...options.plansPerSec].sort((a, b) => a - b).entries()) {
    steps.push(await runPaced({ ...options, plansPerSec: rate, run: options.run * 100 + i }));
  }
  const held = steps.filter(
    (s) =>
      s.latency.p99 < P99_TARGET_MS &&
      s.errors === 0 &&
      s.non2xx === 0 &&
      s.plansPerSec >= 0.95 * s.offeredPlansPerSec,
  );
  return {
    mode: options.mode,
    steps,
    plansPerSecUnderTarget: Math.max(0, ...held.map((s) => s.offeredPlansPerSec)),
  };
}
