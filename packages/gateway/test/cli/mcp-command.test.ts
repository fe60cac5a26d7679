import { afterEach, expect, test, vi } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runCli } from './cli-support.js';

afterEach(() => vi.unstubAllEnvs());

test('handoff mcp without HANDOFF_API_KEY exits 3 naming the variable, and serves nothing', async () => {
  vi.stubEnv('HANDOFF_API_KEY', '');
  const run = await runCli('mcp', '--gateway', 'http://127.0.0.1:9');
  expect(run.code).toBe(EXIT.CONFIG);
  expect(run.err).toContain('HANDOFF_API_KEY');
  expect(run.out).toBe('');
});

test('handoff mcp takes no API key flag (it would show in ps and shell history): usage error', async () => {
  const run = await runCli('mcp', '--gateway', 'http://127.0.0.1:9', '--api-key', 'hk_x');
  expect(run.code).toBe(EXIT.USAGE);
});

test('handoff mcp needs --gateway', async () => {
  expect((await runCli('mcp')).code).toBe(EXIT.USAGE);
});
