import type { CurrencyCode } from '@handoff/protocol';
import { z } from 'zod';
import { requireFact } from '../policy-facts.js';
import { ApprovalSpecSchema } from './approval-threshold.js';
import {
  allow,
  formatMinor,
  pointer,
  type RuleContext,
  type RuleFinding,
  ruleCommonShape,
} from './common.js';

/** The warning lines when a rule names none: 80 % and 100 % of a cap. */
export const DEFAULT_WARNING_PERCENTS: readonly number[] = [80, 100];

/**
 * `budget_warning`: a plan whose reservation would take a budget cap across a warning line (by default 80 % and
 * 100 % of its limit for the period) needs approval (`require_approval` with `approval`) instead of going through
 * unseen or being refused. What lies beyond 100 % is still refused by the budget ledger (`BUDGET_EXCEEDED`); this
 * rule gates what approaches it. The same lines drive the gateway's budget notifications (`notifications`).
 * Cloud budgets work the same way: alerts at percentages of a budget, e.g. Google Cloud's 50/90/100 %
 * (https://cloud.google.com/billing/docs/how-to/budgets#budget-actions) and AWS Budgets' thresholds
 * (https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-best-practices.html).
 *
 * - `warningPercents`: 1..10 distinct whole percents in 1..100 (default {@link DEFAULT_WARNING_PERCENTS}).
 * - `approval`: who approves, as for `approval_threshold`.
 *
 * A line is crossed when the cap's usage before the plan is below it and its usage with the plan at or above it
 * (`used * 100 < limit * p <= (used + amount) * 100`, exact integer arithmetic).
 */
export const BudgetWarningRuleSchema = z.strictObject({
  ...ruleCommonShape,
  type: z.literal('budget_warning'),
  warningPercents: z
    .array(z.int().min(1).max(100))
    .min(1)
    .max(10)
    .refine((items) => new Set(items).size === items.length, {
      message: 'Warning percents must be distinct',
      params: { code: 'DUPLICATE_ITEM' },
    })
    .optional(),
  approval: ApprovalSpecSchema,
});
/** See {@link BudgetWarningRuleSchema}. */
export type BudgetWarningRule = z.infer<typeof BudgetWarningRuleSchema>;

/** The highest of `percents` a move from `usedMinor` to `usedMinor + amountMinor` crosses on a cap, if any. */
export function crossedLine(
  percents: readonly number[],
  line: { limitMinor: number; usedMinor: number; amountMinor: number },
): number | undefined {
  const limit = BigInt(line.limitMinor);
  const before = BigInt(line.usedMinor) * 100n;
  const after = (BigInt(line.usedMinor) + BigInt(line.amountMinor)) * 100n;
  const crossed = percents.filter((p) => before < limit * BigInt(p) && limit * BigInt(p) <= after);
  return crossed.length === 0 ? undefined : Math.max(...crossed);
}

/**
 * Evaluates a `budget_warning` rule for one option: `require_approval` with `BUDGET_WARNING_LINE_CROSSED` (at
 * `/options/i/budget`; the message names the cap, the line and the usage it would reach), else `allow` with
 * `BELOW_BUDGET_WARNING_LINES`.
 *
 * @throws Error without budget facts for the option (the engine denies).
 */
export function evaluateBudgetWarning(
  rule: BudgetWarningRule,
  { option, optionIndex, facts }: RuleContext,
): RuleFinding {
  const lines = requireFact(facts ?? {}, 'budget')[option.optionId];
  if (lines === undefined) throw new Error(`No budget facts for option ${option.optionId}`);
  const percents = rule.warningPercents ?? DEFAULT_WARNING_PERCENTS;
  const path = pointer('options', optionIndex, 'budget');
  for (const line of lines) {
    const crossed = crossedLine(percents, line);
    if (crossed === undefined) continue;
    const currency = line.currency as CurrencyCode;
    const reach = formatMinor(BigInt(line.usedMinor) + BigInt(line.amountMinor), currency);
    return {
      decision: 'require_approval',
      reasonCode: 'BUDGET_WARNING_LINE_CROSSED',
      path,
      message: `Cap ${line.capId} (${line.periodKey}) would reach ${reach} of ${formatMinor(line.limitMinor, currency)}, crossing its ${crossed} % line`,
      approval: {
        roles: [...rule.approval.roles],
        quorum: rule.approval.quorum,
        distinctRoles: rule.approval.distinctRoles,
      },
    };
  }
  return allow('BELOW_BUDGET_WARNING_LINES', path, 'No cap crosses a warning line');
}
