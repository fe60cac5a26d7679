// `pnpm check:packages` (run by CI): packs every public package as it is published and checks each tarball with
// publint (package.json fields against the files; warnings fail, suggestions are shown) and arethetypeswrong
// (how TypeScript resolves the types of every entry point). The packages are ESM only: attw runs its `esm-only`
// profile, which leaves out CommonJS `require` resolution (there is no CommonJS build, so `require()` of them
// is Node's require(esm), not something the types describe). Run `pnpm build` first (`pnpm install` does).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packWorkspace } from './install-test/pack.mjs';

const ROOT = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'handoff-check-packages-'));
const CHECKS = [
  { tool: 'publint', argv: (tgz) => ['publint', 'run', tgz, '--strict'] },
  {
    tool: 'attw',
    argv: (tgz) => ['attw', tgz, '--profile', 'esm-only', '--format', 'table-flipped'],
  },
];

let failed = 0;
try {
  const tarballs = packWorkspace(ROOT, work);
  for (const [name, tarball] of Object.entries(tarballs)) {
    for (const check of CHECKS) {
      const run = spawnSync('pnpm', ['exec', ...check.argv(tarball)], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      });
      const ok = run.status === 0;
      if (!ok) failed += 1;
      console.log(`check-packages: ${check.tool} ${name}: ${ok ? 'ok' : 'FAILED'}`);
      const output = `${run.stdout}${run.stderr}`.trim();
      if (!ok || /suggestion|warning/i.test(output)) console.log(output.replace(/^/gm, '  '));
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`check-packages: ${failed === 0 ? 'every package passed' : `${failed} checks failed`}`);
process.exit(failed === 0 ? 0 : 1);
