// Packs the public packages as they are published (`pnpm pack` rewrites `workspace:^` to `^<version>` and
// applies `files`) and checks what the tarballs hold.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The packages published to npm, by folder under packages/. */
export const PUBLIC_PACKAGES = [
  'protocol',
  'lineage',
  'copilot-adapter',
  'mcp',
  'automation-adapter',
  'gateway',
];

/** Packs every public package into `dest`; returns the tarball of each, by package name. */
export function packWorkspace(root, dest) {
  mkdirSync(dest, { recursive: true });
  const tarballs = {};
  for (const dir of PUBLIC_PACKAGES) {
    const cwd = join(root, 'packages', dir);
    const { name } = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
    const out = execFileSync('pnpm', ['pack', '--pack-destination', dest], {
      cwd,
      encoding: 'utf8',
    });
    const file = out.trim().split('\n').at(-1)?.trim();
    if (!file?.endsWith('.tgz')) throw new Error(`pnpm pack in ${cwd} printed no tarball: ${out}`);
    tarballs[name] = file.startsWith('/') ? file : join(dest, file);
  }
  return tarballs;
}

const tarList = (tarball) =>
  execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ''));

/** Every file an `exports` or `imports` entry names for installs (the workspace's source condition aside). */
function exportTargets(map) {
  if (typeof map === 'string') return map.includes('*') ? [] : [map.replace(/^\.\//, '')];
  if (map === null || typeof map !== 'object') return [];
  return Object.entries(map)
    .filter(([key]) => key !== '@handoff/source')
    .flatMap(([, value]) => exportTargets(value));
}

/**
 * Checks each tarball's manifest and files: real version ranges (no `workspace:`), sibling packages at
 * `^<their version>`, no tsx or msw among the dependencies, no tests, a LICENSE and a README, and every file the
 * export map points installs at. Throws naming every problem; returns one line per package otherwise.
 */
export function checkPackedManifests(tarballs) {
  const manifests = Object.fromEntries(
    Object.entries(tarballs).map(([name, tarball]) => [
      name,
      JSON.parse(
        execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
      ),
    ]),
  );
  const problems = [];
  const lines = [];
  for (const [name, tarball] of Object.entries(tarballs)) {
    const manifest = manifests[name];
    const files = tarList(tarball);
    const deps = { ...manifest.dependencies, ...manifest.peerDependencies };
    for (const [dep, range] of Object.entries(deps)) {
      if (range.startsWith('workspace:')) problems.push(`${name}: ${dep}@${range}`);
      const sibling = manifests[dep];
      if (sibling && range !== `^${sibling.version}`) {
        problems.push(`${name}: ${dep}@${range}, expected ^${sibling.version}`);
      }
    }
    for (const dep of ['tsx', 'msw', 'vitest']) {
      if (manifest.dependencies?.[dep]) problems.push(`${name}: ${dep} is a runtime dependency`);
    }
    const tests = files.filter((f) =>
      /(^|\/)(test|tests|__tests__)\/|\.test(-d)?\.[cm]?[jt]s$/.test(f),
    );
    if (tests.length > 0) problems.push(`${name}: ships tests (${tests.slice(0, 3).join(', ')})`);
    for (const file of ['LICENSE', 'README.md']) {
      if (!files.includes(file)) problems.push(`${name}: no ${file}`);
    }
    const targets = [...exportTargets(manifest.exports), ...exportTargets(manifest.imports ?? {})];
    for (const target of targets) {
      if (!files.includes(target)) problems.push(`${name}: exports ${target}, not in the tarball`);
    }
    const internal = Object.entries(manifest.dependencies ?? {}).filter(([dep]) => manifests[dep]);
    const ranges = internal.map(([dep, range]) => `${dep}@${range}`).join(', ') || 'no sibling';
    lines.push(`packed ${name}@${manifest.version}: ${files.length} files, ${ranges}`);
  }
  if (problems.length > 0) throw new Error(`packed manifests:\n  ${problems.join('\n  ')}`);
  return lines;
}
