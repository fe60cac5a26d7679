import type { HandoffPlan, OutcomeReport } from '@handoff/protocol';
import { expect } from 'vitest';
import { approvedPlan } from '../dispatch/dispatch-support.js';
import { scriptedAdapter } from '../dispatch/scripted-adapter.js';
import { planVariant } from '../pipeline/helpers.js';
import { createHarness, defaultCaps, type Harness } from '../support/harness.js';
import { outcomeReport } from './outcome-support.js';

/** A day in ms. */
export const DAY = 86_400_000;

/** The harness's caps with room for many plans (EUR 1,000,000.00 a month on each). */
export function roomyCaps(): unknown[] {
  return defaultCaps().map((cap) => ({
    ...(cap as object),
    limit: { amountMinor: 100_000_000, currency: 'EUR' },
  }));
}

/** A harness whose hubspot platform accepts everything, with room for many plans. */
export function outcomesHarness(options: Parameters<typeof createHarness>[0] = {}) {
  return createHarness({
    adapters: [scriptedAdapter('hubspot').adapter],
    caps: roomyCaps(),
    ...options,
  });
}

/**
 * Submits plan variant `n` (the fixture changed by `change`), approves it as finance + marketing lead, runs the
 * dispatcher and checks it was dispatched. Returns the plan as submitted.
 */
export async function dispatchedPlan(
  h: Harness,
  n: number,
  change?: (plan: HandoffPlan) => void,
): Promise<HandoffPlan> {
  const plan = planVariant(n, change);
  await approvedPlan(h, plan);
  await h.runtime.dispatcher.runDue();
  const view = await h.gateway.getPlan(h.callers.auditor.principal, plan.planId);
  expect(view.state).toBe('dispatched');
  return plan;
}

/** Reports a conversion rate for `planId` as the analytics job. */
export function reportRate(
  h: Harness,
  planId: string,
  value: number,
  change: Partial<OutcomeReport> = {},
) {
  const report = outcomeReport({
    planId,
    reportId: `${planId.slice(-4)}-${value}`,
    observed: { unit: 'ratio', kpi: 'conversion_rate', value },
    observedAt: new Date(h.clock.now()).toISOString(),
    ...change,
  });
  return h.gateway.reportOutcome(h.callers.reporter.principal, report);
}
