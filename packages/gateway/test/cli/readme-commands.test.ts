import { type ChildProcess, spawn } from 'node:child_process';
import {
  copyFileSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { EXIT } from '../../src/cli/exit-codes.js';
import { POLICY_FILE, runCli } from './cli-support.js';
import {
  handoffOptions,
  handoffPaths,
  pnpmProblem,
  type ReadmeCommand,
  readmeCommands,
} from './readme-commands.js';

/**
 * Every command shown in a README or CONTRIBUTING.md (fenced `sh`/`bash`/`console` lines and inline `pnpm …`, `node …`, `npx …`,
 * `handoff …` code) works as written. Each is run from a fresh working copy of the repository (a folder of links to
 * it, so what a command writes stays there), in the README's order, unless NOT_RUN below says why not; the pnpm
 * scripts of every command must exist, run or not; `handoff …` references in prose must name commands and
 * options the CLI has. A new README command fails here until it runs or is classified in NOT_RUN.
 */

const root = join(new URL('.', import.meta.url).pathname, '../../../..');
const commands = readmeCommands(root);

const CI_STEP = 'a CI step of its own (.ci/run)';
const STORY = 'a story: CI runs every story with `pnpm examples`';
const BENCH = 'a benchmark (minutes, machine-dependent): never run by tests or CI';
const PROSE = 'a Node flag named in prose, not a command';
const VITEST = 'runs a Vitest project, which `pnpm test` (this run) runs already';
const GENERATE =
  'rewrites committed files; a drift test fails when they differ from what it would write';

/** README commands this test does not run, each with why. Keys are the commands as extracted. */
const INSTALLED =
  'installs or runs a published package, outside this workspace: `pnpm test:install` (a CI step) installs the packed tarballs with npm and runs `npx handoff --help` the same way';

const NOT_RUN: Readonly<Record<string, string>> = {
  'npm install --global pnpm@10': `installs pnpm for the whole machine: ${CI_STEP} when pnpm 10 is missing`,
  'pnpm install && pnpm demo': `${CI_STEP}: \`pnpm install --frozen-lockfile\`, then \`pnpm examples\` (the demo included)`,
  'pnpm install --frozen-lockfile': `${CI_STEP}, on a clean clone`,
  'pnpm install': `installs the workspace this test runs in: ${CI_STEP} (\`--frozen-lockfile\`)`,
  'pnpm test': `runs this test itself: ${CI_STEP}`,
  'pnpm lint': `part of \`pnpm test\`, ${CI_STEP}`,
  'pnpm typecheck': `part of \`pnpm test\`, ${CI_STEP}`,
  'pnpm test:unit': `part of \`pnpm test\` (this run), ${CI_STEP}`,
  'pnpm test:reliability': `${CI_STEP}, minutes long`,
  'pnpm test:e2e': `${CI_STEP}: the console in headless Chromium (/usr/bin/chromium, installed by .ci/run)`,
  'pnpm generate': GENERATE,
  'pnpm --filter @handoff/gateway docs': GENERATE,
  'pnpm format': 'rewrites files (Biome formatting), which `pnpm lint` checks',
  'pnpm vitest run packages/gateway/test/budget':
    'runs tests that `pnpm test` (this run) runs already',
  'pnpm --filter @handoff/protocol generate': GENERATE,
  'pnpm --filter @handoff/gateway db:generate':
    'writes a migration after a schema change, for a person to review and commit',
  'pnpm demo': STORY,
  'pnpm examples': `${CI_STEP}: every story, the demo included`,
  'pnpm demo --keep': 'leaves a gateway running until Ctrl-C, for a person to explore',
  'pnpm --filter @handoff/examples run ads': STORY,
  'pnpm --filter @handoff/examples run retention': STORY,
  'pnpm --filter @handoff/examples run outcomes': STORY,
  'pnpm --filter @handoff/examples run policy-pack': STORY,
  'pnpm --filter @handoff/examples run mcp': STORY,
  'pnpm bench': BENCH,
  'pnpm bench:soak': BENCH,
  'pnpm --filter @handoff/bench cpu-profile': BENCH,
  'pnpm --filter @handoff/bench cli-startup': BENCH,
  'cd bench && npx tsx --conditions=@handoff/source src/lineage-only.ts': BENCH,
  'pnpm --filter @handoff/bench postgres': BENCH,
  'BENCH_ONLY=postgres pnpm bench': BENCH,
  'pnpm build':
    "rewrites every package's dist/, which `pnpm install` builds (prepare) and the install test checks",
  'pnpm check:packages': `${CI_STEP}: packs every package, then publint and arethetypeswrong`,
  'pnpm test:install': `${CI_STEP}: minutes long (npm installs on Node 20, 22 and 24)`,
  'pnpm changeset':
    'asks a person which packages changed (interactive), then writes .changeset/*.md',
  'pnpm changeset version':
    "a maintainer's release step: bumps versions and writes CHANGELOG.md files",
  'pnpm release': 'publishes to the npm registry',
  'node scripts/install-test/main.mjs --from-source':
    'the install test with every native module rebuilt from source: `pnpm test:install` is its CI step',
  'npm install @handoff/protocol': INSTALLED,
  'npm install --save-dev msw vitest': INSTALLED,
  'npm install @handoff/copilot-adapter': INSTALLED,
  'npm install @handoff/automation-adapter': INSTALLED,
  'npm install @handoff/gateway': INSTALLED,
  'npm install @handoff/mcp': INSTALLED,
  'npm install @handoff/lineage': INSTALLED,
  'npx handoff --help': INSTALLED,
  'node --cpu-prof': PROSE,
  'node --import tsx': PROSE,
  'node node_modules/vitest/vitest.mjs run --project examples': VITEST,
  'node node_modules/vitest/vitest.mjs run --project copilot-adapter': VITEST,
};

/** A `handoff …` reference in prose (a command name, often with placeholders): checked, not run. */
function isReference(command: ReadmeCommand): boolean {
  return /^(?:[A-Z][A-Z0-9_]*=\S+\s+)*handoff(\s|$)/.test(command.text);
}

/** A command with a placeholder (`…`, `<kid>`) shows a form, not a command line: checked, not run. */
function isTemplate(command: ReadmeCommand): boolean {
  return /…|<[\w-]+>/.test(command.text);
}

/** Whether this test runs `command`: not a reference, not a template, not in NOT_RUN. */
function isRun(command: ReadmeCommand): boolean {
  return !isReference(command) && !isTemplate(command) && !(command.text in NOT_RUN);
}

/** What a command printed and how it ended. */
interface Ran {
  code: number | null;
  out: string;
  err: string;
}

function collect(child: ChildProcess): Promise<Ran> {
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    err += c;
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err })));
}

