import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'copilot-adapter',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
