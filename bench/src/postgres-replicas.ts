import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair } from '@handoff/gateway';
import { type BenchSetup, benchSetup } from './bench-gateway.js';
import { type LoadBodies, prepareBodies } from './load-bodies.js';
import { type StatementCounts, statementsBetween } from './postgres-cluster.js';
import { type ServerProcess, startServerProcess } from './server-process.js';
import { type Latency, LatencyRecorder, perSecond } from './stats.js';

/** One closed-loop HTTP run against `replicas` gateway processes on one store. */
export interface ReplicaRun {
  store: 'sqlite' | 'postgres';
  replicas: number;
  connections: number;
  seconds: number;
  /** Plans approved (2xx) per second, all replicas together. */
  plansPerSec: number;
  /**
   * Per replica: plans it approved, its CPU time per plan (user + system, /proc) in ms, and its CPU per second
   * while idle (measured over {@link IDLE_MS} before the load: its background loops, the sequencer's and the
   * dispatcher's rounds every 250 ms), in ms/s.
   */
  perReplica: { plans: number; cpuMsPerPlan: number; idleCpuMsPerSec: number }[];
  /**
   * Statements the database ran per plan during the load (`pg_stat_statements`, `BEGIN` and `COMMIT` included,
   * each one round trip), in all and the most frequent ones; undefined on SQLite or without the module.
   */
  statementsPerPlan: { total: number; top: { statement: string; perPlan: number }[] } | undefined;
  /** PostgreSQL server processes' CPU per plan (all replicas' plans), in ms; undefined on SQLite. */
  databaseCpuMsPerPlan: number | undefined;
  /** The load generator's own CPU per plan (it shares the cores), in ms. */
  loadCpuMsPerPlan: number;
  /** Submit + approve of one plan, in ms. */
  latency: Latency;
  refused: number;
  /**
   * PostgreSQL transactions per plan in the run's database from the start of the load until every replica has
   * exited (background loops included), committed and rolled back (attempts the store ran again, or work the
   * gateway rolled back); undefined on SQLite.
   */
  transactionsPerPlan: { commits: number; rollbacks: number } | undefined;
}

/**
 * How long each replica's idle CPU is measured before the load, in ms (after the warm-up and {@link SETTLE_MS}).
 */
export const IDLE_MS = 3_000;
/**
 * Time left after the warm-up before the idle measurement (the dispatcher sends the warm-up's last actions, the
 * sequencer logs its last events), in ms.
 */
const SETTLE_MS = 2_000;

/** The benchmark setup on `database` (`{ path }` or `{ url }`), with a checkpoint key so every replica sequences. */
export async function replicaSetup(
  dir: string,
  name: string,
  database: { path: string } | { url: string },
): Promise<BenchSetup> {
  const setup = await benchSetup(join(dir, `${name}.db`));
  const checkpoint = await generateSigningKeyPair({ alg: 'EdDSA' });
  const keyFile = join(dir, `${name}-checkpoint.jwk.json`);
  writeFileSync(keyFile, JSON.stringify(checkpoint.privateJwk));
  setup.config.database = database;
  setup.config.checkpoints = { keyFile };
  return setup;
}

/**
 * Starts `replicas` gateway processes of `setup` (one after another: the first runs the migrations), then drives
 * them from this process for `seconds` with `connections` workers, each submitting a plan on
 * `POST /json/plans.submit` and approving it on `POST /json/approvals.submit`, plan `i` on replica `i mod n`. CPU
 * per plan is each replica's own (/proc), so the figure does not depend on the load generator sharing the cores.
 */
export async function runReplicas(options: {
  setup: BenchSetup;
  store: 'sqlite' | 'postgres';
  replicas: number;
  dir: string;
  seconds: number;
  connections: number;
  plans: number;
  /**
   * Plans each replica serves before anything is measured. A fresh process costs about 1-2 s of CPU over its first
   * 20-40 plans (first-use work such as V8 compiling the request path), which a short run spreads over
   * few plans: 2 replicas served 34 plans each in 16 s and showed twice the CPU per plan of 1 replica at 178.
   */
  warmupPlans: number;
  run: number;
  databaseCpuMs?: () => number | undefined;
  databaseTransactions?: () => { commits: number; rollbacks: number };
  databaseStatements?: () => StatementCounts | undefined;
}): Promise<ReplicaRun> {
  const { transactionsBefore: before, ...run } = await driveReplicas(options);
  const after = options.databaseTransactions?.();
  const plans = run.perReplica.reduce((a, p) => a + p.plans, 0);
  const per = (n: number) => Math.round((n / Math.max(1, plans)) * 100) / 100;
  return {
    ...run,
    transactionsPerPlan: after && {
      commits: per(after.commits - (before?.commits ?? 0)),
      rollbacks: per(after.rollbacks - (before?.rollbacks ?? 0)),
    },
  };
}

