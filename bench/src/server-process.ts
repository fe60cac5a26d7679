import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchSetup } from './bench-gateway.js';
import { bundleServerChild } from './child-bundle.js';

/** The bundle of `server-child.ts` in each directory, made once (see `child-bundle.ts`). */
const bundles = new Map<string, Promise<string>>();

/** A benchmark server child process and what it is costing. */
export interface ServerProcess {
  url: string;
  pid: number;
  /** Resident set size of the child now, in MiB (from /proc). */
  rssMiB(): number;
  /** CPU time the child has used so far (user + system, all threads), in ms (from /proc). */
  cpuMs(): number;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Node flags of both servers (gateway and bare): V8's old space capped at `BENCH_SERVER_HEAP_MIB` MiB (default
 * 128), as a deployment sizes its heap (`NODE_OPTIONS=--max-old-space-size=128`, see the gateway README). With
 * V8's default sizing the heap grows lazily under a high allocation rate: the gateway's RSS then climbs to about
 * 230-250 MiB under this load without any leak (it levels off); with the cap it stays near 165 MiB, at some
 * throughput (more frequent major GCs). 0 runs with V8's defaults.
 */
export function serverNodeArgs(): string[] {
  const heapMiB = Number(process.env.BENCH_SERVER_HEAP_MIB ?? 128);
  if (!Number.isInteger(heapMiB) || heapMiB < 0)
    throw new Error('BENCH_SERVER_HEAP_MIB must be a whole number of MiB');
  return heapMiB > 0 ? [`--max-old-space-size=${heapMiB}`] : [];
}

/** Reads VmRSS of `pid` from /proc (Linux), in MiB. */
export function processRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

/** Reads utime + stime of `pid` from /proc/<pid>/stat (Linux, clock ticks of 10 ms), in ms. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces, so split after its closing parenthesis): utime, stime
  // are fields 14 and 15 of the whole line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Starts `server-child.ts` for `setup` in `mode`, on plain `node` from its bundle in `dir`, and waits for the URL
 * it prints.
 */
export async function startServerProcess(
  setup: BenchSetup,
  mode: 'gateway' | 'bare',
  dir: string,
): Promise<ServerProcess> {
  const setupFile = join(dir, `setup-${mode}.json`);
  writeFileSync(setupFile, JSON.stringify(setup));
  const bundle = bundles.get(dir) ?? bundleServerChild(dir);
  bundles.set(dir, bundle);
  const child: ChildProcess = spawn(
    process.execPath,
    [...serverNodeArgs(), await bundle, setupFile, mode],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const info = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`the ${mode} server exited with ${code}`)));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(JSON.parse(line) as { url: string; pid: number });
    });
  });
  return {
    ...info,
    rssMiB: () => processRssMiB(info.pid),
    cpuMs: () => processCpuMs(info.pid),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