/**
 * A fresh working copy: a folder with a copy of every top-level file of the repository (so a command rewriting
 * `package.json` or the lockfile changes the copy, never the repository) and a link to every top-level folder,
 * but what commands write.
 */
function workingCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'handoff-readme-'));
  const written = new Set([
    '.git',
    '.handoff',
    'keys',
    'handoff.config.yaml',
    'handoff.config.json',
  ]);
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (written.has(entry.name)) continue;
    if (entry.isFile()) copyFileSync(join(root, entry.name), join(dir, entry.name));
    else symlinkSync(join(root, entry.name), join(dir, entry.name));
  }
  return dir;
}

/**
 * `pnpm handoff gateway start --config handoff.config.yaml` of the gateway README, after its `keys generate` and
 * `keys api-key`: the config the README describes, made of what those two printed (the approver's kid, the API
 * key's entry), on port 0, with the policy fixture.
 */
function writeGatewayConfig(cwd: string, outputs: string[]): void {
  const all = outputs.join('\n');
  const kid = /^kid (\S+) \(EdDSA\)$/m.exec(all)?.[1];
  const entry = /^config entry: (\{.*\})$/m.exec(all)?.[1];
  if (kid === undefined || entry === undefined)
    throw new Error(`no kid or API key entry in:\n${all}`);
  const config = {
    gatewayId: 'gw-acme',
    database: { path: '.handoff/gateway.db' },
    listen: { host: '127.0.0.1', port: 0 },
    approvals: {
      approvers: [{ kid, subject: 'fiona.finance', tenantId: 'acme-bank', roles: ['finance'] }],
      keys: [{ type: 'file', path: 'keys/finance/jwks.json' }],
    },
    auth: { apiKeys: [JSON.parse(entry) as unknown] },
    policy: { file: POLICY_FILE },
  };
  writeFileSync(join(cwd, 'handoff.config.yaml'), stringify(config));
}

