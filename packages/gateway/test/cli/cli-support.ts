import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HandoffPlan } from '@handoff/protocol';
import { main } from '../../src/cli/main.js';

const here = new URL('.', import.meta.url).pathname;

/** The `handoff` executable (bin/handoff.mjs), run with this Node. */
export const HANDOFF_BIN = join(here, '../../bin/handoff.mjs');
/**
 * Node's arguments for the bin in tests: the workspace's source condition and tsx, so the bin's `#cli` is
 * `src/cli/main.ts` (the working tree, no build needed) rather than the compiled `dist/cli.js`.
 */
const SOURCE_NODE_ARGS = ['--conditions=@handoff/source', '--import', 'tsx'];
/** The policy set fixture, by absolute path. */
export const POLICY_FILE = join(here, '../policy/fixtures/marketing-default.yaml');
/** The conformance corpus of HandoffPlan. */
export const PLAN_CORPUS = join(here, '../../../protocol/conformance/v1/HandoffPlan');
export const VALID_PLAN_FILE = join(PLAN_CORPUS, 'valid/term-deposit-two-options.json');

/** What a command printed and returned. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `handoff <args>` in process through `main(argv, io)`, capturing stdout and stderr. */
export async function runCli(...args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'handoff', ...args], {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Runs `node bin/handoff.mjs <args>` as a child process to completion. */
export function runBin(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...SOURCE_NODE_ARGS, HANDOFF_BIN, ...args],
      { env: { ...process.env, ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (error as { code?: unknown }).code : 0;
        if (typeof code !== 'number') reject(error);
        else resolve({ code, out: stdout, err: stderr });
      },
    );
  });
}

/** A running `handoff gateway start` child, with the URL from its first stdout line. */
export interface GatewayChild {
  child: ChildProcess;
  url: string;
  info: { url: string; gatewayId: string; policyVersion: string };
  stderr: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `handoff gateway start --config <file> --json` and waits (at most `timeoutMs`) for its first stdout line,
 * the `{ url, gatewayId, policyVersion }` it prints once listening. Rejects if the child exits first.
 */
export function startGatewayChild(
  configFile: string,
  timeoutMs = 20_000,
  env: Record<string, string> = {},
): Promise<GatewayChild> {
  const child = spawn(
    process.execPath,
    [...SOURCE_NODE_ARGS, HANDOFF_BIN, 'gateway', 'start', '--config', configFile, '--json'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}\nstdout: ${stdout}\nstderr: ${stderr}`));
    };
    const timer = setTimeout(() => fail(`no URL within ${timeoutMs} ms`), timeoutMs);
    const onExit = (code: number | null) => {
      // Let the pipes drain first, so the error the gateway printed is in the message.
      setImmediate(() => fail(`the gateway exited with ${code} before listening`));
    };
    child.once('exit', onExit);
    child.stdout?.setEncoding('utf8').on('data', function onData(chunk: string) {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      let info: GatewayChild['info'];
      try {
        info = JSON.parse(stdout.slice(0, newline)) as GatewayChild['info'];
      } catch {
        return; // not the listening line (an error printed as JSON over several lines): wait for the exit
      }
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', onData);
      resolve({
        child,
        url: info.url,
        info,
        stderr: () => stderr,
        stop: () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'handoff-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The valid two-option plan fixture, parsed. */
export function readFixturePlan(): HandoffPlan {
  return JSON.parse(readFileSync(VALID_PLAN_FILE, 'utf8')) as HandoffPlan;
}

/** The `document` of an invalid corpus fixture (they are wrapped with `description` and `expected`). */
export function invalidPlanDocument(name: string): {
  document: unknown;
  expected: { code: string; path: string }[];
} {
  return JSON.parse(readFileSync(join(PLAN_CORPUS, 'invalid', `${name}.json`), 'utf8'));
}

/** Writes `value` as JSON to `dir/name` and returns the path. */
export function writeJson(dir: string, name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  return file;
}

/** Writes `text` to `dir/name` and returns the path. */
export function writeText(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Writes a plan whose recommended option uses an adapter the policy does not allow (a hard deny). */
export function deniedPlanFile(dir: string, planId = readFixturePlan().planId): string {
  const plan = { ...readFixturePlan(), planId };
  const [first] = plan.options;
  if (!first?.actions[0]) throw new Error('fixture shape');
  first.actions[0].adapter = 'mailchimp';
  return writeJson(dir, `denied-${planId}.json`, plan);
}
