import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { adaptersFromConfig } from '../../src/dispatch/adapters-config.js';
import { createGatewayRuntime } from '../../src/runtime.js';
import { fixturePolicy } from '../support/harness.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const LOCAL_HOOK = {
  type: 'call_webhook' as const,
  actionId: 'notify',
  adapter: 'webhook',
  estimatedCost: { amountMinor: 0, currency: 'EUR' as const },
  params: { url: 'https://localhost./hook', eventType: 'plan.approved', data: {} },
};

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('allowPrivateNetworks in the adapters config', () => {
  test('off by default: a loopback webhook is PRIVATE_HOST; on: it validates', () => {
    const env = { SECRET };
    const [closed] = adaptersFromConfig([{ type: 'webhook', signingSecretEnv: 'SECRET' }], env);
    const refused = closed?.validate(LOCAL_HOOK);
    expect(refused?.ok === false && refused.issues[0]?.code).toBe('PRIVATE_HOST');
    const [open] = adaptersFromConfig(
      [{ type: 'webhook', signingSecretEnv: 'SECRET', allowPrivateNetworks: true }],
      env,
    );
    expect(open?.validate(LOCAL_HOOK)).toEqual({ ok: true });
  });

  test('the gateway warns at start about each adapter that opts in, and only those', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'handoff-private-'));
    dirs.push(dir);
    const loaded = validateConfig(
      {
        gatewayId: 'gw-private',
        database: { path: join(dir, 'gateway.db') },
        approvals: {},
        auth: { apiKeys: [] },
        policy: { inline: fixturePolicy() },
        adapters: [
          {
            type: 'webhook',
            id: 'intranet',
            signingSecretEnv: 'SECRET',
            allowPrivateNetworks: true,
          },
          { type: 'webhook', id: 'public', signingSecretEnv: 'SECRET' },
        ],
      },
      dir,
    );
    const warnings: Record<string, unknown>[] = [];
    const logger = {
      info: () => undefined,
      error: () => undefined,
      warn: (facts: Record<string, unknown>) => warnings.push(facts),
    };
    const runtime = await createGatewayRuntime(loaded, { env: { SECRET }, logger });
    await runtime.close();
    expect(warnings).toEqual([{ event: 'config.private_networks_allowed', adapter: 'intranet' }]);
  });
});
