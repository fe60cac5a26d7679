import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { sourceConditions } from '../../../../vitest.source.js';

/**
 * The console's end-to-end suite (`pnpm test:e2e`): a real gateway process and headless Chromium
 * (`/usr/bin/chromium`, see `console-browser.ts`). Kept out of `pnpm test:unit`: it needs the browser and the
 * console's build; CI runs it after the unit tests.
 */
export default defineConfig({
  ...sourceConditions,
  test: {
    name: 'e2e',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
