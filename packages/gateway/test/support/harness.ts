import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AutomationAdapter } from '@handoff/automation-adapter';
import type { HandoffPlan, Money } from '@handoff/protocol';
import { createApprovalToken } from '../../src/approvals/create-approval.js';
import { generateSigningKeyPair, type SigningKeyPair } from '../../src/approvals/signing-keys.js';
import { generateApiKey, hashApiKey } from '../../src/auth/api-keys.js';
import type { Principal, Role } from '../../src/auth/principal.js';
import { ManualClock } from '../../src/clock.js';
import { validateConfig } from '../../src/config/load-config.js';
import { loadPolicySet, type PolicySet } from '../../src/policy/policy-set.js';
import { createGatewayRuntime, type GatewayRuntime } from '../../src/runtime.js';
import { optionBudget } from './option-budget.js';

/** The maxSpend a test signs for an option its plan does not have. */
const EUR_1000: Money = { amountMinor: 100_000, currency: 'EUR' };

const here = new URL('.', import.meta.url).pathname;
const PLAN_FIXTURE = join(
  here,
  '../../../protocol/conformance/v1/HandoffPlan/valid/term-deposit-two-options.json',
);
const POLICY_FIXTURE = join(here, '../policy/fixtures/marketing-default.yaml');

/** The tenant of the test fixtures, and another one that must never see its data. */
export const TENANT = 'acme-bank';
export const OTHER_TENANT = 'globex';
export const GATEWAY_ID = 'gw-test';

/** A fresh deep copy of the valid two-option plan fixture (EUR; option 1 costs 645.00, option 2 185.25). */
export function fixturePlan(): HandoffPlan {
  return JSON.parse(readFileSync(PLAN_FIXTURE, 'utf8')) as HandoffPlan;
}

/** The marketing-default policy set used by the policy tests. */
export function fixturePolicy(): PolicySet {
  return loadPolicySet(readFileSync(POLICY_FIXTURE, 'utf8'));
}

/** A caller with its API key. */
export interface TestCaller {
  principal: Principal;
  apiKey: string;
}

function caller(id: string, tenantId: string, roles: Role[]): TestCaller & { entry: object } {
  const apiKey = generateApiKey();
  return {
    apiKey,
    principal: { id, tenantId, roles, via: 'api_key' },
    entry: { id, tenantId, roles, keyHash: hashApiKey(apiKey) },
  };
}

