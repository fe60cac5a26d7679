import { z } from 'zod';
import {
  allow,
  formatMinor,
  MoneyThresholdsSchema,
  pointer,
  type RuleContext,
  type RuleFinding,
  ruleCommonShape,
  thresholdFor,
} from './common.js';

/** True when `percent` has at most two decimal places, i.e. is a whole number of basis points (1 bp = 0.01 %). */
function isWholeBasisPoints(percent: number): boolean {
  const scaled = percent * 100;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

/** A percentage as an exact whole number of basis points: `12.5` -> `1250n`, `0.29` -> `29n`. */
export function toBasisPoints(percent: number): bigint {
  return BigInt(Math.round(percent * 100));
}

function percentSchema(max: number) {
  return z
    .number()
    .min(0)
    .max(max)
    .refine(isWholeBasisPoints, {
      message: 'Percentages have at most two decimal places (whole basis points)',
      params: { code: 'PERCENT_PRECISION' },
    });
}

/**
 * `budget_change_guardrail`: bounds how far a `set_campaign_budget` action may move a budget, from
 * `params.currentBudget` to `params.newBudget`.
 *
 * - `maxIncreasePercent` (0..100,000, at most two decimals): an increase is allowed when
 *   `(new - current) / current <= maxIncreasePercent / 100`; any increase from a current budget of zero exceeds it.
 * - `maxDecreasePercent` (0..100, at most two decimals): likewise for `(current - new) / current`.
 * - `maxChange`: the largest absolute move `|new - current|`, in integer minor units, one entry per currency; with
 *   no entry in the action's currency the rule cannot evaluate and denies (`GUARDRAIL_CURRENCY_NOT_CONFIGURED`).
 *
 * Percentages are compared exactly in integer arithmetic (bigint), never in floats: the move exceeds
 * `pct` when `|new - current| * 10,000 > basisPoints(pct) * current`. A move exactly at a limit is allowed.
 * At least one limit is required (`MISSING_ONE_OF`); a fractional percentage beyond whole basis points is rejected
 * (`PERCENT_PRECISION`).
 */
export const BudgetChangeGuardrailRuleSchema = z
  .strictObject({
    ...ruleCommonShape,
    type: z.literal('budget_change_guardrail'),
    maxIncreasePercent: percentSchema(100_000).optional(),
    maxDecreasePercent: percentSchema(100).optional(),
    maxChange: MoneyThresholdsSchema.optional(),
  })
  .refine(
    (rule) =>
      rule.maxIncreasePercent !== undefined ||
      rule.maxDecreasePercent !== undefined ||
      rule.maxChange !== undefined,
    {
      message: 'Give at least one of maxIncreasePercent, maxDecreasePercent, maxChange',
      params: { code: 'MISSING_ONE_OF' },
    },
  );
/** See {@link BudgetChangeGuardrailRuleSchema}. */
export type BudgetChangeGuardrailRule = z.infer<typeof BudgetChangeGuardrailRuleSchema>;

interface Violation {
  reasonCode: string;
  path: string;
  /** The index of the action in its option: a violation per limit, several per action at most. */
  actionIndex: number;
  text: string;
}

/** One path per violating action, in plan order: the path of its first violation. */
function actionPathsOf(violations: readonly Violation[]): string[] {
  const byAction = new Map<number, string>();
  for (const v of violations) if (!byAction.has(v.actionIndex)) byAction.set(v.actionIndex, v.path);
  return [...byAction.entries()].sort(([a], [b]) => a - b).map(([, path]) => path);
}

/** `change / current` as a percentage with two decimals, rounded down (for messages only). */
function percentText(change: bigint, current: bigint): string {
  const bp = (change * 10_000n) / current;
  return `${bp / 100n}.${(bp % 100n).toString().padStart(2, '0')}%`;
}

/**
 * Evaluates a `budget_change_guardrail` rule for one option: `deny` at the first offending action's
 * `params/newBudget/amountMinor` with `BUDGET_CHANGE_EXCEEDS_GUARDRAIL` (or at its `params/currentBudget/currency`
 * with `GUARDRAIL_CURRENCY_NOT_CONFIGURED`), `actionPaths` naming every offending action (one path each, that of
 * its first violation, in plan order) and the message every violation; else `allow` with
 * `BUDGET_CHANGES_WITHIN_GUARDRAIL`, or `NO_BUDGET_CHANGE_ACTIONS` when the option sets no budget.
 *
 * @throws Error when an action's current and new budgets differ in currency (a plan that skipped validation); the
 *   engine turns it into a `RULE_EVALUATION_FAILED` denial.
 */
export function evaluateBudgetChangeGuardrail(
  rule: BudgetChangeGuardrailRule,
  { option, optionIndex }: RuleContext,
): RuleFinding {
  const violations: Violation[] = [];
  let seen = 0;
  option.actions.forEach((action, index) => {
    if (action.type !== 'set_campaign_budget') return;
    seen += 1;
    const at = (...segments: string[]) =>
      pointer('options', optionIndex, 'actions', index, 'params', ...segments);
    const { currentBudget, newBudget, campaignId } = action.params;
    const currency = currentBudget.currency;
    if (newBudget.currency !== currency) {
      throw new Error(
        `Action ${action.actionId} moves a budget from ${currency} to ${newBudget.currency}`,
      );
    }
    const current = BigInt(currentBudget.amountMinor);
    const change = BigInt(newBudget.amountMinor) - current;
    const size = change < 0n ? -change : change;
    const move = `campaign ${campaignId} (action ${action.actionId}) from ${formatMinor(current, currency)} to ${formatMinor(newBudget.amountMinor, currency)}`;
    const exceeds = (text: string) =>
      violations.push({
        reasonCode: 'BUDGET_CHANGE_EXCEEDS_GUARDRAIL',
        path: at('newBudget', 'amountMinor'),
        actionIndex: index,
        text: `${move}: ${text}`,
      });

    if (change > 0n && rule.maxIncreasePercent !== undefined) {
      const limit = rule.maxIncreasePercent;
      if (current === 0n) exceeds(`an increase from zero exceeds any +${limit}% limit`);
      else if (size * 10_000n > toBasisPoints(limit) * current) {
        exceeds(`+${percentText(size, current)} is above the +${limit}% limit`);
      }
    }
    if (change < 0n && rule.maxDecreasePercent !== undefined) {
      const limit = rule.maxDecreasePercent;
      if (size * 10_000n > toBasisPoints(limit) * current) {
        exceeds(`-${percentText(size, current)} is below the -${limit}% limit`);
      }
    }
    if (rule.maxChange !== undefined) {
      const max = thresholdFor(rule.maxChange, currency);
      if (max === undefined) {
        violations.push({
          reasonCode: 'GUARDRAIL_CURRENCY_NOT_CONFIGURED',
          path: at('currentBudget', 'currency'),
          actionIndex: index,
          text: `${move}: no maxChange is configured for ${currency}, so the move cannot be evaluated`,
        });
      } else if (size > BigInt(max.amountMinor)) {
        exceeds(
          `a move of ${formatMinor(size, currency)} is above the ${formatMinor(max.amountMinor, currency)} limit`,
        );
      }
    }
  });

  const [first] = violations;
  if (first !== undefined) {
    return {
      decision: 'deny',
      reasonCode: first.reasonCode,
      path: first.path,
      actionPaths: actionPathsOf(violations),
      message: `Budget changes outside the guardrail: ${violations.map((v) => v.text).join('; ')}`,
    };
  }
  const actionsPath = pointer('options', optionIndex, 'actions');
  if (seen === 0) {
    return allow('NO_BUDGET_CHANGE_ACTIONS', actionsPath, 'The option changes no campaign budget');
  }
  return allow(
    'BUDGET_CHANGES_WITHIN_GUARDRAIL',
    actionsPath,
    `${seen} budget change(s) within the guardrail`,
  );
}
