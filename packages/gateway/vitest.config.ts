import { configDefaults, defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.source.js';
import { POSTGRES_TESTS } from './vitest.postgres.config.js';

export default defineProject({
  ...sourceConditions,
  test: {
    name: 'gateway',
    include: ['test/**/*.test.ts'],
    // The reliability suite is its own project (`pnpm test:reliability`, test/reliability/vitest.config.ts), and so
    // are the console's browser suite (`pnpm test:e2e`, test/e2e/vitest.config.ts) and the PostgreSQL tests
    // (vitest.postgres.config.ts, with the globalSetup that starts a cluster).
    exclude: [...configDefaults.exclude, 'test/reliability/**', 'test/e2e/**', POSTGRES_TESTS],
    testTimeout: 30_000,
  },
});