/** Commands that serve until stopped: prepared, started, awaited until they listen, asked for health, stopped. */
const SERVERS: Readonly<Record<string, (cwd: string, outputs: string[]) => void>> = {
  'pnpm handoff gateway start --config handoff.config.yaml': writeGatewayConfig,
};

async function serve(command: string, cwd: string): Promise<void> {
  const child = spawn('sh', ['-c', command], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ended = collect(child);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const listening = /listening on (http:\/\/\S+)/.exec(out);
      if (listening?.[1]) resolve(listening[1]);
    });
    void ended.then((ran) =>
      reject(new Error(`${command} ended (${ran.code}):\n${ran.out}\n${ran.err}`)),
    );
  });
  try {
    const health = await fetch(`${url}/health`);
    expect(health.status, command).toBe(200);
  } finally {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await ended;
  }
}

const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

describe('every README command works as written', () => {
  test('the READMEs are read and their commands found', () => {
    const files = new Set(commands.map((c) => c.file));
    for (const file of [
      'README.md',
      'CONTRIBUTING.md',
      'packages/gateway/README.md',
      'examples/README.md',
    ]) {
      expect(files).toContain(file);
    }
    expect(commands.some((c) => c.text.startsWith('pnpm handoff '))).toBe(true);
  });

  test('the working copy copies top-level files, so a command rewriting package.json leaves the repository alone', () => {
    const dir = workingCopy();
    try {
      for (const file of ['package.json', 'pnpm-lock.yaml']) {
        expect(lstatSync(join(dir, file)).isSymbolicLink(), file).toBe(false);
      }
      expect(lstatSync(join(dir, 'packages')).isSymbolicLink()).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('NOT_RUN names only commands some README shows', () => {
    const shown = new Set(commands.map((c) => c.text));
    expect(Object.keys(NOT_RUN).filter((c) => !shown.has(c))).toEqual([]);
  });

  test('every pnpm command names a script (or bin) that exists', () => {
    const problems = commands
      .map((c) => ({ at: `${c.file}:${c.line}`, problem: pnpmProblem(root, c.text) }))
      .filter((p) => p.problem !== undefined);
    expect(problems).toEqual([]);
  });

  test('every `handoff …` reference names a command, and options, the CLI has', async () => {
    const problems: string[] = [];
    for (const command of commands.filter(isReference)) {
      const helps = await Promise.all(
        handoffPaths(command.text).map((p) => runCli(...p, '--help')),
      );
      const text = helps.map((h) => h.out).join('\n');
      if (helps.some((h) => h.code !== EXIT.OK)) problems.push(`${command.text}: no such command`);
      for (const option of handoffOptions(command.text)) {
        if (!text.includes(option)) problems.push(`${command.text}: no option ${option}`);
      }
    }
    expect(problems).toEqual([]);
  });

  const runnable = [...new Set(commands.filter(isRun).map((c) => c.file))];
  test.each(runnable)(
    '%s: its commands run, in order, from a fresh working copy',
    async (file) => {
      const cwd = workingCopy();
      copies.push(cwd);
      const outputs: string[] = [];
      const texts = [
        ...new Set(commands.filter((c) => c.file === file && isRun(c)).map((c) => c.text)),
      ];
      for (const text of texts) {
        const prepare = SERVERS[text];
        if (prepare) {
          prepare(cwd, outputs);
          await serve(text, cwd);
          continue;
        }
        const ran = await collect(
          spawn('sh', ['-c', text], { cwd, stdio: ['ignore', 'pipe', 'pipe'] }),
        );
        expect(ran.code, `${file}: ${text}\n${ran.out}\n${ran.err}`).toBe(0);
        outputs.push(ran.out);
      }
    },
    120_000,
  );
});
