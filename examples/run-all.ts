/**
 * Runs every example story, one after another, each in its own process, and exits non-zero if any failed. CI runs
 * it as `pnpm examples`. Prints one closing line: `examples: N passed, N failed`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Every self-checking story, by folder; each has a `main.ts` that exits 0 only if all its expectations held. */
export const STORIES = [
  'validate-plan',
  'bank-campaign',
  'ad-budget-reallocation',
  'braze-retention',
  'bank-outcomes',
  'bank-policy-pack',
  'mcp-handoff',
] as const;

const results = STORIES.map((story) => {
  console.log(`\n######## ${story}`);
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    [
      '--conditions=@handoff/source',
      '--import',
      'tsx',
      join(import.meta.dirname, story, 'main.ts'),
    ],
    {
      stdio: 'inherit',
    },
  );
  return { story, ok: run.status === 0, seconds: (performance.now() - started) / 1000 };
});
console.log('');
for (const r of results)
  console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.story} (${r.seconds.toFixed(1)} s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`examples: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
