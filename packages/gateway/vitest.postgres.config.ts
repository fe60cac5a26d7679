import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.source.js';

/**
 * The gateway's PostgreSQL tests (issue 15): every test file whose name contains `postgres`. Their own project so
 * that the globalSetup starting a throwaway cluster (when `HANDOFF_TEST_POSTGRES_URL` is unset) runs only when
 * one of them is selected; `vitest.config.ts` leaves them out.
 */
export const POSTGRES_TESTS = 'test/**/*postgres*.test.ts';

export default defineProject({
  ...sourceConditions,
  test: {
    name: 'gateway-postgres',
    include: [POSTGRES_TESTS],
    exclude: ['test/reliability/**', 'test/e2e/**', 'node_modules/**'],
    globalSetup: ['test/support/postgres-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
