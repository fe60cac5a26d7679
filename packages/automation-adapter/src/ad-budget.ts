import type { ActionOf, Money } from '@handoff/protocol';
import type { PreflightIssue, PreflightResult } from './adapter.js';
import { AdapterError } from './adapter-error.js';

/** A campaign (or ad set) budget as the platform holds it, in the contract's integer minor units. */
export interface ObservedBudget {
  amount: Money;
  /** `daily`, or `lifetime` (Meta's `lifetime_budget`, Google Ads' total budget over a custom period). */
  budgetType: 'daily' | 'lifetime';
}

/** The platform's figures a budget move is checked against, in minor units of the account's currency. */
export interface BudgetRules {
  /** Amounts must be whole multiples of this (1: any amount of minor units). */
  granularityMinor: number;
  /** The platform's smallest daily budget, where known. */
  minimumDailyMinor?: number;
  /** The platform's largest budget, where known. */
  maximumMinor?: number;
}

const fmt = (m: Money) => `${m.amountMinor} minor units of ${m.currency}`;

/**
 * Checks a `set_campaign_budget` action against what the platform holds (the preflight every ad adapter runs):
 * the currency and budget type must match, the platform's budget must still be the action's `currentBudget`
 * (else `CONFLICT`, unless it already is the `newBudget`: then `alreadyApplied`), and the new budget must be a
 * whole multiple of the platform's unit and within its minimum and maximum. Issues name the platform's figures.
 */
export function checkBudgetMove(
  action: ActionOf<'set_campaign_budget'>,
  observed: ObservedBudget,
  rules: BudgetRules,
): PreflightResult {
  const { currentBudget, newBudget, budgetType } = action.params;
  const issues: PreflightIssue[] = [];
  const facts = {
    currentBudget: observed.amount,
    budgetType: observed.budgetType,
    granularityMinor: rules.granularityMinor,
    ...(rules.minimumDailyMinor === undefined
      ? {}
      : { minimumDailyMinor: rules.minimumDailyMinor }),
    ...(rules.maximumMinor === undefined ? {} : { maximumMinor: rules.maximumMinor }),
  };
  if (observed.amount.currency !== newBudget.currency) {
    issues.push({
      path: '/params/newBudget/currency',
      code: 'CURRENCY_MISMATCH',
      message: `The account's currency is ${observed.amount.currency}, the action's ${newBudget.currency}`,
    });
    return { ok: false, observed: facts, issues };
  }
  if (observed.budgetType !== budgetType) {
    issues.push({
      path: '/params/budgetType',
      code: 'BUDGET_TYPE_MISMATCH',
      message: `The platform's budget is ${observed.budgetType}, the action sets a ${budgetType} budget`,
    });
  }
  const alreadyApplied = observed.amount.amountMinor === newBudget.amountMinor;
  if (observed.amount.amountMinor !== currentBudget.amountMinor && !alreadyApplied) {
    issues.push({
      path: '/params/currentBudget/amountMinor',
      code: 'CONFLICT',
      message: `The platform's budget is ${fmt(observed.amount)}, the plan was made against ${fmt(currentBudget)}`,
    });
  }
  if (newBudget.amountMinor % rules.granularityMinor !== 0) {
    issues.push({
      path: '/params/newBudget/amountMinor',
      code: 'BUDGET_GRANULARITY',
      message: `${fmt(newBudget)} is not a whole multiple of the platform's unit of ${rules.granularityMinor} minor units`,
    });
  }
  if (
    budgetType === 'daily' &&
    rules.minimumDailyMinor !== undefined &&
    newBudget.amountMinor < rules.minimumDailyMinor
  ) {
    issues.push({
      path: '/params/newBudget/amountMinor',
      code: 'BELOW_PLATFORM_MINIMUM',
      message: `${fmt(newBudget)} is below the platform's minimum daily budget of ${rules.minimumDailyMinor}`,
    });
  }
  if (rules.maximumMinor !== undefined && newBudget.amountMinor > rules.maximumMinor) {
    issues.push({
      path: '/params/newBudget/amountMinor',
      code: 'ABOVE_PLATFORM_MAXIMUM',
      message: `${fmt(newBudget)} is above the platform's maximum budget of ${rules.maximumMinor}`,
    });
  }
  if (issues.length > 0) return { ok: false, observed: facts, issues };
  return { ok: true, observed: facts, ...(alreadyApplied ? { alreadyApplied: true } : {}) };
}

