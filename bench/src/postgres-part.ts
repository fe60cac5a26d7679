import { join } from 'node:path';
import { benchCluster } from './postgres-cluster.js';
import { type ReplicaRun, replicaSetup, runReplicas } from './postgres-replicas.js';
import { runSequencer, type SequencerResult } from './sequencer-throughput.js';

/** Settings of the PostgreSQL part (environment, defaults in brackets; see `postgresSettings`). */
export interface PostgresSettings {
  /** BENCH_PG_SECONDS [10]: seconds of each replica run. */
  seconds: number;
  /** BENCH_PG_CONNECTIONS [16]: concurrent submit-then-approve workers of each replica run. */
  connections: number;
  /** BENCH_PG_PLANS [3000]: distinct plans prepared per replica run (a run ends when they are spent). */
  plans: number;
  /**
   * BENCH_PG_WARMUP [50]: plans each replica serves before a run's measurements begin (a fresh process's first
   * plans cost several times the rest; see `runReplicas`).
   */
  warmupPlans: number;
  /** BENCH_SEQ_EVENTS [20000]: waiting events the sequencer throughput run sequences. */
  sequencerEvents: number;
  /** BENCH_SEQ_SECONDS [5]: seconds of paced commits for commit-to-inclusion. */
  inclusionSeconds: number;
}

export function postgresSettings(): PostgresSettings {
  const env = (name: string, fallback: number) => {
    const value = Number(process.env[name] ?? fallback);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
    return value;
  };
  return {
    seconds: env('BENCH_PG_SECONDS', 10),
    connections: env('BENCH_PG_CONNECTIONS', 16),
    plans: env('BENCH_PG_PLANS', 3000),
    warmupPlans: env('BENCH_PG_WARMUP', 50),
    sequencerEvents: env('BENCH_SEQ_EVENTS', 20_000),
    inclusionSeconds: env('BENCH_SEQ_SECONDS', 5),
  };
}

/** Everything the PostgreSQL part measured. */
export interface PostgresResults {
  sqlite: ReplicaRun;
  postgres1: ReplicaRun;
  postgres2: ReplicaRun;
  /** The pipeline's lineage event rate the sequencer is held against: plans/s x lineage events per plan. */
  pipelineEventsPerSec: number;
  sequencerSqlite: SequencerResult;
  sequencerPostgres: SequencerResult;
}

/**
 * The PostgreSQL part of `pnpm bench` (issue 15): the gateway on SQLite (1 process), then on PostgreSQL with 1
 * and 2 replica processes on one database, then one sequencer on each store. The cluster is the one named by
 * `HANDOFF_BENCH_POSTGRES_URL`, else a throwaway one started here and stopped whatever happens.
 */
export async function runPostgresPart(options: {
  dir: string;
  settings: PostgresSettings;
  /** The in-process pipeline of the same run: its plans/s and lineage rows per plan. */
  pipeline: { plansPerSec: number; lineageRowsPerPlan: number };
  log: (text: string) => void;
}): Promise<PostgresResults> {
  const { dir, settings, log } = options;
  // The bench picks each store itself: an inherited override would send the SQLite baseline to PostgreSQL.
  delete process.env.HANDOFF_DATABASE_URL;
  const cluster = benchCluster();
  try {
    const load = {
      dir,
      seconds: settings.seconds,
      connections: settings.connections,
      warmupPlans: settings.warmupPlans,
    };
    const plans = settings.plans;
    log(`PostgreSQL part: SQLite baseline, 1 gateway process, ${settings.seconds} s`);
    const sqlite = await runReplicas({
      ...load,
      plans,
      run: 11,
      store: 'sqlite',
      replicas: 1,
      setup: await replicaSetup(dir, 'pg-sqlite', { path: join(dir, 'pg-sqlite.db') }),
    });
    const onPostgres = async (replicas: number, run: number) => {
      log(
        `PostgreSQL part: ${replicas} gateway process(es) on one database, ${settings.seconds} s`,
      );
      const url = cluster.database(`replicas${replicas}`);
      return runReplicas({
        ...load,
        plans,
        run,
        store: 'postgres',
        replicas,
        setup: await replicaSetup(dir, `pg-${replicas}`, { url }),
        databaseCpuMs: cluster.cpuMs,
        databaseTransactions: () => cluster.transactions(url),
        databaseStatements: () => cluster.statements(url),
      });
    };
    const postgres1 = await onPostgres(1, 12);
    const postgres2 = await onPostgres(2, 13);
    const { plansPerSec, lineageRowsPerPlan } = options.pipeline;
    const pipelineEventsPerSec = Math.max(1, Math.round(plansPerSec * lineageRowsPerPlan));
    const sequencer = {
      events: settings.sequencerEvents,
      pacedEventsPerSec: pipelineEventsPerSec,
      perCommit: Math.max(1, Math.round(lineageRowsPerPlan)),
      seconds: settings.inclusionSeconds,
    };
    log(`PostgreSQL part: sequencer on SQLite, ${settings.sequencerEvents} events, then paced`);
    const sequencerSqlite = await runSequencer({
      ...sequencer,
      store: 'sqlite',
      database: (name) => ({ path: join(dir, `${name}.db`) }),
      path: (name) => join(dir, `${name}.db`),
    });
    log(`PostgreSQL part: sequencer on PostgreSQL, ${settings.sequencerEvents} events, then paced`);
    const urls = new Map<string, string>();
    const sequencerPostgres = await runSequencer({
      ...sequencer,
      store: 'postgres',
      database: (name) => {
        const url = cluster.database(name);
        urls.set(name, url);
        return { url };
      },
      transactions: (name) => cluster.transactions(urls.get(name) ?? cluster.url),
      path: (name) => join(dir, `${name}.db`),
    });
    return {
      sqlite,
      postgres1,
      postgres2,
      pipelineEventsPerSec,
      sequencerSqlite,
      sequencerPostgres,
    };
  } finally {
    cluster.stop();
  }
}
