import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { generateApiKey, hashApiKey } from '../../src/auth/api-keys.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { validateConfig } from '../../src/config/load-config.js';
import { isGatewayError } from '../../src/errors.js';
import { createGatewayRuntime, type GatewayRuntime } from '../../src/runtime.js';
import { runCli, writeJson } from '../cli/cli-support.js';
import { fixturePolicy } from '../support/harness.js';

/**
 * `createGatewayRuntime` holds its database file's writer lock from before the migrations until `close`: a second
 * runtime on the file is refused `DATABASE_IN_USE` (and `handoff gateway start` exits 5) having written nothing; a
 * runtime that fails to start, or is closed, leaves the file to the next one.
 */

let dir: string;
const open: GatewayRuntime[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handoff-runtime-lock-'));
});
afterEach(async () => {
  for (const runtime of open.splice(0)) await runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

async function config(gatewayId: string, extra: Record<string, unknown> = {}) {
  const approver = await generateSigningKeyPair({ alg: 'EdDSA' });
  return {
    gatewayId,
    database: { path: 'data/gateway.db' },
    approvals: { keys: [{ type: 'inline', jwks: { keys: [approver.publicJwk] } }] },
    auth: {
      apiKeys: [
        {
          id: 'auditor-1',
          tenantId: 'acme-bank',
          roles: ['auditor'],
          keyHash: hashApiKey(generateApiKey()),
        },
      ],
    },
    policy: { inline: fixturePolicy() },
    ...extra,
  };
}

async function start(gatewayId: string, extra: Record<string, unknown> = {}) {
  const runtime = await createGatewayRuntime(validateConfig(await config(gatewayId, extra), dir));
  open.push(runtime);
  return runtime;
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => new Error('the second gateway started'),
    (e: unknown) => e,
  );
  if (!isGatewayError(error, 'DATABASE_IN_USE')) throw error;
  return error;
}

describe('one gateway runtime per database file', () => {
  test('a second runtime is refused DATABASE_IN_USE naming the first; after close it starts', async () => {
    const first = await start('gw-first');
    const refused = await refusal(start('gw-second'));
    expect(refused.message).toMatch(
      /gateway 'gw-first' \(pid \d+ on host .+, since \d{4}-\d\d-\d\dT/,
    );
    // The first one still writes.
    await first.store.transaction(async (tx) => tx.getCaps('acme-bank'));
    await first.close();
    open.splice(open.indexOf(first), 1);
    await expect(start('gw-second')).resolves.toBeDefined();
  });

  test('a runtime that fails after taking the lock leaves the file to the next one', async () => {
    await expect(start('gw-broken', { checkpoints: { keyFile: 'missing.jwk' } })).rejects.toThrow();
    await expect(start('gw-next')).resolves.toBeDefined();
  });

  test('handoff gateway start on a held file exits 5 and names the holder', async () => {
    await start('gw-holder');
    const file = writeJson(dir, 'second.json', await config('gw-second'));
    const run = await runCli('gateway', 'start', '--config', file);
    expect(run.code).toBe(EXIT.IN_USE);
    expect(run.err).toContain('error DATABASE_IN_USE');
    expect(run.err).toContain(`gateway 'gw-holder' (pid ${process.pid}`);
  });
});
