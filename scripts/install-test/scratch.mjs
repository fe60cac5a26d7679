// Runs the steps of the install test in a scratch project and reports each as { name, ok, output, note }.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const TEN_MINUTES = 600_000;

/**
 * Runs `argv` in `cwd`; the step holds when it exits 0 and, given `expect`, its output matches it. `output` is the
 * last 4,000 characters of stdout and stderr, for the report of a failed step.
 */
export function runStep(name, cwd, env, argv, expect) {
  const [command, ...rest] = argv;
  const run = spawnSync(command, rest, { cwd, env, encoding: 'utf8', timeout: TEN_MINUTES });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`;
  const ok = run.status === 0 && (expect === null || expect.test(output));
  const passed = output.match(/Tests\s+(\d+) passed/);
  return { name, ok, output: output.slice(-4000), note: passed ? `${passed[1]} tests` : undefined };
}

/**
 * better-sqlite3 installs its native addon with prebuild-install (a download from GitHub, out of reach on machines
 * that reach only the npm registry), else builds it from source with node-gyp, against the headers of the
 * `node-<platform>-<arch>` package (`npm_config_nodedir`). A build from source takes a minute or two per Node
 * version on two cores, so the install test keeps each build it made in a folder of "local prebuilds"
 * (prebuild-install's `npm_config_better_sqlite3_local_prebuilds`; HANDOFF_PREBUILD_CACHE, default
 * ~/.cache/handoff/prebuilds), named as the release asset would be, which later runs install as prebuilt.
 * `--from-source` ignores it.
 */
const PREBUILDS =
  process.env.HANDOFF_PREBUILD_CACHE ?? join(homedir(), '.cache', 'handoff', 'prebuilds');

function prebuildName(project, nodeBin) {
  const dir = join(project, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const abi = execFileSync(nodeBin, ['-p', 'process.versions.modules'], {
    encoding: 'utf8',
  }).trim();
  return {
    dir,
    file: `better-sqlite3-v${version}-node-v${abi}-${process.platform}-${process.arch}.tar.gz`,
  };
}

/**
 * `npm install` of `specs` (tarballs and registry packages) into the scratch project; notes how better-sqlite3
 * got its native addon (built from source: node-gyp leaves its object files in build/Release/obj.target).
 */
export function installInScratch(project, specs, env, { nodeBin, fromSource }) {
  const started = performance.now();
  const cached = fromSource ? {} : { npm_config_better_sqlite3_local_prebuilds: PREBUILDS };
  const step = runStep(
    'npm install',
    project,
    { ...env, ...cached },
    ['npm', 'install', ...specs],
    null,
  );
  const release = join(project, 'node_modules', 'better-sqlite3', 'build', 'Release');
  let how = 'better-sqlite3 has no native addon';
  if (existsSync(join(release, 'obj.target'))) {
    how = 'better-sqlite3 built from source by node-gyp';
    // Glibc Linux, macOS and Windows only: a musl build would need the asset's `-musl` suffix.
    const { dir, file } = prebuildName(project, nodeBin);
    mkdirSync(PREBUILDS, { recursive: true });
    execFileSync('tar', [
      '-czf',
      join(PREBUILDS, file),
      '-C',
      dir,
      'build/Release/better_sqlite3.node',
    ]);
  } else if (existsSync(join(release, 'better_sqlite3.node'))) {
    const { file } = prebuildName(project, nodeBin);
    how = existsSync(join(PREBUILDS, file))
      ? `better-sqlite3 from an earlier build (${PREBUILDS})`
      : 'better-sqlite3 prebuilt';
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  return { ...step, note: `${seconds} s, ${how}` };
}

/** `tsc -p tsconfig.json` (strict, no skipLibCheck) in the scratch project. */
export function typecheckInScratch(project, env) {
  // Any error fails the step, in our `.d.ts`, in the consumer or in a dependency's declarations: no public type
  // of ours may pull in declarations that do not compile (drizzle-orm's do not without skipLibCheck,
  // drizzle-team/drizzle-orm#5187, so the gateway's public types never mention drizzle).
  const step = runStep('tsc strict', project, env, ['npx', 'tsc', '-p', 'tsconfig.json'], null);
  const errors = step.output.split('\n').filter((line) => /error TS\d+/.test(line));
  return { ...step, note: errors.length > 0 ? `${errors.length} errors` : 'no errors' };
}
