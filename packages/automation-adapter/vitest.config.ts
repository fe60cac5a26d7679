import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'automation-adapter',
    include: ['test/**/*.test.ts'],
  },
});
