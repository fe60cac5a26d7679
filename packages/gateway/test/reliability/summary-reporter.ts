import type { Reporter, TestModule } from 'vitest/node';
import type { CaseTally } from './tally.js';

interface AreaTotals {
  tried: number;
  passed: number;
  dataLost: number;
  tests: number;
  failedTests: number;
}

/** Adds a test's tally to its area; a test without one counts as one case, passed when the test passed. */
function add(totals: Map<string, AreaTotals>, area: string, tally: CaseTally, ok: boolean): void {
  const row = totals.get(area) ?? { tried: 0, passed: 0, dataLost: 0, tests: 0, failedTests: 0 };
  row.tried += tally.tried;
  row.passed += ok ? tally.passed : Math.min(tally.passed, tally.tried - 1);
  row.dataLost += tally.dataLost;
  row.tests += 1;
  row.failedTests += ok ? 0 : 1;
  totals.set(area, row);
}

/** The summary table as text: one row per area, then the totals. */
export function summaryTable(totals: Map<string, AreaTotals>): string {
  const rows = [...totals.entries()].sort(([a], [b]) => a.localeCompare(b));
  const all = rows.reduce(
    (sum, [, r]) => ({
      tried: sum.tried + r.tried,
      passed: sum.passed + r.passed,
      dataLost: sum.dataLost + r.dataLost,
      tests: sum.tests + r.tests,
      failedTests: sum.failedTests + r.failedTests,
    }),
    { tried: 0, passed: 0, dataLost: 0, tests: 0, failedTests: 0 },
  );
  const line = (cells: (string | number)[]) =>
    `| ${cells.map((c, i) => String(c).padEnd(i === 0 ? 28 : 9)).join(' | ')} |`;
  return [
    'Reliability summary',
    line(['area', 'tests', 'cases', 'passed', 'failed', 'data lost']),
    line(['---', '---', '---', '---', '---', '---']),
    ...rows.map(([area, r]) =>
      line([area, r.tests, r.tried, r.passed, r.tried - r.passed, r.dataLost]),
    ),
    line(['total', all.tests, all.tried, all.passed, all.tried - all.passed, all.dataLost]),
  ].join('\n');
}

/**
 * Prints the reliability summary at the end of the run: per area (the first `describe` of each test, or the file),
 * the cases tried and passed and the data lost, from the tallies tests attach to their task meta.
 */
export class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const totals = new Map<string, AreaTotals>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'skipped' || state === 'pending') continue;
        const tally = test.meta().reliability ?? { tried: 1, passed: 1, dataLost: 0 };
        const area =
          tally.area ?? module.relativeModuleId.replace(/^.*\//, '').replace('.test.ts', '');
        add(totals, area, tally, state === 'passed');
      }
    }
    if (totals.size > 0) process.stdout.write(`\n${summaryTable(totals)}\n\n`);
  }
}