/** What `reverse` needs to undo a budget move: the budget read from the platform just before the change. */
export interface BudgetReversal {
  kind: 'budget';
  previousBudget: Money;
  budgetType: 'daily' | 'lifetime';
}

/** Reads a {@link BudgetReversal} back from a receipt's `reversal`. @throws AdapterError `UNSUPPORTED_ACTION`. */
export function budgetReversalOf(reversal: Record<string, unknown>): BudgetReversal {
  const previous = reversal.previousBudget as Partial<Money> | undefined;
  if (
    reversal.kind !== 'budget' ||
    typeof previous?.amountMinor !== 'number' ||
    typeof previous.currency !== 'string' ||
    (reversal.budgetType !== 'daily' && reversal.budgetType !== 'lifetime')
  ) {
    throw new AdapterError('UNSUPPORTED_ACTION', 'The receipt holds no budget to restore');
  }
  return {
    kind: 'budget',
    previousBudget: { amountMinor: previous.amountMinor, currency: previous.currency } as Money,
    budgetType: reversal.budgetType,
  };
}

/**
 * The `set_campaign_budget` action that undoes `action` given what was read at dispatch: from the action's
 * `newBudget` back to the budget the platform held before (so the reversal passes the same preflight).
 */
export function reversedBudgetMove(
  action: ActionOf<'set_campaign_budget'>,
  reversal: BudgetReversal,
): ActionOf<'set_campaign_budget'> {
  return {
    ...action,
    params: {
      ...action.params,
      currentBudget: action.params.newBudget,
      newBudget: reversal.previousBudget,
    },
  };
}

/** Throws the AdapterError a failed preflight means when `execute` runs it itself (`CONFLICT` or `INVALID_REQUEST`). */
export function preflightError(
  platform: string,
  result: PreflightResult,
): AdapterError | undefined {
  if (result.ok) return undefined;
  const conflict = result.issues.some((i) => i.code === 'CONFLICT');
  const summary = result.issues.map((i) => `${i.path} ${i.code}: ${i.message}`).join('; ');
  return new AdapterError(
    conflict ? 'CONFLICT' : 'INVALID_REQUEST',
    `${platform} refused the change: ${summary}`,
    {
      retryable: false,
    },
  );
}

/**
 * The status a pause or resume found at dispatch (`{ kind: 'status', previousStatus }` in a receipt's
 * `reversal`), which `reverse` sets back. @throws AdapterError `UNSUPPORTED_ACTION` when the receipt holds none.
 */
export function statusReversalOf(reversal: Record<string, unknown>): string {
  if (reversal.kind !== 'status' || typeof reversal.previousStatus !== 'string')
    throw new AdapterError('UNSUPPORTED_ACTION', 'The receipt holds no status to restore');
  return reversal.previousStatus;
}

/**
 * The preflight of a pause or resume: `alreadyApplied` when the status already is `target`, and a `CONFLICT` when
 * the object has ended (`ended`: e.g. Google Ads' REMOVED, Meta's DELETED or ARCHIVED), whose status can no
 * longer change.
 */
export function checkStatusChange(
  current: string,
  target: string,
  ended: readonly string[],
  where: { level: 'campaign' | 'ad_set'; id: string },
): PreflightResult {
  const observed = { status: current, level: where.level };
  if (ended.includes(current)) {
    const what = where.level === 'ad_set' ? 'ad set' : 'campaign';
    const issue: PreflightIssue = {
      path: '/params/campaignId',
      code: 'CONFLICT',
      message: `The ${what} ${where.id} is ${current}; its status cannot change`,
    };
    return { ok: false, observed, issues: [issue] };
  }
  return { ok: true, observed, ...(current === target ? { alreadyApplied: true } : {}) };
}
