import { defineConfig } from 'vitest/config';

/** One Vitest run over every package (Vitest "projects"), type tests (`*.test-d.ts`) included. */
const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  test: {
    // CI asks for a JSON report beside the usual output, to print a plain "N passed, N failed" line.
    reporters: jsonReport ? ['default', 'json'] : ['default'],
    ...(jsonReport ? { outputFile: { json: jsonReport } } : {}),
    projects: [
      'packages/*/vitest.config.ts',
      'packages/gateway/vitest.postgres.config.ts',
      'examples/*/vitest.config.ts',
      'examples/vitest.config.ts',
      'scripts/vitest.config.ts',
    ],
  },
});
