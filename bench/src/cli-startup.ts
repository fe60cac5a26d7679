import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How long `handoff --help` and `--version` take, start to exit, against a bare Node start. */
export interface CliStartupResult {
  /** Runs of each command (after 2 unrecorded warm-up runs). */
  runs: number;
  /** The command timed, as a person types it from the repository root. */
  command: string;
  /** `handoff --help`: median and 90th percentile, milliseconds. */
  helpMedianMs: number;
  helpP90Ms: number;
  /** `handoff --version`, median, milliseconds. */
  versionMedianMs: number;
  /** `node -e ""`: the floor any Node CLI starts from, median, milliseconds. */
  nodeMedianMs: number;
}

const BIN = fileURLToPath(new URL('../../packages/gateway/bin/handoff.mjs', import.meta.url));

/** Milliseconds of each of `runs` runs of `node <args>`, start to exit. @throws when a run exits non-zero. */
function timeRuns(args: string[], runs: number): number[] {
  // The child gets no NODE_OPTIONS: what a person's shell runs, not this process's loader.
  const { NODE_OPTIONS: _, ...env } = process.env;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = performance.now() - started;
    if (run.status !== 0)
      throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    times.push(ms);
  }
  return times.sort((a, b) => a - b);
}

function quantile(sorted: number[], q: number): number {
  const value = sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return Math.round(value * 10) / 10;
}

/**
 * Times `runs` runs each of `node packages/gateway/bin/handoff.mjs --help` (what `pnpm handoff --help` runs, less
 * pnpm's own start), `--version`, and `node -e ""` as the baseline, one after another.
 */
export function runCliStartup(options: { runs: number }): CliStartupResult {
  const runs = Math.max(1, options.runs);
  timeRuns([BIN, '--help'], 2);
  const help = timeRuns([BIN, '--help'], runs);
  const version = timeRuns([BIN, '--version'], runs);
  const node = timeRuns(['-e', ''], runs);
  return {
    runs,
    command: 'node packages/gateway/bin/handoff.mjs --help',
    helpMedianMs: quantile(help, 0.5),
    helpP90Ms: quantile(help, 0.9),
    versionMedianMs: quantile(version, 0.5),
    nodeMedianMs: quantile(node, 0.5),
  };
}

// `pnpm --filter @handoff/bench cli-startup`: this figure alone, as JSON (BENCH_CLI_RUNS [20] runs each).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.env.BENCH_CLI_RUNS ?? 20);
  process.stdout.write(`${JSON.stringify(runCliStartup({ runs }), null, 2)}\n`);
}
