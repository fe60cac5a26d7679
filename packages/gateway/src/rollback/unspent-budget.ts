import type { Action, HandoffPlan } from '@handoff/protocol';
import { capCoversAction, chargeableDays } from '../budget/action-cost.js';
import type { BudgetCap } from '../budget/cap.js';
import { periodKey } from '../budget/period.js';
import type { LedgerLine } from '../store/store.js';

/** One reversed action: the action, and what its dispatch was charged (minor units, the option's currency). */
export interface ReversedAction {
  action: Action;
  chargedMinor: number;
}

/**
 * What a reversed action had not spent yet at `atMs` on one cap (minor units), in the period its spend was
 * committed in (a later period was never charged):
 * - a daily budget raise set back: the raise for every later local day, in the cap's zone, it could still have run
 *   while the plan was valid (`chargeableDays` from `atMs`, today counted as spent: a daily budget may have been
 *   spent in part today);
 * - a scheduled message cancelled before its send time: all it was charged (nothing was sent);
 * - anything else (a lifetime budget raise, an unenrolment): 0, its spend may already have happened.
 */
export function unspentOnCap(
  reversed: ReversedAction,
  cap: BudgetCap,
  plan: Pick<HandoffPlan, 'expiresAt'>,
  atMs: number,
): number {
  const { action } = reversed;
  if (action.type === 'schedule_message') return reversed.chargedMinor;
  if (action.type !== 'set_campaign_budget' || action.params.budgetType !== 'daily') return 0;
  const increase = action.params.newBudget.amountMinor - action.params.currentBudget.amountMinor;
  if (increase <= 0) return 0;
  const days = chargeableDays({ cap, atMs, planExpiresAtMs: Date.parse(plan.expiresAt) });
  return Math.min(reversed.chargedMinor, increase * Math.max(0, days - 1));
}

/**
 * The credit lines that give back, per committed ledger line of the plan, what its reversed actions had not spent
 * at `atMs`: a `committed` line of a negative amount on the same cap and period (so the cap's usage goes down by
 * it), never more than the line committed. Lines of a period already over get nothing.
 */
export function unspentCredits(input: {
  plan: Pick<HandoffPlan, 'tenantId' | 'expiresAt' | 'workflow' | 'planId'>;
  option: {
    channels: readonly string[];
    budget: { amount: { currency: Action['estimatedCost']['currency'] } };
  };
  reversed: readonly ReversedAction[];
  caps: readonly BudgetCap[];
  committed: readonly LedgerLine[];
  atMs: number;
}): LedgerLine[] {
  const { plan, option, atMs } = input;
  const credits: LedgerLine[] = [];
  for (const line of input.committed) {
    const cap = input.caps.find((c) => c.capId === line.capId);
    if (!cap || line.amountMinor <= 0) continue;
    if (periodKey(cap.period, atMs, cap.timeZone) !== line.periodKey) continue;
    let unspent = 0;
    for (const r of input.reversed) {
      if (capCoversAction(cap, plan, option, r.action)) unspent += unspentOnCap(r, cap, plan, atMs);
    }
    const amount = Math.min(unspent, line.amountMinor);
    if (amount <= 0) continue;
    credits.push({
      planId: plan.planId,
      tenantId: plan.tenantId,
      capId: line.capId,
      periodKey: line.periodKey,
      currency: line.currency,
      amountMinor: -amount,
      status: 'committed',
      expiresAt: null,
      createdAt: atMs,
      updatedAt: atMs,
    });
  }
  return credits;
}
