import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.source.js';

export default defineProject({
  ...sourceConditions,
  test: {
    name: 'lineage',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
