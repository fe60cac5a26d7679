import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { runBin, startGatewayChild } from './cli-support.js';
import { type GatewayFolder, prepareGatewayFolder } from './e2e-setup.js';

/**
 * Issue 19, "fail fast": `handoff gateway start` as a real child process with one broken thing in an otherwise
 * working config. Each run must end by itself (`runBin` gives up after 20 s, which fails the test) with exit 3
 * (`EXIT.CONFIG`), name the problem at its JSON path, and leave no database (nor its folder or lock) behind.
 */

const TIMEOUT = 60_000;
let folder: GatewayFolder;
let base: Record<string, unknown>;
let busy: Server;
let busyPort: number;

beforeAll(async () => {
  folder = await prepareGatewayFolder('http://127.0.0.1:9');
  base = parse(readFileSync(folder.configFile, 'utf8')) as Record<string, unknown>;
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
}, TIMEOUT);

afterAll(async () => {
  await new Promise((resolve) => busy?.close(resolve));
  if (folder) rmSync(folder.dir, { recursive: true, force: true });
});

/**
 * Writes the base config with `change` applied, and runs `handoff gateway start` (or `command`) on it to
 * completion.
 */
async function startBroken(
  name: string,
  change: (config: Record<string, unknown>) => void,
  env: Record<string, string | undefined> = folder.env,
  command = ['gateway', 'start'],
) {
  const config = structuredClone(base);
  config.database = { path: `${name}/gateway.db` };
  change(config);
  const file = join(folder.dir, `${name}.config.yaml`);
  writeFileSync(file, stringify(config));
  const run = await runBin([...command, '--config', file], {
    HUBSPOT_TOKEN: undefined,
    ...env,
  });
  // Neither the database, nor its folder, nor its writer lock was created.
  expect(existsSync(join(folder.dir, name))).toBe(false);
  return run;
}

describe('gateway start refuses a broken configuration before creating anything', () => {
  test(
    'an adapter environment variable that is unset: exit 3, ENV_MISSING at its path',
    async () => {
      const run = await startBroken('no-env', () => undefined, {});
      expect(run.code, run.err).toBe(3);
      expect(run.err).toContain('error CONFIG_INVALID');
      expect(run.err).toMatch(/ENV_MISSING at \/adapters\/0\/accessTokenEnv/);
      expect(run.err).toContain('HUBSPOT_TOKEN');
    },
    TIMEOUT,
  );

  test(
    'a checkpoint key file that does not exist: exit 3, at /checkpoints/keyFile',
    async () => {
      const run = await startBroken('no-checkpoint-key', (config) => {
        config.checkpoints = { keyFile: 'keys/checkpoint-missing.json' };
      });
      expect(run.code, run.err).toBe(3);
      expect(run.err).toMatch(/at \/checkpoints\/keyFile/);
      expect(run.err).toContain('checkpoint-missing.json');
    },
    TIMEOUT,
  );

  test(
    "the approvers' key file that does not exist: exit 3 at start, not at the first approval",
    async () => {
      const run = await startBroken('no-approver-keys', (config) => {
        config.approvals = {
          ...(config.approvals as object),
          keys: [{ type: 'file', path: 'keys/gone.json' }],
        };
      });
      expect(run.code, run.err).toBe(3);
      expect(run.err).toMatch(/FILE_UNREADABLE at \/approvals\/keys\/0\/path/);
      expect(run.err).toContain('gone.json');
    },
    TIMEOUT,
  );

  test(
    'a port already in use: exit 3, PORT_IN_USE at /listen/port (not INTERNAL: listen EADDRINUSE)',
    async () => {
      const run = await startBroken('port-in-use', (config) => {
        config.listen = { host: '127.0.0.1', port: busyPort };
      });
      expect(run.code, run.err).toBe(3);
      expect(run.err).toMatch(/PORT_IN_USE at \/listen\/port/);
      expect(run.err).toContain(String(busyPort));
      expect(run.err).not.toContain('INTERNAL');
    },
    TIMEOUT,
  );

  test(
    'every problem at once is reported, each at its path',
    async () => {
      const run = await startBroken(
        'all-broken',
        (config) => {
          config.checkpoints = { keyFile: 'keys/checkpoint-missing.json' };
          config.listen = { host: '127.0.0.1', port: busyPort };
        },
        {},
      );
      expect(run.code, run.err).toBe(3);
      for (const path of ['/adapters/0/accessTokenEnv', '/checkpoints/keyFile', '/listen/port']) {
        expect(run.err).toContain(`at ${path}`);
      }
    },
    TIMEOUT,
  );
});

describe('handoff config validate runs the same checks without starting', () => {
  test(
    'a working config: exit 0, valid, and no database created',
    async () => {
      const run = await startBroken('valid', () => undefined, folder.env, ['config', 'validate']);
      expect(run.code, run.err).toBe(0);
      expect(run.out).toContain('is valid (gateway gw-e2e)');
    },
    TIMEOUT,
  );

  test(
    'a broken config: exit 3, every problem at its path (--json), and no database created',
    async () => {
      const run = await startBroken(
        'validate-broken',
        (config) => {
          config.listen = { host: '127.0.0.1', port: busyPort };
        },
        {},
        ['config', 'validate', '--json'],
      );
      expect(run.code, run.out).toBe(3);
      const { error } = JSON.parse(run.out) as {
        error: { code: string; issues: { path: string; code: string }[] };
      };
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.issues.map((i) => [i.path, i.code])).toEqual([
        ['/adapters/0/accessTokenEnv', 'ENV_MISSING'],
        ['/listen/port', 'PORT_IN_USE'],
      ]);
    },
    TIMEOUT,
  );
});

describe('a failure after the database is open closes it', () => {
  test(
    'an approver the registry knows under another subject: exit 3, APPROVER_REGISTRY_CONFLICT, the process ends',
    async () => {
      const file = join(folder.dir, 'conflict.config.yaml');
      const config = structuredClone(base);
      config.database = { path: 'conflict/gateway.db' };
      writeFileSync(file, stringify(config));
      const first = await startGatewayChild(file, 20_000, folder.env);
      expect(await first.stop()).toBe(0);
      const approvals = config.approvals as { approvers: { subject: string }[] };
      const [finance] = approvals.approvers;
      if (finance) finance.subject = 'someone.else';
      writeFileSync(file, stringify(config));
      // runBin fails the test if the process is still running after 20 s (a store or WAL thread left open).
      const run = await runBin(['gateway', 'start', '--config', file], folder.env);
      expect(run.code, run.err).toBe(3);
      expect(run.err).toContain('error APPROVER_REGISTRY_CONFLICT');
      // The writer lock was released: the database opens again once the config agrees.
      if (finance) finance.subject = 'fiona.finance';
      writeFileSync(file, stringify(config));
      const again = await startGatewayChild(file, 20_000, folder.env);
      expect(await again.stop()).toBe(0);
    },
    TIMEOUT,
  );
});
