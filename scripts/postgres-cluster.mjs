#!/usr/bin/env node
// A throwaway PostgreSQL cluster for tests, CI and benchmarks (issue 15), from the distribution's own binaries
// (Debian's `postgresql` package: /usr/lib/postgresql/<version>/bin).
//
//   node scripts/postgres-cluster.mjs start <dir> [--no-fsync] [--stat-statements]
//                                                                prints postgres://postgres@127.0.0.1:<port>/postgres
//   node scripts/postgres-cluster.mjs stop <dir>                 stops it and removes <dir>; idempotent
//
// `start` runs `initdb` into <dir>/data (trust authentication, UTF-8, C locale), then `pg_ctl start` listening on
// 127.0.0.1 only, on a free port, with its unix socket in <dir>/socket (never /var/run/postgresql). PostgreSQL
// refuses to run as root: when this runs as root, <dir> is given to the `postgres` user and every server command
// runs as that user through `runuser`. `--no-fsync` trades durability against an OS crash for speed (fsync,
// synchronous_commit and full_page_writes off): for test clusters only, never for a measured benchmark.
// `--stat-statements` loads the `pg_stat_statements` module at start (`shared_preload_libraries`), so a database
// can `create extension pg_stat_statements` and count the statements it ran (the benchmark does). The URL is
// also written to <dir>/url. `stop` runs `pg_ctl stop -m fast` when the server is up and removes <dir> only when
// `start` created the cluster in it (marker file), so it never deletes an unrelated folder.
//
// Binaries: $HANDOFF_POSTGRES_BIN when set, else the newest /usr/lib/postgresql/*/bin, else `initdb` on PATH.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join, resolve } from 'node:path';

const MARKER = '.handoff-postgres-cluster';
const PORT_ATTEMPTS = 5;

/** The folder holding initdb and pg_ctl, or undefined when none is installed. */
function postgresBinDir() {
  const fromEnv = process.env.HANDOFF_POSTGRES_BIN;
  if (fromEnv) return existsSync(join(fromEnv, 'initdb')) ? fromEnv : undefined;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], 'bin');
  }
  return (process.env.PATH ?? '').split(delimiter).find((dir) => existsSync(join(dir, 'initdb')));
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL binary, as `postgres` when this process is root; throws with its output when it fails. */
function run(bin, args) {
  const [command, argv] = isRoot()
    ? ['runuser', ['-u', 'postgres', '--', bin, ...args]]
    : [bin, args];
  const result = spawnSync(command, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    throw new Error(`${bin} ${args.join(' ')} failed (${result.status}): ${output}`);
  }
  return result.stdout;
}

/** A TCP port free on 127.0.0.1 at the time of asking (the OS picks it). */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function start(dir, { fsync, statStatements }) {
  const bin = postgresBinDir();
  if (!bin)
    throw new Error(
      'no PostgreSQL binaries (install Debian `postgresql`, or set HANDOFF_POSTGRES_BIN)',
    );
  if (existsSync(join(dir, MARKER)))
    throw new Error(`${dir} already holds a cluster: stop it first`);
  const data = join(dir, 'data');
  const socket = join(dir, 'socket');
  mkdirSync(socket, { recursive: true });
  writeFileSync(join(dir, MARKER), '');
  if (isRoot()) execFileSync('chown', ['-R', 'postgres:', dir]);
  run(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const settings = [
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${socket}`,
    '-c max_connections=300',
    ...(fsync ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    ...(statStatements ? ['-c shared_preload_libraries=pg_stat_statements'] : []),
  ];
  // The port is free when asked; another process may take it before the server binds it, so a failed start is
  // retried on another port.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      run(join(bin, 'pg_ctl'), [
        'start',
        '-w',
        '-t',
        '60',
        '-D',
        data,
        '-l',
        join(dir, 'server.log'),
        '-o',
        [`-p ${port}`, ...settings].join(' '),
      ]);
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      writeFileSync(join(dir, 'url'), `${url}\n`);
      return url;
    } catch (error) {
      if (attempt >= PORT_ATTEMPTS) {
        const logFile = join(dir, 'server.log');
        const log = existsSync(logFile)
          ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n')
          : '';
        throw new Error(`${error instanceof Error ? error.message : error}\n${log}`);
      }
    }
  }
}

function stop(dir) {
  if (!existsSync(join(dir, MARKER))) return;
  const data = join(dir, 'data');
  const bin = postgresBinDir();
  if (bin && existsSync(join(data, 'postmaster.pid'))) {
    run(join(bin, 'pg_ctl'), ['stop', '-w', '-t', '60', '-m', 'fast', '-D', data]);
  }
  rmSync(dir, { recursive: true, force: true });
}

const [command, target, ...flags] = process.argv.slice(2);
if ((command !== 'start' && command !== 'stop') || target === undefined) {
  console.error('usage: postgres-cluster.mjs start|stop <dir> [--no-fsync] [--stat-statements]');
  process.exit(2);
}
const dir = resolve(target);
try {
  if (command === 'start') {
    mkdirSync(dir, { recursive: true });
    const options = {
      fsync: !flags.includes('--no-fsync'),
      statStatements: flags.includes('--stat-statements'),
    };
    console.log(await start(dir, options));
  } else {
    stop(dir);
  }
} catch (error) {
  console.error(`postgres-cluster ${command}: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
