import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AutomationAdapter } from '@handoff/automation-adapter';
import {
  type Clock,
  createApprovalToken,
  createGatewayRuntime,
  type GatewayRuntime,
  generateApiKey,
  generateSigningKeyPair,
  hashApiKey,
  loadPolicySet,
  type Principal,
  policyVersion,
  type SigningKeyPair,
  validateConfig,
} from '@handoff/gateway';
import Database from 'better-sqlite3';
import { memoryAdapters } from './memory-adapter.js';
import { BENCH_GATEWAY_ID, BENCH_POLICY, OPTION, OPTION_COST_MINOR, TENANT } from './workload.js';

/** What a benchmark gateway is made of: its config (JSON-safe, for a child process) and the callers' secrets. */
export interface BenchSetup {
  config: Record<string, unknown>;
  copilotKey: string;
  approverKey: string;
  finance: SigningKeyPair;
}

/** A EUR monthly cap on the tenant of `limitMinor` (default: out of reach, so budget never refuses). */
export function tenantCap(limitMinor = 9_000_000_000_000) {
  return {
    capId: 'tenant-month',
    tenantId: TENANT,
    scope: { type: 'tenant', value: TENANT },
    period: 'month',
    limit: { amountMinor: limitMinor, currency: 'EUR' },
  };
}

/** Keys made now (an EdDSA finance approver), API keys for a copilot and an approver desk, one cap. */
export async function benchSetup(databasePath: string, capMinor?: number): Promise<BenchSetup> {
  const finance = await generateSigningKeyPair({ alg: 'EdDSA' });
  const copilotKey = generateApiKey();
  const approverKey = generateApiKey();
  const config = {
    gatewayId: BENCH_GATEWAY_ID,
    database: { path: databasePath },
    listen: { host: '127.0.0.1', port: 0 },
    approvals: {
      // The finance key, registered to fiona.finance in the approver registry.
      approvers: [
        {
          kid: finance.kid,
          subject: 'fiona.finance',
          tenantId: TENANT,
          roles: ['finance'],
          jwk: finance.publicJwk,
        },
      ],
    },
    auth: {
      apiKeys: [
        { id: 'copilot-1', tenantId: TENANT, roles: ['copilot'], keyHash: hashApiKey(copilotKey) },
        { id: 'desk-1', tenantId: TENANT, roles: ['approver'], keyHash: hashApiKey(approverKey) },
      ],
    },
    policy: { inline: BENCH_POLICY },
    caps: [tenantCap(capMinor)],
  };
  return { config, copilotKey, approverKey, finance };
}

/** A runtime of `setup` in this process, dispatching to `adapters`. */
export function benchRuntime(
  setup: BenchSetup,
  options: { clock?: Clock; adapters?: readonly AutomationAdapter[] } = {},
): Promise<GatewayRuntime> {
  return createGatewayRuntime(validateConfig(setup.config, process.cwd()), options);
}

/** The principals of the two callers (as the API-key authenticator makes them). */
export const COPILOT: Principal = {
  id: 'copilot-1',
  tenantId: TENANT,
  roles: ['copilot'],
  via: 'api_key',
};
export const APPROVER: Principal = {
  id: 'desk-1',
  tenantId: TENANT,
  roles: ['approver'],
  via: 'api_key',
};

/** A finance approval of the recommended option of a plan, for the plan's digest and policy version. */
export function financeApproval(
  setup: BenchSetup,
  plan: { planId: string; digest: string; policyVersion: string },
  clock?: Clock,
): Promise<string> {
  return createApprovalToken(
    {
      iss: 'bench',
      sub: 'fiona.finance',
      aud: BENCH_GATEWAY_ID,
      planId: plan.planId,
      planDigest: plan.digest as `sha256:${string}`,
      optionId: OPTION,
      policyVersion: plan.policyVersion,
      decision: 'approve',
      // The option's budget: an approval may narrow the maximum spend, never widen it.
      maxSpend: { amountMinor: OPTION_COST_MINOR, currency: 'EUR' },
      role: 'finance',
    },
    setup.finance.privateJwk,
    clock ? { clock } : {},
  );
}

/** The policy version (digest) of the benchmark policy, as the gateway computes it. */
export function benchPolicyVersion(): string {
  return policyVersion(loadPolicySet(JSON.stringify(BENCH_POLICY), 'json'));
}

/**
 * Reads a closed gateway's SQLite file with better-sqlite3 (read-only): the runtime holds a dialect-neutral
 * `GatewayStore`, so the bench inspects the file itself (row counts, page count) once the runtime is closed.
 */
export function readDatabase<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Removes a SQLite database file with its WAL and shared-memory files. */
export function removeDatabase(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

/**
 * A benchmark gateway in this process on `dir/name.db`: fresh keys, the benchmark policy, one tenant cap
 * (`capMinor`, default out of reach) and the in-memory platforms (`hubspot` is the one option 1 dispatches to).
 */
export async function benchGateway(dir: string, name: string, capMinor?: number) {
  const path = join(dir, `${name}.db`);
  const setup = await benchSetup(path, capMinor);
  const { hubspot, all } = memoryAdapters();
  const runtime = await benchRuntime(setup, { adapters: all });
  return { path, setup, hubspot, runtime };
}
