import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createWebhookFake,
  type FakePlatform,
  type Fault,
  type ServedFake,
  serveFake,
} from '@handoff/automation-adapter/testing';
import type { HandoffPlan } from '@handoff/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, expect } from 'vitest';
import { createApprovalToken } from '../../src/approvals/create-approval.js';
import { generateSigningKeyPair, type SigningKeyPair } from '../../src/approvals/signing-keys.js';
import { generateApiKey, hashApiKey } from '../../src/auth/api-keys.js';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { webhookCallsPlan } from '../dispatch/dispatch-support.js';
import { rawCall } from '../http/http-fixture.js';
import { TENANT } from '../support/harness.js';
import { killLiveChildren } from './chaos-process.js';

export const CHAOS_GATEWAY_ID = 'gw-chaos';
/** Each plan's recommended option: two webhook calls of EUR 300.00, so EUR 600.00 needs finance's approval. */
export const ACTIONS_PER_PLAN = 2;
export const ACTION_COST = 30_000;
export const CAP_MINOR = 100_000_000;

const chaosPlans = new Map<number, HandoffPlan>();

/** What every chaos test opens with (see {@link useChaosHarness}). */
export interface ChaosHarness {
  /** A temporary folder of the test file's, removed after it. */
  dir: string;
  /** The webhook secret the children sign with (`WEBHOOK_SECRET`). */
  secret: string;
  /** The webhook platform: inject faults, read what it received and applied. */
  fake: FakePlatform;
  /** Set in `beforeAll`: finance's approval key, and the fake served over HTTP (`FAKE_URL`). */
  finance: SigningKeyPair;
  served: ServedFake;
}

/**
 * The opening of a chaos test file: a temporary folder, a webhook secret, the webhook fake served over HTTP and
 * finance's key (in `beforeAll`); after the file, every child still running SIGKILLed, the fake stopped and the
 * folder removed. Its fields are read inside tests and later hooks.
 */
export function useChaosHarness(prefix: string): ChaosHarness {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const harness = {
    dir: mkdtempSync(join(tmpdir(), prefix)),
    secret,
    fake: createWebhookFake({ baseUrl: 'https://hooks.example.test', secret }),
  } as ChaosHarness;
  beforeAll(async () => {
    harness.finance = await generateSigningKeyPair({ alg: 'EdDSA' });
    harness.served = await serveFake(harness.fake.handlers, harness.fake.baseUrl);
  });
  afterAll(async () => {
    killLiveChildren();
    await harness.served?.close();
    rmSync(harness.dir, { recursive: true, force: true });
  });
  return harness;
}

/** Plan `n` (distinct id, due now on the real clock) whose recommended option calls two webhooks. */
export function chaosPlan(n: number): HandoffPlan {
  // The same plan on every call: a resubmission after a kill must be byte-identical (same digest), even when
  // it happens in a later second than the first try (the fixture's times derive from the clock).
  let plan = chaosPlans.get(n);
  if (!plan) {
    const planId = `019a8f2e-5c4b-7d3e-9a1f-c4a05${n.toString(16).padStart(7, '0')}`;
    plan = webhookCallsPlan(planId, n, ACTIONS_PER_PLAN, ACTION_COST);
    chaosPlans.set(n, plan);
  }
  return structuredClone(plan);
}

/** API keys of the copilot and the approval desk. */
export interface ChaosKeys {
  copilot: string;
  approver: string;
}

/** What a chaos config may change (the rest as {@link writeChaosConfig} says). */
export interface ChaosConfigOptions {
  /** The config's `database` section. Default: `{ path: 'gateway.db' }` in the config's folder. */
  database?: Record<string, unknown>;
  /** The tenant cap's monthly limit, in EUR minor units. Default {@link CAP_MINOR}. */
  capMinor?: number;
  /** Sections merged over the defaults (e.g. `checkpoints`), and `dispatch` settings merged over its own. */
  extra?: Record<string, unknown>;
  dispatch?: Record<string, unknown>;
}

/**
 * Writes the chaos gateway's config: SQLite file in `dir`, 127.0.0.1 port 0, the finance approver's key, a policy
 * asking one finance approval from EUR 500.00, one EUR 1,000,000.00 monthly cap, the webhook adapter (1.5 s
 * timeout) and fast retries (10-200 ms, 50 attempts) with a circuit breaker opening after 3 consecutive platform
 * failures and half-opening after 100 ms. `options` changes the database, the cap and adds sections; `keys`
 * reuses API keys (replicas of one gateway share them).
 */