/** Options of {@link createHarness}. */
export interface HarnessOptions {
  policy?: PolicySet;
  caps?: unknown[];
  onPause?: 'keep' | 'release';
  databasePath?: string;
  /** Approver keys to reuse (e.g. to reopen the same database with the same approvers); fresh ones otherwise. */
  keys?: Partial<HarnessKeys>;
  /** Extra `approvals.approvers` entries (registered beside the default ones). */
  approvers?: unknown[];
  /** Adapters the runtime's dispatcher sends to (none by default). */
  adapters?: readonly AutomationAdapter[];
  /** The config's `dispatch` section (retries, circuit breaker). */
  dispatch?: Record<string, number>;
  /** The config's `provenance` section (copilot keys for plan signatures). */
  provenance?: Record<string, unknown>;
  /** The config's `rollback` section (approvals a rollback needs). */
  rollback?: Record<string, unknown>;
  /** The config's `outcomeGuardrail` section. */
  outcomeGuardrail?: Record<string, unknown>;
  /** More top-level config sections (e.g. `shadowPolicy`, `suppressionLists`, `notifications`). */
  config?: Record<string, unknown>;
  /** The runtime's environment (secrets named by the config) and HTTP client. */
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

/**
 * The approver keys of a harness. Registered in {@link TENANT}: `finance` -> `fiona.finance` [finance],
 * `marketing` -> `mark.lead` [marketing_lead], `fred` -> `fred.finance` [finance], `mary` -> `mary.lead`
 * [marketing_lead]. `outsider` is registered nowhere.
 */
export interface HarnessKeys {
  finance: SigningKeyPair;
  marketing: SigningKeyPair;
  fred: SigningKeyPair;
  mary: SigningKeyPair;
  outsider: SigningKeyPair;
}

/** The registered approver identities of the harness keys: key name -> subject and roles. */
export const HARNESS_APPROVERS = {
  finance: { subject: 'fiona.finance', roles: ['finance'] },
  marketing: { subject: 'mark.lead', roles: ['marketing_lead'] },
  fred: { subject: 'fred.finance', roles: ['finance'] },
  mary: { subject: 'mary.lead', roles: ['marketing_lead'] },
} as const;

/** An `approvals.approvers` entry registering `key` to `subject` in `tenantId` with `roles` (JWK inline). */
export function approverEntry(
  key: SigningKeyPair,
  subject: string,
  roles: readonly string[],
  tenantId = TENANT,
): Record<string, unknown> {
  return { kid: key.kid, subject, tenantId, roles: [...roles], jwk: key.publicJwk };
}

/** Default caps: EUR 1,000.00 a month for the tenant, EUR 700.00 a month for the hubspot adapter. */
export function defaultCaps(): unknown[] {
  return [
    {
      capId: 'tenant-month',
      tenantId: TENANT,
      scope: { type: 'tenant', value: TENANT },
      period: 'month',
      limit: { amountMinor: 100_000, currency: 'EUR' },
      timeZone: 'Europe/Lisbon',
    },
    {
      capId: 'hubspot-month',
      tenantId: TENANT,
      scope: { type: 'adapter', value: 'hubspot' },
      period: 'month',
      limit: { amountMinor: 70_000, currency: 'EUR' },
    },
  ];
}

/**
 * An in-process gateway on a private SQLite file with a frozen clock (2026-11-21T09:30:00Z), approver keys made
 * at test time and registered in the approver registry (see {@link HarnessKeys}; EdDSA for finance, ES256 for
 * marketing leads) and API-key callers for every role.
 */
export async function createHarness(options: HarnessOptions = {}) {
  const clock = new ManualClock('2026-11-21T09:30:00Z');
  const finance = options.keys?.finance ?? (await generateSigningKeyPair({ alg: 'EdDSA' }));
  const marketing = options.keys?.marketing ?? (await generateSigningKeyPair({ alg: 'ES256' }));
  const fred = options.keys?.fred ?? (await generateSigningKeyPair({ alg: 'EdDSA' }));
  const mary = options.keys?.mary ?? (await generateSigningKeyPair({ alg: 'ES256' }));
  const outsider = options.keys?.outsider ?? (await generateSigningKeyPair({ alg: 'EdDSA' }));
  const keys: HarnessKeys = { finance, marketing, fred, mary, outsider };
  const callers = {
    copilot: caller('copilot-1', TENANT, ['copilot']),
    approver: caller('approver-desk', TENANT, ['approver']),
    /** One API key holding both copilot and approver: separation of duties must hold against it. */
    copilotApprover: caller('copilot-approver', TENANT, ['copilot', 'approver']),
    operator: caller('operator-1', TENANT, ['operator']),
    /** A second operator of the tenant (four eyes on a rollback). */
    secondOperator: caller('operator-2', TENANT, ['operator']),
    auditor: caller('auditor-1', TENANT, ['auditor']),
    /** An analytics job's key: reports outcomes, nothing else. */
    reporter: caller('analytics-job', TENANT, ['reporter']),
    otherCopilot: caller('copilot-9', OTHER_TENANT, ['copilot']),
    otherOperator: caller('operator-9', OTHER_TENANT, ['operator']),
    otherAuditor: caller('auditor-9', OTHER_TENANT, ['auditor']),
  };
  const dir = mkdtempSync(join(tmpdir(), 'handoff-gw-'));
  const loaded = validateConfig(
    {
      gatewayId: GATEWAY_ID,
      database: { path: options.databasePath ?? join(dir, 'gateway.db') },
      approvals: {
        // finance and marketing are looked up by kid in approvals.keys; fred and mary carry their JWK inline.
        keys: [{ type: 'inline', jwks: { keys: [finance.publicJwk, marketing.publicJwk] } }],
        approvers: [
          { kid: finance.kid, subject: 'fiona.finance', tenantId: TENANT, roles: ['finance'] },
          { kid: marketing.kid, subject: 'mark.lead', tenantId: TENANT, roles: ['marketing_lead'] },
          approverEntry(fred, 'fred.finance', ['finance']),
          approverEntry(mary, 'mary.lead', ['marketing_lead']),
          ...(options.approvers ?? []),
        ],
      },
      auth: { apiKeys: Object.values(callers).map((c) => c.entry) },
      policy: { inline: options.policy ?? fixturePolicy() },
      caps: options.caps ?? defaultCaps(),
      killSwitch: { onPause: options.onPause ?? 'keep' },
      ...(options.dispatch ? { dispatch: options.dispatch } : {}),
      ...(options.provenance ? { provenance: options.provenance } : {}),
      ...(options.rollback ? { rollback: options.rollback } : {}),
      ...(options.outcomeGuardrail ? { outcomeGuardrail: options.outcomeGuardrail } : {}),
      ...options.config,
    },
    dir,
  );
  const runtime: GatewayRuntime = await createGatewayRuntime(loaded, {
    clock,
    ...(options.adapters ? { adapters: options.adapters } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  /**
   * Signs an approval for a plan view as `sub` in `role` (defaults: approve, the recommended option, a maxSpend
   * of the option's budget).
   */
  async function sign(
    view: { planId: string; digest: string; policyVersion: string; recommendedOptionId: string },
    input: {
      key: SigningKeyPair;
      sub: string;
      role: string;
      decision?: 'approve' | 'reject';
      optionId?: string;
      maxSpend?: Money;
      aud?: string;
      ttlSeconds?: number;
      comment?: string;
    },
  ): Promise<string> {
    const optionId = input.optionId ?? view.recommendedOptionId;
    return createApprovalToken(
      {
        iss: 'approvals-app',
        sub: input.sub,
        aud: input.aud ?? GATEWAY_ID,
        planId: view.planId,
        planDigest: view.digest as `sha256:${string}`,
        optionId,
        policyVersion: view.policyVersion,
        decision: input.decision ?? 'approve',
        maxSpend: input.maxSpend ?? (await optionBudget(runtime.store, view, optionId, EUR_1000)),
        role: input.role,
        ...(input.comment === undefined ? {} : { comment: input.comment }),
      },
      input.key.privateJwk,
      { clock, ...(input.ttlSeconds ? { ttlSeconds: input.ttlSeconds } : {}) },
    );
  }

  return {
    clock,
    runtime,
    gateway: runtime.gateway,
    callers,
    keys,
    sign,
    dir,
    close: () => runtime.close(),
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;
