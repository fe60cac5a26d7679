import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { httpClient, refusal } from '../http/http-fixture.js';
import { startGatewayChild } from './cli-support.js';
import { freshPlan, type GatewayFolder, prepareGatewayFolder } from './e2e-setup.js';

const TIMEOUT = 60_000;
let folder: GatewayFolder | undefined;
afterAll(() => {
  if (folder) rmSync(folder.dir, { recursive: true, force: true });
});

test(
  'logLevel: warn keeps refusals and drops info lines (listening, submissions) from the gateway log',
  async () => {
    folder = await prepareGatewayFolder('https://api.hubapi.test');
    const config = parse(readFileSync(folder.configFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(folder.configFile, stringify({ ...config, logLevel: 'warn' }));
    const gw = await startGatewayChild(folder.configFile, 20_000, folder.env);
    try {
      const copilot = httpClient(gw.url, folder.apiKey.copilot);
      await copilot.plans.submit.mutate({ plan: freshPlan() });
      expect(
        await refusal(copilot.plans.submit.mutate({ plan: { planId: 'nope' } })),
      ).toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    } finally {
      expect(await gw.stop()).toBe(0);
    }
    const lines = gw
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; event?: string; msg: string });
    expect(lines.filter((l) => l.event === 'plan.submission_refused')).toMatchObject([
      { level: 40 },
    ]);
    expect(lines.filter((l) => l.level < 40)).toEqual([]);
  },
  TIMEOUT,
);
