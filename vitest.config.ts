import { defineConfig } from 'vitest/config';

/** One Vitest run over every package (Vitest "projects"), type tests (`*.test-d.ts`) included. */
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'examples/vitest.config.ts'],
  },
});
