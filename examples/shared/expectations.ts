/**
 * What a story promises, checked as it runs: each expectation prints `ok` or `FAIL` with what it means, and the
 * story exits 0 only if every one held; the story's machine-readable report carries them all.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { detail, heading, paint } from './terminal.js';

/** One checked expectation. */
export interface ExpectationResult {
  what: string;
  ok: boolean;
  /** What was seen, when it helps to read a failure. */
  seen?: string;
}

/** The expectations of one story run. */
export class Expectations {
  readonly results: ExpectationResult[] = [];

  /** Records and prints one expectation; returns `ok` so callers can branch on it. */
  check(ok: boolean, what: string, seen?: string): boolean {
    this.results.push({ what, ok, ...(seen === undefined ? {} : { seen }) });
    const mark = ok ? paint('green', 'ok  ') : paint(['bold', 'red'], 'FAIL');
    console.log(`  ${mark} ${what}${!ok && seen ? paint('red', ` (seen: ${seen})`) : ''}`);
    return ok;
  }

  /** The expectations that did not hold. */
  get failures(): ExpectationResult[] {
    return this.results.filter((r) => !r.ok);
  }

  /** Prints the verdict line and returns the process exit code: 0 only when every expectation held. */
  conclude(): number {
    const failed = this.failures.length;
    const total = this.results.length;
    if (failed === 0) {
      console.log(`\n${paint(['bold', 'green'], `every expectation held (${total} of ${total})`)}`);
      return 0;
    }
    console.log(`\n${paint(['bold', 'red'], `${failed} of ${total} expectation(s) failed:`)}`);
    for (const f of this.failures)
      console.log(`  - ${f.what}${f.seen ? ` (seen: ${f.seen})` : ''}`);
    return 1;
  }
}

/**
 * Writes `<dir>/report.json`: `{ story, ok, wallTimeMs, ...facts, expectations }`, prints where it is and the wall
 * time, and returns the story's exit code (0 only when every expectation held).
 */
export function writeStoryReport(input: {
  story: string;
  dir: string;
  startedAt: number;
  checks: Expectations;
  facts: Record<string, unknown>;
}): number {
  const wallTimeMs = Math.round(performance.now() - input.startedAt);
  const ok = input.checks.failures.length === 0;
  const file = join(input.dir, 'report.json');
  const body = {
    story: input.story,
    ok,
    wallTimeMs,
    ...input.facts,
    expectations: input.checks.results,
  };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  heading('Report');
  detail(`machine-readable report: ${file}`);
  detail(`wall time ${(wallTimeMs / 1000).toFixed(1)} s`);
  return input.checks.conclude();
}
