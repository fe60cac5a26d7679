import { defineProject } from 'vitest/config';
import { sourceConditions } from '../vitest.source.js';

export default defineProject({
  ...sourceConditions,
  test: {
    name: 'examples',
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
  },
});
