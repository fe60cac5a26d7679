import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { type HttpGateway, startHttpGateway } from '../http/http-fixture.js';
import {
  deniedPlanFile,
  readFixturePlan,
  runCli,
  tempDir,
  VALID_PLAN_FILE,
  writeJson,
  writeText,
} from './cli-support.js';

/**
 * The exit codes table of src/cli/exit-codes.ts is honoured across commands: 0 success, 1 the input was checked
 * and refused (locally or by a gateway), 2 usage, 3 configuration, 4 runtime (unreachable gateway, I/O).
 */

let dir: string;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  dir = tempDir();
});

test('the exit codes table is the documented one', () => {
  expect(EXIT).toEqual({ OK: 0, REFUSED: 1, USAGE: 2, CONFIG: 3, RUNTIME: 4, IN_USE: 5 });
});

describe('usage errors exit 2, --help exits 0', () => {
  test.each([
    [['nope']],
    [['plan', 'validate']],
    [['plan', 'validate', VALID_PLAN_FILE, '--no-such-option']],
    [['plan', 'dry-run', VALID_PLAN_FILE]],
    [['keys', 'generate']],
    [['keys', 'generate', '--out', '/tmp/x', '--alg', 'RS256']],
    [['lineage', 'query', '--url', 'http://127.0.0.1:1', '--limit', 'many']],
  ])('handoff %s', async (args) => {
    const run = await runCli(...args);
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.err).toMatch(/^error: /);
  });

  test('handoff --help', async () => {
    const run = await runCli('--help');
    expect(run.code).toBe(EXIT.OK);
    expect(run.out).toContain('Usage: handoff');
  });
});

describe('configuration errors exit 3', () => {
  test.each([
    ['a missing file', () => join(dir, 'absent.yaml'), ''],
    ['invalid YAML', () => writeText(dir, 'bad.yaml', 'gatewayId: [unclosed\n'), ''],
    ['a schema error', () => writeJson(dir, 'schema.json', { gatewayId: 'gw' }), '/database'],
  ])('%s', async (_name, file, path) => {
    const run = await runCli('plan', 'dry-run', VALID_PLAN_FILE, '--config', file(), '--json');
    expect(run.code).toBe(EXIT.CONFIG);
    const { error } = JSON.parse(run.out) as {
      error: { code: string; issues: { path: string }[] };
    };
    expect(error.code).toBe('CONFIG_INVALID');
    if (path) expect(error.issues.map((i) => i.path)).toContain(path);
  });

  test('gateway start with a bad config exits 3 without listening', async () => {
    const run = await runCli('gateway', 'start', '--config', join(dir, 'absent.yaml'));
    expect(run.code).toBe(EXIT.CONFIG);
    expect(run.err).toContain('CONFIG_INVALID');
  });
});

describe('talking to a gateway: refusals exit 1, an unreachable gateway 4', () => {
  let gw: HttpGateway;
  beforeAll(async () => {
    gw = await startHttpGateway();
  });
  afterAll(() => gw?.close());

  test('plan submit then plan get: 0; an unknown key or a denied plan: 1', async () => {
    const key = gw.callers.acme.copilot.apiKey;
    const submitted = await runCli(
      'plan',
      'submit',
      VALID_PLAN_FILE,
      '--url',
      gw.url,
      '--api-key',
      key,
      '--json',
    );
    expect(submitted.code).toBe(EXIT.OK);
    expect(JSON.parse(submitted.out)).toMatchObject({ state: 'awaiting_approval', created: true });
    const got = await runCli(
      'plan',
      'get',
      readFixturePlan().planId,
      '--url',
      gw.url,
      '--api-key',
      key,
    );
    expect(got.code).toBe(EXIT.OK);
    expect(got.out.split('\n')[0]).toMatch(
      new RegExp(`^plan ${readFixturePlan().planId}: awaiting_approval, deadline `),
    );
    const unknown = await runCli(
      'plan',
      'get',
      readFixturePlan().planId,
      '--url',
      gw.url,
      '--api-key',
      'hk_unknown',
      '--json',
    );
    expect(unknown.code).toBe(EXIT.REFUSED);
    expect(JSON.parse(unknown.out).error.code).toBe('UNAUTHENTICATED');
    const deniedId = '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6f71';
    const rejected = await runCli(
      'plan',
      'submit',
      deniedPlanFile(dir, deniedId),
      '--url',
      gw.url,
      '--api-key',
      key,
    );
    expect([rejected.code, rejected.out]).toEqual([
      EXIT.REFUSED,
      `plan ${deniedId}: rejected (POLICY_DENIED)`,
    ]);
  });

  test('a plan file that is not JSON is refused (1) before any request', async () => {
    const file = writeText(dir, 'not-json.json', 'plan: yes');
    const run = await runCli(
      'plan',
      'submit',
      file,
      '--url',
      'http://127.0.0.1:1',
      '--api-key',
      'hk_x',
    );
    expect(run.code).toBe(EXIT.REFUSED);
  });

  test('an unreachable gateway or an unreadable file: 4', async () => {
    expect(
      (
        await runCli(
          'plan',
          'get',
          readFixturePlan().planId,
          '--url',
          'http://127.0.0.1:1',
          '--api-key',
          'hk_x',
        )
      ).code,
    ).toBe(EXIT.RUNTIME);
    expect((await runCli('plan', 'validate', join(dir, 'absent.json'))).code).toBe(EXIT.RUNTIME);
  });
});
