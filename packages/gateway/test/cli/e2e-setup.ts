import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GENESIS_HASH,
  type HandoffPlan,
  type LineageEvent,
  lineageEventHash,
} from '@handoff/protocol';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import { POLICY_FILE, readFixturePlan, runCli, tempDir } from './cli-support.js';

export const E2E_GATEWAY_ID = 'gw-e2e';

/**
 * The fixture with `createdAt`/`expiresAt` moved to now and now + 7 days (nothing else changed): the gateway child
 * runs on the real clock, and the fixture's fixed expiry would make the test fail once that date has passed.
 */
export function freshPlan(planId?: string): HandoffPlan {
  const now = Math.floor(Date.now() / 1000) * 1000;
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return {
    ...readFixturePlan(),
    ...(planId ? { planId } : {}),
    createdAt: iso(now - 60_000),
    expiresAt: iso(now + 7 * 86_400_000),
  };
}

/** Every event's hash recomputes and links to the previous one of its plan or tenant chain, from the genesis hash, with no gap in `seq`. */
export function expectIntactChain(events: LineageEvent[]): void {
  const heads = new Map<string, { seq: number; hash: string }>();
  for (const event of events) {
    const key = `${event.chain}:${event.tenantId}:${event.planId ?? ''}`;
    const before = heads.get(key) ?? { seq: 0, hash: GENESIS_HASH };
    expect(event.seq).toBe(before.seq + 1);
    expect(event.prevHash).toBe(before.hash);
    expect(lineageEventHash(event)).toBe(event.hash);
    heads.set(key, { seq: event.seq, hash: event.hash });
  }
}

/** A gateway folder made with the CLI, ready for `handoff gateway start --config <configFile>`. */
export interface GatewayFolder {
  dir: string;
  configFile: string;
  /** Private JWK files of the two approvers (EdDSA finance, ES256 marketing lead). */
  keyFile: { finance: string; marketing: string };
  /** API keys of acme-bank's copilot, approver and auditor. */
  apiKey: { copilot: string; approver: string; auditor: string };
  /** What the gateway process needs in its environment: the HubSpot token the config names. */
  env: Record<string, string>;
}

/** The HubSpot private-app token of the e2e gateway (a test value, passed to the child by environment). */
export const E2E_HUBSPOT_TOKEN = 'pat-e2e-test-token';

/**
 * Makes a temporary folder holding approver keys (`handoff keys generate`, both public keys in `keys/jwks.json`),
 * API keys (`handoff keys api-key`, only their hashes in the config) and `handoff.config.yaml`: the JWKS file, the
 * policy fixture by absolute path, a EUR 5,000.00 monthly cap, a SQLite file in `data/` (not created beforehand),
 * `listen` on 127.0.0.1, port 0, and a HubSpot adapter at `hubspotUrl` (a fake served by the test) whose token
 * comes from the `HUBSPOT_TOKEN` environment variable.
 */
export async function prepareGatewayFolder(hubspotUrl: string): Promise<GatewayFolder> {
  const dir = tempDir('handoff-e2e-');
  const keyFile = { finance: '', marketing: '' };
  const approvers: unknown[] = [];
  const identities = {
    finance: { subject: 'fiona.finance', roles: ['finance'] },
    marketing: { subject: 'mark.lead', roles: ['marketing_lead'] },
  };
  for (const [who, alg] of [
    ['finance', 'EdDSA'],
    ['marketing', 'ES256'],
  ] as const) {
    const made = await runCli(
      'keys',
      'generate',
      '--alg',
      alg,
      '--out',
      join(dir, 'keys'),
      '--json',
    );
    expect(made.code, made.err).toBe(0);
    const { privateKeyFile, kid } = JSON.parse(made.out) as { privateKeyFile: string; kid: string };
    keyFile[who] = privateKeyFile;
    // Registered by kid: the gateway reads the public key from keys/jwks.json at start-up and pins it.
    approvers.push({ kid, tenantId: 'acme-bank', ...identities[who] });
  }
  const apiKey = { copilot: '', approver: '', auditor: '' };
  const entries: unknown[] = [];
  for (const role of ['copilot', 'approver', 'auditor'] as const) {
    const made = await runCli(
      'keys',
      'api-key',
      '--id',
      `${role}-1`,
      '--tenant',
      'acme-bank',
      '--roles',
      role,
      '--json',
    );
    expect(made.code, made.err).toBe(0);
    const { apiKey: key, entry } = JSON.parse(made.out) as { apiKey: string; entry: unknown };
    apiKey[role] = key;
    entries.push(entry);
  }
  const configFile = join(dir, 'handoff.config.yaml');
  const config = {
    gatewayId: E2E_GATEWAY_ID,
    database: { path: 'data/gateway.db' },
    listen: { host: '127.0.0.1', port: 0 },
    approvals: { keys: [{ type: 'file', path: 'keys/jwks.json' }], approvers },
    auth: { apiKeys: entries },
    policy: { file: POLICY_FILE },
    adapters: [{ type: 'hubspot', accessTokenEnv: 'HUBSPOT_TOKEN', baseUrl: hubspotUrl }],
    dispatch: { intervalMs: 50 },
    caps: [
      {
        capId: 'tenant-month',
        tenantId: 'acme-bank',
        scope: { type: 'tenant', value: 'acme-bank' },
        period: 'month',
        limit: { amountMinor: 500_000, currency: 'EUR' },
      },
    ],
  };
  writeFileSync(configFile, stringify(config));
  return { dir, configFile, keyFile, apiKey, env: { HUBSPOT_TOKEN: E2E_HUBSPOT_TOKEN } };
}
