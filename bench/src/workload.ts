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
 * The same file holds the gateway's test of a one-approval plan's lineage budget (5 events, 18 KB).
 */
export const BENCH_POLICY = JSON.parse(
  readFileSync(
    fileURLToPath(
      new URL('../../packages/gateway/test/policy/fixtures/one-approval.json', import.meta.url),
    ),
    'utf8',
  ),
) as { id: string; version: string; approvalTtlSeconds: number; rules: unknown[] };

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
