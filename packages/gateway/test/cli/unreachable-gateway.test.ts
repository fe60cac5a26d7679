import { createServer } from 'node:net';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli } from './cli-support.js';

/** Issue 19: a gateway that cannot be reached is reported with its URL, not as `error INTERNAL: fetch failed`. */

let url: string;

beforeAll(async () => {
  // A port that was just free: nothing listens on it.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  url = `http://127.0.0.1:${port}`;
});

describe('an unreachable gateway', () => {
  test('is named with its URL and the reason, exit 4', async () => {
    const run = await runCli('lineage', 'query', '--url', url, '--api-key', 'hk_test_unused');
    expect(run.code).toBe(4);
    expect(run.err).toBe(
      `error GATEWAY_UNREACHABLE: Cannot reach the gateway at ${url} (ECONNREFUSED): is it running, and is the URL right?`,
    );
    expect(run.err).not.toContain('fetch failed');
    expect(run.err).not.toContain('hk_test_unused');
  });

  test('--json prints the same as a structured error', async () => {
    const run = await runCli('plan', 'get', 'no-plan', '--url', url, '--api-key', 'k', '--json');
    expect(run.code).toBe(4);
    expect(JSON.parse(run.out)).toEqual({
      error: {
        code: 'GATEWAY_UNREACHABLE',
        message: expect.stringContaining(`Cannot reach the gateway at ${url}`),
        issues: [],
      },
    });
  });
});
