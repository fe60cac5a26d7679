import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const CHILD = join(here, 'chaos-child.mjs');
/** The workspace's packages folder (`packages/`). */
const PACKAGES = join(here, '../../..');

/** The newest modification time (epoch ms) of any file under `dir`; 0 when it has none. */
function newest(dir: string): number {
  let latest = 0;
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const stat = statSync(join(dir, name));
    if (stat.isFile()) latest = Math.max(latest, stat.mtimeMs);
  }
  return latest;
}

/**
 * How the chaos children run the gateway: its built `dist` (plain Node, about half the start time of the source
 * through tsx, seconds per round on a loaded machine) when every workspace package built with a `dist/index.js`
 * is at least as new as all of its `src`; else the TypeScript source through tsx. CI builds `dist` from the
 * committed tree at `pnpm install` (`.ci/run`), so there it runs what is committed; locally, an edit under any
 * `src` after the last build makes the children run the source again. `RELIABILITY_CHILD=source` forces the
 * source. Decided once per test process.
 */
export const gatewayBuild: { entry: string; args: string[]; built: boolean } = (() => {
  const source = {
    entry: join(PACKAGES, 'gateway/src/index.ts'),
    args: ['--conditions=@handoff/source', '--import', 'tsx'],
    built: false,
  };
  if (process.env.RELIABILITY_CHILD === 'source') return source;
  for (const name of readdirSync(PACKAGES)) {
    const dist = join(PACKAGES, name, 'dist/index.js');
    let built: number;
    try {
      built = statSync(dist).mtimeMs;
    } catch {
      continue;
    }
    const src = join(PACKAGES, name, 'src');
    if (statSync(src, { throwIfNoEntry: false })?.isDirectory() && newest(src) > built)
      return source;
  }
  return { entry: join(PACKAGES, 'gateway/dist/index.js'), args: [], built: true };
})();

/** A running chaos gateway child. */
export interface ChaosChild {
  url: string;
  /** The child's process id. */
  pid: number;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful stop), resolved with the exit code. */
  stop(): Promise<number | null>;
}

const live = new Set<ChildProcess>();

/** SIGKILLs every chaos child still running (after a failed or timed-out test). */
export function killLiveChildren(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** Starts `chaos-child.mjs` on `configFile` ({@link gatewayBuild}) and resolves once it prints its URL. */
export function startChaosChild(configFile: string, env: NodeJS.ProcessEnv): Promise<ChaosChild> {
  const child: ChildProcess = spawn(process.execPath, [...gatewayBuild.args, CHILD, configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, CHAOS_GATEWAY_ENTRY: gatewayBuild.entry },
  });
  live.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    err += c;
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const early = (code: number | null) => reject(new Error(`chaos child exited ${code}: ${err}`));
    child.once('exit', early);
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const line = out.split('\n')[0];
      if (!out.includes('\n') || !line) return;
      child.off('exit', early);
      resolve({
        url: (JSON.parse(line) as { url: string }).url,
        pid: child.pid ?? -1,
        kill: async () => {
          child.kill('SIGKILL');
          await exited;
        },
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}