export function writeChaosConfig(
  dir: string,
  finance: SigningKeyPair,
  options: ChaosConfigOptions = {},
  keys: ChaosKeys = { copilot: generateApiKey(), approver: generateApiKey() },
): {
  configFile: string;
  keys: ChaosKeys;
} {
  const configFile = join(dir, 'handoff.config.json');
  const config = {
    gatewayId: CHAOS_GATEWAY_ID,
    database: options.database ?? { path: 'gateway.db' },
    listen: { host: '127.0.0.1', port: 0 },
    approvals: {
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
        {
          id: 'copilot-1',
          tenantId: TENANT,
          roles: ['copilot'],
          keyHash: hashApiKey(keys.copilot),
        },
        { id: 'desk-1', tenantId: TENANT, roles: ['approver'], keyHash: hashApiKey(keys.approver) },
      ],
    },
    policy: {
      inline: {
        id: 'chaos',
        version: '1',
        rules: [
          {
            id: 'channels',
            type: 'channel_allowlist',
            enforcement: 'hard_mandatory',
            channels: ['email', 'phone'],
          },
          {
            id: 'spend-approval',
            type: 'approval_threshold',
            enforcement: 'hard_mandatory',
            spendAtLeast: [{ amountMinor: 50_000, currency: 'EUR' }],
            approval: { roles: ['finance'], quorum: 1, distinctRoles: false },
          },
        ],
      },
    },
    caps: [
      {
        capId: 'tenant-month',
        tenantId: TENANT,
        scope: { type: 'tenant', value: TENANT },
        period: 'month',
        limit: { amountMinor: options.capMinor ?? CAP_MINOR, currency: 'EUR' },
      },
    ],
    adapters: [{ type: 'webhook', signingSecretEnv: 'WEBHOOK_SECRET', timeoutMs: 1500 }],
    dispatch: {
      intervalMs: 50,
      initialDelayMs: 10,
      maxDelayMs: 200,
      maxAttempts: 50,
      // Consecutive faults may open the circuit: it must half-open again (see circuit-breaker.test.ts).
      breakerThreshold: 3,
      breakerHalfOpenAfterMs: 100,
      ...options.dispatch,
    },
    ...options.extra,
  };
  writeFileSync(configFile, JSON.stringify(config));
  return { configFile, keys };
}

/** The finance approval of a submitted plan view. */
export function financeToken(
  finance: SigningKeyPair,
  view: { planId: string; digest: string; policyVersion: string; recommendedOptionId: string },
): Promise<string> {
  return createApprovalToken(
    {
      iss: 'approvals-app',
      sub: 'fiona.finance',
      aud: CHAOS_GATEWAY_ID,
      planId: view.planId,
      planDigest: view.digest as `sha256:${string}`,
      optionId: view.recommendedOptionId,
      policyVersion: view.policyVersion,
      decision: 'approve',
      maxSpend: { amountMinor: ACTIONS_PER_PLAN * ACTION_COST, currency: 'EUR' },
      role: 'finance',
    },
    finance.privateJwk,
  );
}

/** The refusals of an approval that was already decided (a retry after the first one committed). */
export const ALREADY_DECIDED = [
  'APPROVAL_REPLAYED',
  'PLAN_NOT_AWAITING_APPROVAL',
  'APPROVAL_DUPLICATE_APPROVER',
];

/** A plan as the chaos client knows it: acknowledged (`view`) or not, approved or not. */
export interface ClientPlan {
  n: number;
  view?: PlanView;
  token?: string;
  approved: boolean;
}

/**
 * The chaos client: submits the plans not yet acknowledged and approves those not yet known approved, on the
 * gateway at `url`, as any client would after a cut connection (submission is idempotent on plan id; a repeated
 * approval is refused as already decided, with the same token on a retry).
 */
export function chaosClient(keys: ChaosKeys, finance: SigningKeyPair) {
  return {
    submitPending: (url: string, plans: ClientPlan[]): Promise<unknown>[] =>
      plans
        .filter((p) => !p.view)
        .map(async (p) => {
          const answer = await rawCall(url, 'plans.submit', {
            type: 'mutation',
            input: { plan: chaosPlan(p.n) },
            credential: keys.copilot,
          });
          expect(answer.status, JSON.stringify(answer.body)).toBe(200);
          p.view = (answer.body as { result: { data: PlanView } }).result.data;
        }),
    approvePending: (url: string, plans: ClientPlan[]): Promise<unknown>[] =>
      plans
        .filter((p) => p.view && !p.approved)
        .map(async (p) => {
          p.token ??= await financeToken(finance, p.view as PlanView);
          const answer = await rawCall(url, 'approvals.submit', {
            type: 'mutation',
            input: { token: p.token },
            credential: keys.approver,
          });
          if (answer.status !== 200) expect(ALREADY_DECIDED).toContain(answer.envelope?.code);
          p.approved = true;
        }),
  };
}

/** Settles `calls`; a rejection caused by a kill (a cut connection) is expected, an assertion failure is not. */
export async function settle(calls: Promise<unknown>[]): Promise<void> {
  for (const result of await Promise.allSettled(calls)) {
    if (result.status === 'rejected' && !(result.reason instanceof TypeError)) throw result.reason;
  }
}

/** Where in a round a process is killed: during submission, approval or dispatch. */
export const phaseArb = fc.constantFrom('submission', 'approval', 'dispatch');

/** A platform fault: 429, 500/503, a reset or a timeout (before or after the call was applied). */
export const platformFaultArb: fc.Arbitrary<Fault> = fc.constantFrom<Fault>(
  { kind: 'rate_limit', retryAfterSeconds: 0 },
  { kind: 'server_error', status: 500 },
  { kind: 'server_error', status: 503 },
  { kind: 'reset' },
  { kind: 'reset', applied: true },
  { kind: 'timeout' },
  { kind: 'timeout', applied: true },
);
