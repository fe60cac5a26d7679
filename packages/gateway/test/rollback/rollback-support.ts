import type { Action, HandoffPlan, LineageEvent } from '@handoff/protocol';
import { approvedPlan } from '../dispatch/dispatch-support.js';
import { fixturePlan, type Harness } from '../support/harness.js';

/** The budget move of {@link rollbackPlan}: EUR 100.00 -> 110.00 a day on campaign `search-retired`. */
export const BUDGET_MOVE: Action = {
  type: 'set_campaign_budget',
  actionId: 'raise-search',
  adapter: 'google-ads',
  // 8 local days (Sat 2026-11-21 to Sat 11-28, Lisbon) x EUR 10.00: what the gateway computes for the raise.
  estimatedCost: { amountMinor: 8_000, currency: 'EUR' },
  params: {
    campaignId: 'search-retired',
    budgetType: 'daily',
    currentBudget: { amountMinor: 10_000, currency: 'EUR' },
    newBudget: { amountMinor: 11_000, currency: 'EUR' },
  },
};

/** The broadcast of {@link rollbackPlan}: irreversible by contract. */
export const BROADCAST: Action = {
  type: 'trigger_broadcast',
  actionId: 'announce-rate',
  adapter: 'hubspot',
  estimatedCost: { amountMinor: 20_000, currency: 'EUR' },
  params: { broadcastId: 'rate-announcement' },
};

/**
 * The fixture plan with its recommended option made of a budget move (google-ads), a broadcast and the fixture's
 * workflow enrolment (hubspot), EUR 80.00 + 200.00 + 300.00; paid search added to its channels.
 */
export function rollbackPlan(actions?: Action[]): HandoffPlan {
  const plan = fixturePlan();
  const option = plan.options[0];
  const enrol = option?.actions[0];
  if (!option || !enrol) throw new Error('fixture changed');
  option.channels = [...option.channels, 'paid_search'];
  option.actions = actions ?? [
    BUDGET_MOVE,
    BROADCAST,
    { ...enrol, estimatedCost: { amountMinor: 30_000, currency: 'EUR' } },
  ];
  return plan;
}

/** The plan's lineage events, in order. */
export async function eventsOf(h: Harness, planId: string): Promise<LineageEvent[]> {
  const page = await h.gateway.queryLineage(h.callers.auditor.principal, { planId, limit: 500 });
  return page.items;
}

/** How many lineage events the whole store holds (a refusal must add none). */
export async function lineageCount(h: Harness): Promise<number> {
  const events = await h.runtime.store.queryLineage({ limit: 100_000 });
  return events.length;
}

/** Submits `plan` and, when policy asks for approvals, approves it (finance + marketing lead). */
export async function submitApproved(h: Harness, plan: HandoffPlan) {
  const view = await h.gateway.submitPlan(h.callers.copilot.principal, plan);
  return view.state === 'approved' ? view : approvedPlan(h, plan);
}
