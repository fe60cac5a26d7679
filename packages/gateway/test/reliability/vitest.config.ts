import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { sourceConditions } from '../../../../vitest.source.js';
import { SummaryReporter } from './summary-reporter.js';

/**
 * The reliability suite (`pnpm test:reliability`): hostile input and token attacks against a real gateway over
 * HTTP, platform faults during dispatch, and gateway processes killed mid-flight. Kept out of `pnpm test:unit`
 * (it starts processes and runs for minutes); CI runs it on its own. Prints a summary table at the end.
 */
const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  ...sourceConditions,
  test: {
    name: 'reliability',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/reliability/**/*.test.ts'],
    // The replica suites run on PostgreSQL: the cluster named by HANDOFF_TEST_POSTGRES_URL (.ci/run starts one),
    // else a throwaway one this setup starts when the binaries are installed (else they skip, or fail under CI).
    globalSetup: ['test/support/postgres-global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Files start gateways and child processes: on a 2-core machine two at a time is what keeps them honest.
    maxWorkers: 2,
    // CI asks for a JSON report too (VITEST_JSON_REPORT), to count the tests of both suites in one line.
    reporters: ['default', new SummaryReporter(), ...(jsonReport ? ['json' as const] : [])],
    ...(jsonReport ? { outputFile: { json: jsonReport } } : {}),
  },
});
