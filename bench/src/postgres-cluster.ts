import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processCpuMs } from './server-process.js';

/** `scripts/postgres-cluster.mjs` of the repository (initdb + pg_ctl on 127.0.0.1, a free port). */
const CLUSTER_SCRIPT = fileURLToPath(
  new URL('../../scripts/postgres-cluster.mjs', import.meta.url),
);

/** A PostgreSQL cluster the bench measures against, and what its server processes cost. */
export interface BenchCluster {
  /** `postgres://…/postgres` of the cluster (the maintenance database). */
  url: string;
  /** A fresh, empty database named `name` on the cluster, as a URL. */
  database(name: string): string;
  /**
   * CPU time used so far by the cluster's server processes (postmaster and every live child: backends, WAL
   * writer, checkpointer), in ms from /proc; undefined for a cluster the bench did not start
   * (`HANDOFF_BENCH_POSTGRES_URL`). Backends that exited are not counted: the pools keep theirs open.
   */
  cpuMs(): number | undefined;
  /**
   * Transactions committed and rolled back in the database of `databaseUrl` so far (`pg_stat_database`; the
   * statistics of a backend reach it when it exits or at most 1 s after its transaction). A rollback is a transaction
   * the store ran again (a deadlock, a unique key another transaction took first) or one the gateway rolled back.
   */
  transactions(databaseUrl: string): { commits: number; rollbacks: number };
  /**
   * Statements the database of `databaseUrl` has run so far, by statement text (`pg_stat_statements`, counted as
   * each statement ends; `BEGIN` and `COMMIT` included); undefined when the module is not loaded (a cluster named
   * by `HANDOFF_BENCH_POSTGRES_URL` without it).
   */
  statements(databaseUrl: string): StatementCounts | undefined;
  /** Stops a cluster the bench started and removes its folder; nothing for `HANDOFF_BENCH_POSTGRES_URL`. */
  stop(): void;
}

/** Calls so far per normalised statement text (`pg_stat_statements.query`). */
export type StatementCounts = Map<string, number>;

/** The statements run between two {@link BenchCluster.statements} readings: in all, and per text. */
export function statementsBetween(
  before: StatementCounts,
  after: StatementCounts,
): { total: number; byText: Map<string, number> } {
  const byText = new Map<string, number>();
  let total = 0;
  for (const [text, calls] of after) {
    const ran = calls - (before.get(text) ?? 0);
    if (ran <= 0) continue;
    byText.set(text, ran);
    total += ran;
  }
  return { total, byText };
}

/** `psql` beside the cluster's binaries (as the cluster script finds them), else on PATH. */
function psql(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'psql')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const bin = process.env.HANDOFF_POSTGRES_BIN ?? (versions[0] && join(root, versions[0], 'bin'));
  return bin ? join(bin, 'psql') : 'psql';
}

/** Server processes' CPU: the postmaster of `data` and its children, from /proc/<pid>/stat. */
function clusterCpuMs(data: string): number {
  const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let total = processCpuMs(postmaster);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) total += processCpuMs(Number(entry));
    } catch {
      // The process exited between the listing and the read.
    }
  }
  return total;
}

/**
 * The cluster named by `HANDOFF_BENCH_POSTGRES_URL`, else a throwaway one started now with the repository's
 * cluster script (durable settings: fsync on, as production runs). The caller stops it in a `finally`.
 */
export function benchCluster(): BenchCluster {
  const given = process.env.HANDOFF_BENCH_POSTGRES_URL;
  const dir = given ? undefined : mkdtempSync(join(tmpdir(), 'handoff-bench-pg-'));
  const url =
    given ??
    execFileSync(process.execPath, [CLUSTER_SCRIPT, 'start', String(dir), '--stat-statements'], {
      encoding: 'utf8',
    }).trim();
  const run = Date.now().toString(36);
  return {
    url,
    database(name: string) {
      const database = `bench_${name}_${run}`;
      execFileSync(psql(), [url, '-q', '-c', `create database ${database}`], { stdio: 'ignore' });
      const target = new URL(url);
      target.pathname = `/${database}`;
      // Counting is optional: a given cluster without the module loaded leaves `statements` undefined.
      const create = 'create extension if not exists pg_stat_statements';
      spawnSync(psql(), [target.toString(), '-q', '-c', create], { stdio: 'ignore' });
      return target.toString();
    },
    transactions(databaseUrl: string) {
      const query =
        'select xact_commit, xact_rollback from pg_stat_database where datname = current_database()';
      const out = execFileSync(psql(), [databaseUrl, '-At', '-c', query], { encoding: 'utf8' });
      const [commits, rollbacks] = out.trim().split('|').map(Number);
      return { commits: commits ?? 0, rollbacks: rollbacks ?? 0 };
    },
    statements(databaseUrl: string) {
      // Calls of this database's statements, one line per text (newlines folded, so one per line).
      const query = `select calls, regexp_replace(query, '\\s+', ' ', 'g') from pg_stat_statements
        where dbid = (select oid from pg_database where datname = current_database())`;
      const out = spawnSync(psql(), [databaseUrl, '-At', '-F', '\t', '-c', query], {
        encoding: 'utf8',
      });
      if (out.status !== 0) return undefined;
      const counts: StatementCounts = new Map();
      for (const line of out.stdout.split('\n')) {
        const tab = line.indexOf('\t');
        if (tab < 0) continue;
        const text = line.slice(tab + 1);
        counts.set(text, (counts.get(text) ?? 0) + Number(line.slice(0, tab)));
      }
      return counts;
    },
    cpuMs: () => (dir ? clusterCpuMs(join(dir, 'data')) : undefined),
    stop() {
      if (dir) execFileSync(process.execPath, [CLUSTER_SCRIPT, 'stop', dir], { stdio: 'ignore' });
    },
  };
}
