import { cpus } from 'node:os';
import type { PostgresResults } from './postgres-part.js';
import type { ReplicaRun } from './postgres-replicas.js';
import type { Figure } from './report.js';
import { MAX_MERGE_DELAY_MS, type SequencerResult } from './sequencer-throughput.js';
import { ratio } from './stats.js';

const round = (n: number, places = 3) => Math.round(n * 10 ** places) / 10 ** places;

/** Mean CPU per plan of a run's replica processes, in ms. */
function replicaCpu(r: ReplicaRun): number {
  return round(r.perReplica.reduce((a, p) => a + p.cpuMsPerPlan, 0) / r.perReplica.length);
}

/**
 * Mean CPU per plan of a run's replica processes net of what each spends idle (its background loops over the run's
 * seconds, from its idle CPU per second), in ms: the marginal cost of a plan, which predicts N replicas.
 */
function replicaNetCpu(r: ReplicaRun): number {
  const net = r.perReplica.map((p) =>
    p.plans === 0 ? 0 : p.cpuMsPerPlan - (p.idleCpuMsPerSec * r.seconds) / p.plans,
  );
  return round(net.reduce((a, b) => a + b, 0) / Math.max(1, net.length));
}

/** Mean idle CPU per second of a run's replica processes, ms/s. */
function replicaIdle(r: ReplicaRun): number {
  return round(r.perReplica.reduce((a, p) => a + p.idleCpuMsPerSec, 0) / r.perReplica.length, 0);
}

function figure(f: Omit<Figure, 'ratio'>): Figure {
  return { ...f, ratio: ratio(f.value, f.baseline) };
}

function sequencerFigures(s: SequencerResult, pipelineEventsPerSec: number): Figure[] {
  const name = s.store === 'postgres' ? 'PostgreSQL' : 'SQLite';
  return [
    figure({
      id: `sequencer-throughput-${s.store}`,
      name: `Sequencer on ${name}: events sequenced per second (log indexes + 1 signed head per 1,000)`,
      value: s.eventsPerSec,
      unit: 'events/s',
      baselineName: 'the pipeline’s lineage event rate',
      baseline: pipelineEventsPerSec,
      target: '>= 10x the pipeline',
      met: ratio(s.eventsPerSec, pipelineEventsPerSec) >= 10,
    }),
    figure({
      id: `inclusion-p99-${s.store}`,
      name: `Commit to inclusion in a signed tree head on ${name}, p99 (${s.pacedEventsPerSec} events/s asked, ${s.committedEventsPerSec} committed)`,
      value: s.inclusion.p99,
      unit: 'ms',
      baselineName: 'stated maximum merge delay (4 x 250 ms)',
      baseline: MAX_MERGE_DELAY_MS,
      target: `< ${MAX_MERGE_DELAY_MS} ms`,
      met: s.inclusion.p99 < MAX_MERGE_DELAY_MS,
    }),
  ];
}

