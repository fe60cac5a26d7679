// The manifests of the public packages agree with the build (tsdown.config.ts) and with what an install needs,
// without building or packing (the install test, `pnpm test:install`, checks the packed tarballs themselves).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import buildConfigs from '../../tsdown.config.ts';
import { PUBLIC_PACKAGES } from '../install-test/pack.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));

/** The entries of an `exports` or `imports` map that carry the workspace's source condition. */
const conditional = (map) =>
  Object.entries(map ?? {}).filter(([, target]) => typeof target === 'object' && target !== null);

describe.each(PUBLIC_PACKAGES)('@handoff/%s', (dir) => {
  const manifest = read(`packages/${dir}/package.json`);
  const build = buildConfigs.find((config) => config.name === manifest.name);

  test('every code entry: source for the workspace, the built file of that source for installs', () => {
    const entries = [...conditional(manifest.exports), ...conditional(manifest.imports)];
    expect(entries.length).toBeGreaterThan(0);
    for (const [key, target] of entries) {
      expect(Object.keys(target), key).toEqual([
        '@handoff/source',
        'types',
        ...(key.startsWith('#') ? [] : ['import']),
        'default',
      ]);
      const source = target['@handoff/source'];
      expect(existsSync(join(ROOT, 'packages', dir, source)), source).toBe(true);
      const built = source.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '');
      expect(target.types).toBe(`${built}.d.ts`);
      expect(target.default).toBe(`${built}.js`);
      if (target.import) expect(target.import).toBe(`${built}.js`);
      expect(build?.entry, `${source} is a tsdown entry`).toContain(source.replace(/^\.\//, ''));
    }
  });

  test('what it ships and what it depends on', () => {
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'src', 'README.md']));
    expect(manifest.files.some((file) => /test/.test(file))).toBe(false);
    expect(existsSync(join(ROOT, 'packages', dir, 'LICENSE'))).toBe(true);
    expect(manifest.engines.node).toBe('>=20.19');
    for (const field of ['dependencies', 'peerDependencies']) {
      for (const [name, range] of Object.entries(manifest[field] ?? {})) {
        // pnpm pack turns `workspace:^` into `^<version>`; `workspace:*` would pin the exact version.
        if (name.startsWith('@handoff/')) expect(range, name).toBe('workspace:^');
      }
    }
    for (const name of ['tsx', 'msw', 'vitest']) {
      expect(manifest.dependencies?.[name], name).toBeUndefined();
    }
  });
});

test('the testing subpath: msw and vitest are optional peers of the automation adapter', () => {
  const manifest = read('packages/automation-adapter/package.json');
  expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['msw', 'vitest']);
  expect(manifest.peerDependenciesMeta).toEqual({
    msw: { optional: true },
    vitest: { optional: true },
  });
});

test('the CLI: the bin imports #cli, which is dist/cli.js for installs', () => {
  const manifest = read('packages/gateway/package.json');
  expect(manifest.bin).toEqual({ handoff: './bin/handoff.mjs' });
  expect(readFileSync(join(ROOT, 'packages/gateway/bin/handoff.mjs'), 'utf8')).toContain(
    "import('#cli')",
  );
  expect(manifest.imports['#cli'].default).toBe('./dist/cli.js');
  expect(read('package.json').scripts.handoff).toBe('node packages/gateway/bin/handoff.mjs');
});
