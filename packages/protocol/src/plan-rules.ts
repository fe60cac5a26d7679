import type { z } from 'zod';
import type { Action } from './action.js';
import type { ProtocolIssueCode } from './issue-codes.js';
import type { Money } from './money.js';
import type { HandoffPlanShapeSchema } from './plan.js';
import { rule } from './primitives.js';
import type { StrategyOption } from './strategy-option.js';
import { planFeatures, requireDeclaredVersion } from './version-features.js';

const checkDeclaredVersion = requireDeclaredVersion(planFeatures);

type PlanShape = z.infer<typeof HandoffPlanShapeSchema>;
type Path = (string | number)[];

/** Every money value in an action, with its path relative to the action. */
function actionMoney(action: Action): [Path, Money][] {
  const out: [Path, Money][] = [[['estimatedCost'], action.estimatedCost]];
  if (action.type === 'set_campaign_budget') {
    out.push([['params', 'currentBudget'], action.params.currentBudget]);
    out.push([['params', 'newBudget'], action.params.newBudget]);
  }
  return out;
}

/** Checks one option; `report` adds an issue at a path relative to the option. */
function checkOption(
  option: StrategyOption,
  inputIds: ReadonlySet<string>,
  report: (code: ProtocolIssueCode, path: Path, message: string) => void,
): void {
  const currency = option.budget.amount.currency;
  const mismatch = (path: Path, found: string) =>
    report(
      'CURRENCY_MISMATCH',
      path,
      `Expected ${currency} (the option's budget currency), got ${found}`,
    );

  if (option.forecast.unit === 'money' && option.forecast.currency !== currency) {
    mismatch(['forecast', 'currency'], option.forecast.currency);
  }
  const { p10, p50, p90 } = option.forecast;
  if (p10 > p50)
    report('FORECAST_NOT_MONOTONIC', ['forecast', 'p50'], `p50 (${p50}) is below p10 (${p10})`);
  if (p50 > p90)
    report('FORECAST_NOT_MONOTONIC', ['forecast', 'p90'], `p90 (${p90}) is below p50 (${p50})`);

  const actionIds = new Set<string>();
  let total = 0n;
  let currenciesAgree = true;
  option.actions.forEach((action, index) => {
    if (actionIds.has(action.actionId)) {
      report(
        'DUPLICATE_ACTION_ID',
        ['actions', index, 'actionId'],
        `Duplicate action id ${action.actionId}`,
      );
    }
    actionIds.add(action.actionId);
    for (const [path, value] of actionMoney(action)) {
      if (value.currency !== currency) {
        currenciesAgree = false;
        mismatch(['actions', index, ...path, 'currency'], value.currency);
      }
    }
    total += BigInt(action.estimatedCost.amountMinor);
  });
  if (currenciesAgree && total > BigInt(option.budget.amount.amountMinor)) {
    report(
      'ACTIONS_EXCEED_BUDGET',
      ['budget', 'amount', 'amountMinor'],
      `Actions cost ${total} minor units in all, above the budget of ${option.budget.amount.amountMinor}`,
    );
  }

  option.evidence.forEach((item, index) => {
    if (item.type === 'dataset_reference' && !inputIds.has(item.inputId)) {
      report(
        'UNKNOWN_INPUT_REFERENCE',
        ['evidence', index, 'inputId'],
        `No plan input has id ${item.inputId}`,
      );
    }
  });
}

/**
 * The HandoffPlan cross-field rules (see `HandoffPlanSchema`). Runs only on a structurally valid plan, so each
 * check may rely on the shape. Issues carry `params.code` and a path from the plan root.
 */
export function checkPlanRules(plan: PlanShape, ctx: z.RefinementCtx): void {
  const report = (code: ProtocolIssueCode, path: Path, message: string) =>
    ctx.addIssue({ code: 'custom', path, message, ...rule(code) });

  if (Date.parse(plan.expiresAt) <= Date.parse(plan.createdAt)) {
    report('EXPIRY_NOT_AFTER_CREATION', ['expiresAt'], 'expiresAt must be after createdAt');
  }

  const inputIds = new Set<string>();
  plan.inputs.forEach((input, index) => {
    if (inputIds.has(input.inputId)) {
      report(
        'DUPLICATE_INPUT_ID',
        ['inputs', index, 'inputId'],
        `Duplicate input id ${input.inputId}`,
      );
    }
    inputIds.add(input.inputId);
  });

  const optionIds = new Set<string>();
  plan.options.forEach((option, index) => {
    if (optionIds.has(option.optionId)) {
      report(
        'DUPLICATE_OPTION_ID',
        ['options', index, 'optionId'],
        `Duplicate option id ${option.optionId}`,
      );
    }
    optionIds.add(option.optionId);
    checkOption(option, inputIds, (code, path, message) =>
      report(code, ['options', index, ...path], message),
    );
  });

  checkDeclaredVersion(plan, ctx);

  if (!optionIds.has(plan.recommendedOptionId)) {
    report(
      'RECOMMENDED_OPTION_NOT_FOUND',
      ['recommendedOptionId'],
      `No option has id ${plan.recommendedOptionId}`,
    );
  }
}
