import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HANDOFF_PROTOCOL_VERSION } from '@handoff/protocol';
import { afterAll, describe, expect, test } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runCli, tempDir, VALID_PLAN_FILE } from './cli-support.js';

/**
 * `handoff --help` and `--version` start fast because they load no command module: only commander and the CLI's
 * light modules (the command table, exit codes, io, version). Checked by running `main` in a child Node process
 * whose module hooks record every module it resolves (fixtures/record-imports.mjs). Speed itself is measured in
 * `pnpm bench` (bench/src/cli-startup.ts), never here.
 */

const here = new URL('.', import.meta.url).pathname;
const repoRoot = join(here, '../../../..');
const gatewayRoot = `${join(here, '../..')}/`;
const dir = tempDir('handoff-startup-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The light modules of src/cli/ that `--help` may load. */
const LIGHT = ['main.ts', 'command-table.ts', 'exit-codes.ts', 'io.ts', 'version.ts'];
/** Packages a `--help` must not load: the gateway's runtime. */
const HEAVY = [
  'better-sqlite3',
  'drizzle-orm',
  'jose',
  'pino',
  '@trpc/server',
  '@trpc/client',
  'zod',
];

interface Loaded {
  code: number;
  /** Package names loaded from node_modules. */
  packages: Set<string>;
  /** Files of the gateway package, relative to it (e.g. `src/cli/main.ts`). */
  gatewayFiles: Set<string>;
}

let runs = 0;

/** Runs `main(['node', 'handoff', ...args])` in a fresh Node process and returns what it loaded. */
function loadedBy(args: string[]): Promise<Loaded> {
  const record = join(dir, `imports-${++runs}.txt`);
  const script = `const { main } = await import(${JSON.stringify(`${gatewayRoot}src/cli/main.ts`)});
process.exitCode = await main(['node', 'handoff', ...JSON.parse(process.env.HANDOFF_ARGS)], { out() {}, err() {} });`;
  const nodeArgs = [
    '--conditions=@handoff/source',
    '--import',
    'tsx',
    '--import',
    join(here, 'fixtures/record-imports.mjs'),
    '--input-type=module',
    '--eval',
    script,
  ];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      nodeArgs,
      {
        cwd: repoRoot,
        env: { ...process.env, HANDOFF_RECORD_IMPORTS: record, HANDOFF_ARGS: JSON.stringify(args) },
        timeout: 30_000,
      },
      (error, _stdout, stderr) => {
        const code = error ? (error as { code?: unknown }).code : 0;
        if (typeof code !== 'number') return reject(new Error(`${String(error)}\n${stderr}`));
        const urls = readFileSync(record, 'utf8')
          .split('\n')
          .filter((u) => u.startsWith('file:'));
        const packages = new Set<string>();
        const gatewayFiles = new Set<string>();
        for (const url of urls) {
          const path = new URL(url).pathname;
          const inModules = path.lastIndexOf('/node_modules/');
          if (inModules >= 0) {
            const [scope = '', name = ''] = path.slice(inModules + 14).split('/');
            packages.add(scope.startsWith('@') ? `${scope}/${name}` : scope);
          } else if (path.startsWith(gatewayRoot)) {
            gatewayFiles.add(path.slice(gatewayRoot.length));
          }
        }
        resolve({ code, packages, gatewayFiles });
      },
    );
  });
}

describe('start-up: what --help and --version load', () => {
  test('--help loads commander and the light CLI modules only', async () => {
    const loaded = await loadedBy(['--help']);
    expect(loaded.code).toBe(EXIT.OK);
    expect([...loaded.packages]).toEqual(['commander']);
    expect([...loaded.gatewayFiles].sort()).toEqual(LIGHT.map((f) => `src/cli/${f}`).sort());
  });

  test('--version adds the protocol (for its version) and nothing of the gateway', async () => {
    const loaded = await loadedBy(['--version']);
    expect(loaded.code).toBe(EXIT.OK);
    expect([...loaded.gatewayFiles].every((f) => LIGHT.includes(f.replace('src/cli/', '')))).toBe(
      true,
    );
    for (const name of HEAVY.filter((n) => n !== 'zod'))
      expect(loaded.packages).not.toContain(name);
  });

  test('a command loads its own module and what it runs (the recorder sees imports)', async () => {
    const loaded = await loadedBy(['plan', 'validate', VALID_PLAN_FILE]);
    expect(loaded.code).toBe(EXIT.OK);
    expect(loaded.gatewayFiles).toContain('src/cli/commands/plan.ts');
    expect(loaded.gatewayFiles).not.toContain('src/cli/commands/lineage.ts');
    expect(loaded.packages).toContain('zod');
  });
});

describe('--version and lazily loaded help', () => {
  const { version } = JSON.parse(readFileSync(`${gatewayRoot}package.json`, 'utf8')) as {
    version: string;
  };

  test.each([['--version'], ['-V']])(
    '%s prints the gateway and protocol versions',
    async (flag) => {
      const run = await runCli(flag);
      expect(run.code).toBe(EXIT.OK);
      expect(run.out).toBe(`@handoff/gateway ${version} (protocol ${HANDOFF_PROTOCOL_VERSION})`);
    },
  );

  test('--help lists every command; `help plan` and `plan --help` list its subcommands', async () => {
    const root = await runCli('--help');
    for (const name of [
      'gateway',
      'config',
      'keys',
      'approve',
      'approvers',
      'plan',
      'lineage',
      'dispatch',
      'copilots',
      'mcp',
      'db',
    ]) {
      expect(root.out).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
    expect(root.out).toContain('-V, --version');
    for (const args of [
      ['help', 'plan'],
      ['plan', '--help'],
    ]) {
      const run = await runCli(...args);
      expect(run.code).toBe(EXIT.OK);
      expect(run.out).toContain('Usage: handoff plan');
      expect(run.out).toMatch(/validate \[options\] <file>/);
    }
  });
});