/** The statements between two readings per plan: in all, and the 12 most frequent. */
function statementsPerPlan(before: StatementCounts, after: StatementCounts, plans: number) {
  const { total, byText } = statementsBetween(before, after);
  const per = (n: number) => Math.round((n / Math.max(1, plans)) * 100) / 100;
  const top = [...byText]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([statement, calls]) => ({ statement: statement.slice(0, 160), perPlan: per(calls) }));
  return { total: per(total), top };
}

/** `runReplicas` up to the servers' exit. */
async function driveReplicas(options: Parameters<typeof runReplicas>[0]): Promise<
  Omit<ReplicaRun, 'transactionsPerPlan'> & {
    /** The database's transactions as the load began (its statistics lag by up to 1 s). */
    transactionsBefore: { commits: number; rollbacks: number } | undefined;
  }
> {
  const { setup, seconds, connections } = options;
  const warmup = options.warmupPlans * options.replicas;
  const bodies: LoadBodies = await prepareBodies(setup, warmup + options.plans, options.run, 1);
  const servers: ServerProcess[] = [];
  try {
    for (let r = 0; r < options.replicas; r += 1) {
      servers.push(await startServerProcess(setup, 'gateway', options.dir));
    }
    const approved = servers.map(() => 0);
    const latency = new LatencyRecorder();
    let refused = 0;
    let next = 0;
    const post = async (url: string, key: string, body: string) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body,
      });
      await res.text();
      return res.status < 300;
    };
    let deadline = Number.POSITIVE_INFINITY;
    let end = warmup;
    let measuring = false;
    const worker = async () => {
      for (let i = next++; i < end && performance.now() < deadline; i = next++) {
        const r = i % servers.length;
        const url = servers[r]?.url ?? '';
        const t0 = performance.now();
        const ok =
          (await post(`${url}/json/plans.submit`, setup.copilotKey, bodies.submits[i] ?? '')) &&
          (await post(
            `${url}/json/approvals.submit`,
            setup.approverKey,
            bodies.approvals[i] ?? '',
          ));
        if (!measuring) {
          if (!ok) throw new Error(`warm-up plan ${i} was refused`);
        } else if (!ok) refused += 1;
        else {
          approved[r] = (approved[r] ?? 0) + 1;
          latency.record(performance.now() - t0);
        }
      }
    };
    await Promise.all(Array.from({ length: connections }, worker));
    next = warmup;
    end = bodies.approvals.length;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const idleFrom = servers.map((s) => s.cpuMs());
    const idleBegan = performance.now();
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const idleSeconds = (performance.now() - idleBegan) / 1000;
    const cpuBefore = servers.map((s) => s.cpuMs());
    const statementsBefore = options.databaseStatements?.();
    const transactionsBefore = options.databaseTransactions?.();
    const databaseBefore = options.databaseCpuMs?.();
    const loadBefore = process.cpuUsage();
    const began = performance.now();
    deadline = began + seconds * 1000;
    measuring = true;
    await Promise.all(Array.from({ length: connections }, worker));
    const elapsed = performance.now() - began;
    const load = process.cpuUsage(loadBefore);
    const databaseAfter = options.databaseCpuMs?.();
    const statementsAfter = options.databaseStatements?.();
    const total = approved.reduce((a, b) => a + b, 0);
    const perPlan = (ms: number, plans: number) =>
      plans === 0 ? 0 : Math.round((ms / plans) * 1000) / 1000;
    return {
      store: options.store,
      replicas: options.replicas,
      connections,
      seconds: Math.round(elapsed) / 1000,
      plansPerSec: perSecond(total, elapsed),
      perReplica: servers.map((s, r) => ({
        plans: approved[r] ?? 0,
        cpuMsPerPlan: perPlan(s.cpuMs() - (cpuBefore[r] ?? 0), approved[r] ?? 0),
        idleCpuMsPerSec: Math.round(((cpuBefore[r] ?? 0) - (idleFrom[r] ?? 0)) / idleSeconds),
      })),
      transactionsBefore,
      statementsPerPlan:
        statementsBefore && statementsAfter
          ? statementsPerPlan(statementsBefore, statementsAfter, total)
          : undefined,
      databaseCpuMsPerPlan:
        databaseBefore === undefined || databaseAfter === undefined
          ? undefined
          : perPlan(databaseAfter - databaseBefore, total),
      loadCpuMsPerPlan: perPlan((load.user + load.system) / 1000, total),
      latency: latency.summary(),
      refused,
    };
  } finally {
    for (const server of servers) await server.stop();
  }
}
