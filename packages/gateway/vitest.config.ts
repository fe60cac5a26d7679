import { configDefaults, defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.source.js';

export default defineProject({
  ...sourceConditions,
  test: {
    name: 'gateway',
    include: ['test/**/*.test.ts'],
    // The reliability suite is its own project (`pnpm test:reliability`, test/reliability/vitest.config.ts), and so
    // is the console's browser suite (`pnpm test:e2e`, test/e2e/vitest.config.ts).
    exclude: [...configDefaults.exclude, 'test/reliability/**', 'test/e2e/**'],
    testTimeout: 30_000,
  },
});
