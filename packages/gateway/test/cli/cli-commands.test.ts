import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApprovalClaimsSchema, planDigest } from '@handoff/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKeySource } from '../../src/approvals/key-source.js';
import { verifyApprovalToken } from '../../src/approvals/verify-approval.js';
import { ApiKeyEntrySchema, createApiKeyAuthenticator } from '../../src/auth/api-keys.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { systemClock } from '../../src/clock.js';
import {
  deniedPlanFile,
  invalidPlanDocument,
  POLICY_FILE,
  readFixturePlan,
  runCli,
  tempDir,
  VALID_PLAN_FILE,
  writeJson,
  writeText,
} from './cli-support.js';

/**
 * The `handoff` commands in process (`main(argv, io)` with a capturing io): plan validate and dry-run, keys
 * generate and api-key, approve. The exit codes across commands are checked in exit-codes.test.ts.
 */

let dir: string;
let configFile: string;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  dir = tempDir();
  configFile = join(dir, 'handoff.config.yaml');
  writeFileSync(
    configFile,
    [
      'gatewayId: gw-cli',
      'database: { path: ":memory:" }',
      'approvals: { keys: [{ type: inline, jwks: { keys: [] } }] }',
      'auth: { apiKeys: [] }',
      `policy: { file: ${JSON.stringify(POLICY_FILE)} }`,
      '',
    ].join('\n'),
  );
});

describe('plan validate', () => {
  test('a valid plan: exit 0 with its digest; --json parses', async () => {
    const digest = planDigest(readFixturePlan());
    const text = await runCli('plan', 'validate', VALID_PLAN_FILE);
    expect(text.code).toBe(EXIT.OK);
    expect(text.out).toContain(digest);
    const json = await runCli('plan', 'validate', VALID_PLAN_FILE, '--json');
    expect(JSON.parse(json.out)).toEqual({
      valid: true,
      planId: readFixturePlan().planId,
      digest,
    });
  });

  test('an invalid plan: exit 1 with its issues (text on stderr, or --json on stdout)', async () => {
    const { document, expected } = invalidPlanDocument('money-negative');
    const file = writeJson(dir, 'money-negative.json', document);
    const text = await runCli('plan', 'validate', file);
    expect(text.code).toBe(EXIT.REFUSED);
    expect(text.out).toBe('');
    for (const issue of expected) expect(text.err).toContain(`${issue.code} at ${issue.path}`);
    const json = await runCli('plan', 'validate', file, '--json');
    expect(json.code).toBe(EXIT.REFUSED);
    const parsed = JSON.parse(json.out) as { error: { code: string; issues: unknown[] } };
    expect(parsed.error.code).toBe('VALIDATION_FAILED');
    expect(parsed.error.issues).toEqual(
      expect.arrayContaining(expected.map((e) => expect.objectContaining(e))),
    );
  });

  test('an unsupported version: exit 1, UNSUPPORTED_VERSION', async () => {
    const file = writeJson(dir, 'v2.json', { ...readFixturePlan(), protocolVersion: '2.0' });
    const run = await runCli('plan', 'validate', file, '--json');
    expect(run.code).toBe(EXIT.REFUSED);
    expect(JSON.parse(run.out).error.code).toBe('UNSUPPORTED_VERSION');
  });
});

describe('plan dry-run --config', () => {
  test('a plan whose recommended option is not denied: exit 0, --json is the evaluation', async () => {
    const run = await runCli('plan', 'dry-run', VALID_PLAN_FILE, '--config', configFile, '--json');
    expect(run.code).toBe(EXIT.OK);
    const evaluation = JSON.parse(run.out) as { options: Record<string, { outcome: string }> };
    expect(evaluation.options['call-prior-successes']?.outcome).toBe('require_approval');
  });

  test('a denied plan: exit 1, the denying rule printed', async () => {
    const run = await runCli('plan', 'dry-run', deniedPlanFile(dir), '--config', configFile);
    expect(run.code).toBe(EXIT.REFUSED);
    expect(run.out).toContain('option call-prior-successes: deny');
    expect(run.out).toContain('approved-adapters');
  });
});

