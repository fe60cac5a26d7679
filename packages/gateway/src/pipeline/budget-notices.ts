import type { PolicyFacts } from '../policy/policy-facts.js';
import { crossedLine } from '../policy/rules/budget-warning.js';
import type { PlanRecord } from '../store/store.js';
import type { PipelineDeps } from './deps.js';

/**
 * A budget warning line a submission's reservation crossed on one cap: ids and integer minor units only (never
 * a contact, token or payload), as the `budget.warning` notification carries it.
 */
export interface BudgetNotice {
  tenantId: string;
  planId: string;
  capId: string;
  periodKey: string;
  /** The line crossed, percent of the cap's limit. */
  percent: number;
  currency: string;
  limitMinor: number;
  /** Reserved + committed on the cap after this plan's reservation. */
  usedMinor: number;
}

/**
 * The warning lines (the notifier's `budgetWarningPercents`) a plan's reservation crossed, from the cap usage read
 * before it in the same transaction. None when no notifier is configured or the plan reserved nothing (refused).
 */
export function budgetNotices(
  deps: PipelineDeps,
  record: PlanRecord,
  facts: PolicyFacts | undefined,
): BudgetNotice[] {
  const { notifier } = deps;
  if (notifier === undefined || record.state === 'rejected') return [];
  const lines = facts?.budget?.[record.recommendedOptionId] ?? [];
  return lines.flatMap((line) => {
    const percent = crossedLine(notifier.budgetWarningPercents, line);
    if (percent === undefined) return [];
    return [
      {
        tenantId: record.tenantId,
        planId: record.planId,
        capId: line.capId,
        periodKey: line.periodKey,
        percent,
        currency: line.currency,
        limitMinor: line.limitMinor,
        usedMinor: line.usedMinor + line.amountMinor,
      },
    ];
  });
}

/** Sends each notice as a `budget.warning` notification (after commit; never waits, never throws). */
export function sendBudgetNotices(deps: PipelineDeps, notices: readonly BudgetNotice[] = []): void {
  for (const { tenantId, ...data } of notices) {
    deps.notifier?.notify({ type: 'budget.warning', tenantId, data });
  }
}
