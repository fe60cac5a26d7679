import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HandoffPlan } from '@handoff/protocol';

const PLAN_FIXTURE = fileURLToPath(
  new URL(
    '../../packages/protocol/conformance/v1/HandoffPlan/valid/term-deposit-two-options.json',
    import.meta.url,
  ),
);

export const TENANT = 'acme-bank';
export const BENCH_GATEWAY_ID = 'gw-bench';
/** The fixture's recommended option: EUR 645.00, one HubSpot action; needs one finance approval here. */
export const OPTION = 'call-prior-successes';
export const OPTION_COST_MINOR = 64_500;
/** The fixture's other option: EUR 185.25 on Customer.io, below the threshold, approved without a person. */
export const AUTO_OPTION = 'nurture-broadcast';
export const AUTO_OPTION_COST_MINOR = 18_525;

/**
 * The benchmark policy: the marketing guardrails a real tenant has (lawful basis, channel and adapter allowlists,
 * a risk ceiling) and ONE approval, by finance, from EUR 500.00 up: the "one signed approval" pipeline.
 */
export const BENCH_POLICY = {
  id: 'bench-policy',
  version: '1',
  approvalTtlSeconds: 172_800,
  rules: [
    { id: 'consent-basis', type: 'consent', enforcement: 'hard_mandatory' },
    {
      id: 'approved-channels',
      type: 'channel_allowlist',
      enforcement: 'hard_mandatory',
      channels: ['email', 'sms', 'push', 'phone'],
    },
    {
      id: 'approved-adapters',
      type: 'adapter_allowlist',
      enforcement: 'hard_mandatory',
      adapters: ['hubspot', 'customerio'],
    },
    {
      id: 'spend-approval',
      type: 'approval_threshold',
      enforcement: 'hard_mandatory',
      spendAtLeast: [{ amountMinor: 50_000, currency: 'EUR' }],
      approval: { roles: ['finance'], quorum: 1, distinctRoles: false },
    },
    {
      id: 'risk-ceiling',
      type: 'max_risk',
      enforcement: 'hard_mandatory',
      limits: { ai_led: 0.3, ai_assisted: 0.6, human_only: 0.8 },
    },
  ],
};

/** The valid two-option plan fixture (EUR), parsed once. */
export const TEMPLATE: HandoffPlan = JSON.parse(readFileSync(PLAN_FIXTURE, 'utf8')) as HandoffPlan;

/** A UUIDv7-shaped plan id, distinct for each `n` (and each `run` prefix, 0-65535). */
export function planId(n: number, run = 0): string {
  const tail = n.toString(16).padStart(12, '0');
  return `019a8f2e-${run.toString(16).padStart(4, '0')}-7d3e-9a1f-${tail}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Plan `n`: the fixture under a fresh id, created a minute before `nowMs` and expiring a week after it.
 * `auto` recommends the cheaper option, which policy approves without a person.
 */
export function benchPlan(
  n: number,
  nowMs: number,
  options: { run?: number; auto?: boolean } = {},
) {
  const plan = structuredClone(TEMPLATE);
  plan.planId = planId(n, options.run ?? 0);
  plan.createdAt = iso(nowMs - 60_000);
  plan.expiresAt = iso(nowMs + 7 * 86_400_000);
  if (options.auto) plan.recommendedOptionId = AUTO_OPTION;
  return plan;
}