describe('keys generate', () => {
  test('writes a 0600 private key and a JWKS, and appends to the JWKS on a second run', async () => {
    const out = join(dir, 'keys');
    const first = await runCli('keys', 'generate', '--out', out, '--json');
    expect(first.code).toBe(EXIT.OK);
    const a = JSON.parse(first.out) as {
      kid: string;
      alg: string;
      privateKeyFile: string;
      jwksFile: string;
    };
    expect(a.alg).toBe('EdDSA');
    expect(statSync(a.privateKeyFile).mode & 0o777).toBe(0o600);
    const privateJwk = JSON.parse(readFileSync(a.privateKeyFile, 'utf8')) as {
      d: string;
      kid: string;
    };
    expect(privateJwk.kid).toBe(a.kid);
    expect(first.out).not.toContain(privateJwk.d);

    const second = await runCli(
      'keys',
      'generate',
      '--out',
      out,
      '--alg',
      'ES256',
      '--kid',
      'lead-2026',
      '--json',
    );
    expect(second.code).toBe(EXIT.OK);
    const b = JSON.parse(second.out) as { kid: string; jwksFile: string };
    expect(b).toMatchObject({ kid: 'lead-2026', jwksFile: a.jwksFile });
    const jwks = JSON.parse(readFileSync(a.jwksFile, 'utf8')) as {
      keys: { kid: string; d?: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toEqual([a.kid, 'lead-2026']);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });

  test('an existing JWKS that is not valid JSON is a configuration error (3)', async () => {
    const jwks = writeText(dir, 'broken-jwks.json', '{ not json');
    const run = await runCli('keys', 'generate', '--out', join(dir, 'k2'), '--jwks', jwks);
    expect(run.code).toBe(EXIT.CONFIG);
    expect(readFileSync(jwks, 'utf8')).toBe('{ not json');
  });
});

test('keys api-key prints the key once and a config entry that authenticates it', async () => {
  const run = await runCli(
    'keys',
    'api-key',
    '--id',
    'copilot-7',
    '--tenant',
    'acme-bank',
    '--roles',
    'copilot,auditor',
    '--json',
  );
  expect(run.code).toBe(EXIT.OK);
  const { apiKey, entry } = JSON.parse(run.out) as { apiKey: string; entry: unknown };
  const parsed = ApiKeyEntrySchema.parse(entry);
  expect(JSON.stringify(entry)).not.toContain(apiKey);
  expect(createApiKeyAuthenticator([parsed]).authenticate(apiKey)).toMatchObject({
    id: 'copilot-7',
    tenantId: 'acme-bank',
    roles: ['copilot', 'auditor'],
  });
  const unknownRole = await runCli(
    'keys',
    'api-key',
    '--id',
    'x',
    '--tenant',
    't',
    '--roles',
    'root',
  );
  expect(unknownRole.code).toBe(EXIT.REFUSED);
});

describe('approve', () => {
  let keyFile: string;
  let jwksFile: string;
  const facts = () => {
    const plan = readFixturePlan();
    return [
      '--plan-id',
      plan.planId,
      '--digest',
      planDigest(plan),
      '--policy-version',
      'sha256:'.padEnd(71, 'a'),
      '--option',
      plan.recommendedOptionId,
    ];
  };
  beforeAll(async () => {
    const made = await runCli('keys', 'generate', '--out', join(dir, 'approver'), '--json');
    ({ privateKeyFile: keyFile, jwksFile } = JSON.parse(made.out) as {
      privateKeyFile: string;
      jwksFile: string;
    });
  });

  test('prints a compact JWS that verifies against the JWKS, with the claims asked for', async () => {
    const args = [
      'approve',
      '--key',
      keyFile,
      ...facts(),
      '--role',
      'finance',
      '--sub',
      'fiona',
      '--aud',
      'gw-cli',
      '--max-spend',
      '700.00',
      '--currency',
      'EUR',
    ];
    const run = await runCli(...args);
    expect(run.code).toBe(EXIT.OK);
    const token = run.out.trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const verified = await verifyApprovalToken(token, {
      keys: createKeySource({ type: 'file', path: jwksFile }),
      audience: 'gw-cli',
      clock: systemClock,
    });
    expect(ApprovalClaimsSchema.parse(verified.claims)).toMatchObject({
      sub: 'fiona',
      role: 'finance',
      decision: 'approve',
      planId: readFixturePlan().planId,
      maxSpend: { amountMinor: 70_000, currency: 'EUR' },
    });
    expect(verified.claims.exp - verified.claims.iat).toBe(900);
    const json = await runCli(...args, '--json', '--ttl', '60', '--decision', 'reject');
    expect(Object.keys(JSON.parse(json.out))).toEqual(['token']);
  });

  test('refusals and their exit codes: missing facts 1, bad values 2, unreadable or public key 3', async () => {
    const base = [
      '--role',
      'finance',
      '--sub',
      'fiona',
      '--aud',
      'gw-cli',
      '--max-spend',
      '700.00',
      '--currency',
      'EUR',
    ];
    expect((await runCli('approve', '--key', keyFile, ...base)).code).toBe(EXIT.REFUSED);
    expect(
      (await runCli('approve', '--key', keyFile, ...facts(), ...base, '--ttl', 'soon')).code,
    ).toBe(EXIT.USAGE);
    expect(
      (await runCli('approve', '--key', keyFile, ...facts(), ...base, '--decision', 'maybe')).code,
    ).toBe(EXIT.USAGE);
    expect(
      (await runCli('approve', '--key', join(dir, 'missing.jwk.json'), ...facts(), ...base)).code,
    ).toBe(EXIT.CONFIG);
    expect((await runCli('approve', '--key', jwksFile, ...facts(), ...base)).code).toBe(
      EXIT.CONFIG,
    );
  });
});
