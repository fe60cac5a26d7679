import type { HandoffPlan } from '@handoff/protocol';
import type { LedgerLine } from '../../src/store/store.js';
import { fixturePlan, type Harness } from '../support/harness.js';

/** Submits the fixture plan and approves it with finance + marketing lead: its outbox holds one hubspot row. */
export async function approvedPlan(h: Harness, plan: HandoffPlan = fixturePlan()) {
  const { copilot, approver } = h.callers;
  const view = await h.gateway.submitPlan(copilot.principal, plan);
  await h.gateway.submitApproval(
    approver.principal,
    await h.sign(view, { key: h.keys.finance, sub: 'fiona.finance', role: 'finance' }),
  );
  const approved = await h.gateway.submitApproval(
    approver.principal,
    await h.sign(view, { key: h.keys.marketing, sub: 'mark.lead', role: 'marketing_lead' }),
  );
  if (approved.state !== 'approved') throw new Error(`Plan not approved: ${approved.state}`);
  return approved;
}

/**
 * The fixture plan with its recommended option split into two hubspot actions (enroll, then add to a list) that
 * together cost what the one action did (EUR 400.00 + 245.00).
 */
export function twoActionPlan(): HandoffPlan {
  const plan = fixturePlan();
  const option = plan.options[0];
  const first = option?.actions[0];
  if (!option || !first) throw new Error('fixture changed');
  option.actions = [
    { ...first, estimatedCost: { amountMinor: 40_000, currency: 'EUR' } },
    {
      ...first,
      actionId: 'enroll-second-wave',
      estimatedCost: { amountMinor: 24_500, currency: 'EUR' },
    },
  ];
  return plan;
}

/** The plan's ledger, as `[capId, amountMinor, status]` sorted, for assertions. */
export async function ledgerOf(h: Harness, planId: string): Promise<[string, number, string][]> {
  const lines: LedgerLine[] = await h.runtime.store.transaction((tx) => tx.ledgerForPlan(planId));
  return lines
    .map((l): [string, number, string] => [l.capId, l.amountMinor, l.status])
    .sort((a, b) => `${a[0]}${a[2]}`.localeCompare(`${b[0]}${b[2]}`));
}

/** The plan's outbox rows. */
export function outboxOf(h: Harness, planId: string) {
  return h.runtime.store.transaction((tx) => tx.outboxForPlan(planId));
}

/** The lineage event types of one plan, in order. */
export async function eventTypes(h: Harness, planId: string): Promise<string[]> {
  const page = await h.gateway.queryLineage(h.callers.auditor.principal, { planId, limit: 500 });
  return page.items.map((e) => e.type);
}
