import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import type { GatewayError } from '../../src/errors.js';
import { checkStartup } from '../../src/startup-checks.js';
import { fixturePolicy } from '../support/harness.js';

/** `checkStartup` in process: each problem at its own JSON path, and nothing reported for a sound config. */

const dir = mkdtempSync(join(tmpdir(), 'handoff-checks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loaded(extra: Record<string, unknown>) {
  return validateConfig(
    {
      gatewayId: 'gw-checks',
      database: { path: 'never-created.db' },
      approvals: {},
      auth: { apiKeys: [] },
      policy: { inline: fixturePolicy() },
      ...extra,
    },
    dir,
  );
}

async function issuesOf(extra: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  try {
    await checkStartup(loaded(extra), { env });
  } catch (error) {
    const e = error as GatewayError;
    expect(e.code).toBe('CONFIG_INVALID');
    return e.issues.map((i) => [i.path, i.code]);
  }
  return [];
}

describe('checkStartup', () => {
  test('a sound config passes and creates nothing', async () => {
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [] }));
    const extra = {
      approvals: { keys: [{ type: 'file', path: 'jwks.json' }] },
      adapters: [{ type: 'hubspot', accessTokenEnv: 'HS_TOKEN' }],
    };
    expect(await issuesOf(extra, { HS_TOKEN: 'pat-test' })).toEqual([]);
    expect(existsSync(join(dir, 'never-created.db'))).toBe(false);
  });

  test('a suppression list that is missing or not hashes, and a notification secret that is unset', async () => {
    expect(await issuesOf({ suppressionLists: [{ id: 'dnc', file: 'missing.txt' }] })).toEqual([
      ['/suppressionLists/0/file', 'UNREADABLE'],
    ]);
    writeFileSync(join(dir, 'clear.txt'), 'someone@example.com\n');
    expect(await issuesOf({ suppressionLists: [{ id: 'dnc', file: 'clear.txt' }] })).toEqual([
      ['/suppressionLists/0/file', 'UNREADABLE'],
    ]);
    const notifications = {
      receivers: [
        { id: 'r', url: 'https://hooks.example.test/n', signingSecretEnv: 'NOTIFY_SECRET' },
      ],
    };
    expect(await issuesOf({ notifications })).toEqual([
      ['/notifications/receivers/0/signingSecretEnv', 'MISSING_SECRET'],
    ]);
    const secret = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    expect(await issuesOf({ notifications }, { NOTIFY_SECRET: secret })).toEqual([]);
  });

  test('the second adapter is reported at its own index', async () => {
    const extra = {
      adapters: [
        { type: 'hubspot', accessTokenEnv: 'HS_TOKEN' },
        { type: 'webhook', id: 'hook', signingSecretEnv: 'HOOK_SECRET' },
      ],
    };
    expect(await issuesOf(extra, { HS_TOKEN: 'pat-test' })).toEqual([
      ['/adapters/1/signingSecretEnv', 'ENV_MISSING'],
    ]);
  });

  test('a key file that is not a JWK Set, and a provenance key file that is missing', async () => {
    writeFileSync(join(dir, 'not-jwks.json'), '{"kty":"OKP"}');
    const extra = {
      approvals: { keys: [{ type: 'file', path: 'not-jwks.json' }] },
      provenance: { copilotKeys: [{ type: 'file', path: 'copilot-missing.json' }] },
    };
    expect(await issuesOf(extra)).toEqual([
      ['/approvals/keys/0/path', 'KEY_FILE_INVALID'],
      ['/provenance/copilotKeys/0/path', 'FILE_UNREADABLE'],
    ]);
  });
});