/** The PostgreSQL part's figures, each against its baseline from the same run, and notes on how to read them. */
export function postgresFigures(r: PostgresResults): { figures: Figure[]; notes: string[] } {
  const { sqlite, postgres1: one, postgres2: two } = r;
  const figures = [
    figure({
      id: 'postgres-1-cpu-per-plan',
      name: 'Gateway on PostgreSQL, 1 replica: CPU per plan of the replica process (JSON route)',
      value: replicaCpu(one),
      unit: 'ms',
      baselineName: 'the gateway on SQLite, 1 process',
      baseline: replicaCpu(sqlite),
      target: '-',
      met: undefined,
    }),
    figure({
      id: 'postgres-1-net-cpu-per-plan',
      name: 'Gateway on PostgreSQL, 1 replica: CPU per plan of the replica process net of its idle background loops',
      value: replicaNetCpu(one),
      unit: 'ms',
      baselineName: 'the gateway on SQLite, 1 process, net of its idle loops',
      baseline: replicaNetCpu(sqlite),
      target: '-',
      met: undefined,
    }),
    figure({
      id: 'postgres-2-cpu-per-plan',
      name: 'Gateway on PostgreSQL, 2 replicas: CPU per plan of each replica process (mean)',
      value: replicaCpu(two),
      unit: 'ms',
      baselineName: 'PostgreSQL, 1 replica',
      baseline: replicaCpu(one),
      target: '-',
      met: undefined,
    }),
    figure({
      id: 'postgres-1-throughput',
      name: `Gateway on PostgreSQL, 1 replica, ${one.connections} connections: plans/s`,
      value: one.plansPerSec,
      unit: 'plans/s',
      baselineName: 'the gateway on SQLite, 1 process',
      baseline: sqlite.plansPerSec,
      target: '-',
      met: undefined,
    }),
    figure({
      id: 'postgres-2-throughput',
      name: `Gateway on PostgreSQL, 2 replicas, ${two.connections} connections: plans/s`,
      value: two.plansPerSec,
      unit: 'plans/s',
      baselineName: 'PostgreSQL, 1 replica',
      baseline: one.plansPerSec,
      target: '-',
      met: undefined,
    }),
    ...sequencerFigures(r.sequencerPostgres, r.pipelineEventsPerSec),
    ...sequencerFigures(r.sequencerSqlite, r.pipelineEventsPerSec),
  ];
  const db = two.databaseCpuMsPerPlan;
  const net = replicaNetCpu(two);
  const tx = (run: ReplicaRun) =>
    `${run.transactionsPerPlan?.commits} / ${run.transactionsPerPlan?.rollbacks}`;
  const statements = (run: ReplicaRun) => run.statementsPerPlan?.total ?? 'not counted';
  const notes = [
    `PostgreSQL replicas: this machine has ${cpus().length} cores shared by the replicas, the PostgreSQL server and the load generator (${two.loadCpuMsPerPlan} ms CPU per plan of its own), so 2 replicas cannot show more than what the cores left over allow: ${two.plansPerSec} plans/s against ${one.plansPerSec} with 1 (${ratio(two.plansPerSec, one.plansPerSec)}x).`,
    `What predicts scaling is CPU per plan net of the idle loops: a replica spends ${replicaIdle(two)} ms/s of CPU idle (its sequencer and dispatcher rounds every 250 ms; SQLite ${replicaIdle(sqlite)} ms/s) and ${net} ms per plan on top (1 replica: ${replicaNetCpu(one)} ms; SQLite: ${replicaNetCpu(sqlite)} ms); the PostgreSQL server ${db ?? 'not measured (external cluster)'} ms per plan. Replicas share nothing but the database, so N replicas on N free cores give about N x ${net > 0 ? round((1000 - replicaIdle(two)) / net, 0) : '?'} plans/s until the database's cores saturate at about ${db ? round(1000 / db, 0) : '?'} plans/s per database core. Measured CPU per plan (the figures above) holds the idle loops spread over the run's plans, so it falls as plans/s rises.`,
    `Transactions run at READ COMMITTED (plan row lock, per-chain advisory lock, conditional updates; see docs/postgres.md). Transactions per plan, committed / rolled back (pg_stat_database, background loops included): 1 replica ${tx(one)}, 2 replicas ${tx(two)}. Statements per plan during the load (pg_stat_statements, BEGIN and COMMIT included, each a round trip): 1 replica ${statements(one)}, 2 replicas ${statements(two)}; the most frequent are in postgres.json (raw.postgres1.statementsPerPlan).`,
    `Refused requests: SQLite ${sqlite.refused}, PostgreSQL 1 replica ${one.refused}, 2 replicas ${two.refused}; submit + approve p99: ${sqlite.latency.p99} / ${one.latency.p99} / ${two.latency.p99} ms.`,
    `Sequencer: the pipeline's event rate is the in-process pipeline's plans/s x lineage events per plan (${r.pipelineEventsPerSec} events/s); inclusion is measured at that rate, commits serial (one plan's events per transaction), from each commit to the commit of the first head covering it (p50 ${r.sequencerPostgres.inclusion.p50} ms on PostgreSQL, ${r.sequencerSqlite.inclusion.p50} ms on SQLite); sequencing CPU per event: ${r.sequencerPostgres.cpuMsPerEvent} / ${r.sequencerSqlite.cpuMsPerEvent} ms. PostgreSQL transactions of the inclusion run, committed / rolled back: ${r.sequencerPostgres.inclusionTransactions?.commits} / ${r.sequencerPostgres.inclusionTransactions?.rollbacks}.`,
  ];
  return { figures, notes };
}
