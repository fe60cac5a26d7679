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
  const perPlan = replicaCpu(two) + (db ?? 0);
  const notes = [
    `PostgreSQL replicas: this machine has ${cpus().length} cores shared by the replicas, the PostgreSQL server and the load generator (${two.loadCpuMsPerPlan} ms CPU per plan of its own), so 2 replicas cannot show more than what the cores left over allow: ${two.plansPerSec} plans/s against ${one.plansPerSec} with 1 (${ratio(two.plansPerSec, one.plansPerSec)}x).`,
    `What predicts scaling is CPU per plan: each replica spends ${replicaCpu(two)} ms per plan (1 replica: ${replicaCpu(one)} ms; SQLite: ${replicaCpu(sqlite)} ms) and the PostgreSQL server ${db ?? 'not measured (external cluster)'} ms per plan; replicas share nothing but the database, so N replicas on N free cores give about N x ${round(1000 / replicaCpu(two), 0)} plans/s until the database's cores saturate at about ${db ? round(1000 / db, 0) : '?'} plans/s per database core (${round(perPlan, 3)} ms per plan in all).`,
    `CPU per plan on PostgreSQL includes what SERIALIZABLE retries cost (brief decision 6): every plan of the bench reserves against the same tenant cap row, and each replica's dispatcher, sequencer and sweeps run beside the requests, so transactions conflict and are re-run. Transactions per plan, committed / rolled back (pg_stat_database): 1 replica ${one.transactionsPerPlan?.commits} / ${one.transactionsPerPlan?.rollbacks}, 2 replicas ${two.transactionsPerPlan?.commits} / ${two.transactionsPerPlan?.rollbacks}. A replica's CPU also holds its background loops (every 250 ms), spread over few plans at a few plans/s: compare runs at equal plans/s (BENCH_PG_CONNECTIONS=1 takes contention between requests away).`,
    `Refused requests: SQLite ${sqlite.refused}, PostgreSQL 1 replica ${one.refused}, 2 replicas ${two.refused}; submit + approve p99: ${sqlite.latency.p99} / ${one.latency.p99} / ${two.latency.p99} ms.`,
    `Sequencer: the pipeline's event rate is the in-process pipeline's plans/s x lineage events per plan (${r.pipelineEventsPerSec} events/s); inclusion is measured at that rate, commits serial, from each commit to the commit of the first head covering it (p50 ${r.sequencerPostgres.inclusion.p50} ms on PostgreSQL, ${r.sequencerSqlite.inclusion.p50} ms on SQLite); sequencing CPU per event: ${r.sequencerPostgres.cpuMsPerEvent} / ${r.sequencerSqlite.cpuMsPerEvent} ms. PostgreSQL transactions of the inclusion run, committed / rolled back: ${r.sequencerPostgres.inclusionTransactions?.commits} / ${r.sequencerPostgres.inclusionTransactions?.rollbacks}.`,
  ];
  return { figures, notes };
}
