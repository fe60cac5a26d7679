import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.source.js';

export default defineProject({
  ...sourceConditions,
  test: {
    name: 'automation-adapter',
    include: ['test/**/*.test.ts'],
  },
});
