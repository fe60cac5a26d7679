import type { HandoffPlan } from '@handoff/protocol';
import { planReservations } from '../budget/reservation-plan.js';
import type {
  BudgetLineUsage,
  PolicyFacts,
  SendHistory,
  SuppressionLookup,
} from '../policy/policy-facts.js';
import type { PolicySet } from '../policy/policy-set.js';
import { sendKeys } from '../policy/recipients.js';
import type { SendRecord, StoreTx } from '../store/store.js';
import { toBudgetCap } from './reserve-budget.js';

/** What {@link readPolicyFacts} reads for. */
export interface FactsRequest {
  plan: HandoffPlan;
  /** Every policy set the facts serve (the active one, a shadow one): what their rules need is read. */
  sets: readonly PolicySet[];
  /** The evaluation time, epoch ms (the injected clock). */
  atMs: number;
  /** The gateway's suppression lists, passed through. */
  suppression?: SuppressionLookup;
  /** Read cap usage even when no rule needs it (budget notifications do). */
  budget?: boolean;
  /** Count only sends before this time (epoch ms): a replay sees the sends a recorded plan saw. */
  untilMs?: number;
}

/**
 * A {@link SendHistory} over recorded sends: a send (an outbox row) counts once for a key when any of its
 * channels is in the group and it was sent at or after `sinceMs`.
 */
export function sendHistoryOf(records: readonly SendRecord[]): SendHistory {
  return {
    count(key, channels, sinceMs) {
      const sends = new Set<string>();
      for (const r of records) {
        if (r.recipientKey !== key || r.sentAt < sinceMs) continue;
        if (channels.includes(r.channel as (typeof channels)[number])) sends.add(r.idempotencyKey);
      }
      return sends.size;
    },
  };
}

/**
 * Reads, inside `tx`, the facts the policy pack's rules need for `plan`: the sends dispatched to its recipients
 * within the longest frequency-cap window (`frequency_cap`), and each option's cap lines with their usage
 * (`budget_warning`, or `budget`). Reading in the transaction that records the decision means the counts a
 * decision rests on are the counts when it committed.
 */
export async function readPolicyFacts(tx: StoreTx, request: FactsRequest): Promise<PolicyFacts> {
  const { plan, sets, atMs } = request;
  const rules = sets.flatMap((set) => set.rules);
  const facts: PolicyFacts = request.suppression ? { suppression: request.suppression } : {};
  const windows = rules.flatMap((rule) =>
    rule.type === 'frequency_cap' ? [rule.windowHours] : [],
  );
  if (windows.length > 0) {
    const keys = plan.options.flatMap((option) =>
      option.actions.flatMap((action) => sendKeys(action, option)),
    );
    const sinceMs = atMs - Math.max(...windows) * 3_600_000;
    const sends = await tx.listSends(plan.tenantId, keys, sinceMs);
    const { untilMs } = request;
    facts.sends = sendHistoryOf(
      untilMs === undefined ? sends : sends.filter((send) => send.sentAt < untilMs),
    );
  }
  if (request.budget === true || rules.some((rule) => rule.type === 'budget_warning')) {
    facts.budget = await budgetUsage(tx, plan, atMs);
  }
  return facts;
}

async function budgetUsage(
  tx: StoreTx,
  plan: HandoffPlan,
  atMs: number,
): Promise<Record<string, BudgetLineUsage[]>> {
  const caps = (await tx.getCaps(plan.tenantId)).map(toBudgetCap);
  const byOption: Record<string, BudgetLineUsage[]> = Object.create(null);
  for (const option of plan.options) {
    const planned = planReservations({ plan, optionId: option.optionId, caps, nowMs: atMs });
    const lines: BudgetLineUsage[] = [];
    for (const line of planned.ok ? planned.lines : []) {
      const used = await tx.usedBudget(plan.tenantId, line.capId, line.periodKey, atMs);
      lines.push({
        capId: line.capId,
        periodKey: line.periodKey,
        currency: line.currency,
        limitMinor: line.limitMinor,
        usedMinor: Number(used),
        amountMinor: line.amountMinor,
      });
    }
    byOption[option.optionId] = lines;
  }
  return byOption;
}
