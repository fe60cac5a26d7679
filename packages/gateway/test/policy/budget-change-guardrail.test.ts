import type { CurrencyCode, HandoffPlan } from '@handoff/protocol';
import { describe, expect, test } from 'vitest';
import { basePlan, decideOne, optionAt, ruleIssues } from './helpers.js';

const base = { type: 'budget_change_guardrail', enforcement: 'hard_mandatory' };
const NEW_BUDGET = '/options/1/actions/1/params/newBudget/amountMinor';

/** The base plan with budget moves added to option 1 (`nurture-broadcast`), all in `currency`. */
function planMoving(
  moves: [current: number, next: number][],
  currency: CurrencyCode = 'EUR',
): HandoffPlan {
  const plan = basePlan();
  const option = optionAt(plan, 1);
  option.budget.amount.currency = currency;
  for (const action of option.actions) action.estimatedCost.currency = currency;
  moves.forEach(([current, next], index) => {
    option.actions.push({
      type: 'set_campaign_budget',
      actionId: `move-${index}`,
      adapter: 'google-ads',
      estimatedCost: { amountMinor: 0, currency },
      params: {
        campaignId: `search-${index}`,
        budgetType: 'daily',
        currentBudget: { amountMinor: current, currency },
        newBudget: { amountMinor: next, currency },
      },
    });
  });
  return plan;
}

function verdict(plan: HandoffPlan, limits: Record<string, unknown>) {
  return decideOne(plan, { ...base, ...limits }, 1);
}

describe('budget_change_guardrail: percentages', () => {
  test('options without budget moves are allowed', () => {
    expect(verdict(basePlan(), { maxIncreasePercent: 0 })).toMatchObject({
      decision: 'allow',
      reasonCode: 'NO_BUDGET_CHANGE_ACTIONS',
      path: '/options/1/actions',
    });
  });

  test('an increase exactly at the limit is allowed; one minor unit more is denied', () => {
    const at = verdict(planMoving([[10_000, 12_000]]), { maxIncreasePercent: 20 });
    expect(at).toMatchObject({ decision: 'allow', reasonCode: 'BUDGET_CHANGES_WITHIN_GUARDRAIL' });
    const over = verdict(planMoving([[10_000, 12_001]]), { maxIncreasePercent: 20 });
    expect(over).toMatchObject({
      decision: 'deny',
      reasonCode: 'BUDGET_CHANGE_EXCEEDS_GUARDRAIL',
      path: NEW_BUDGET,
    });
    expect(over.message).toContain('+20.01% is above the +20% limit');
  });

  test('fractional percentages are exact to the basis point', () => {
    expect(verdict(planMoving([[10_000, 11_250]]), { maxIncreasePercent: 12.5 }).decision).toBe(
      'allow',
    );
    expect(verdict(planMoving([[10_000, 11_251]]), { maxIncreasePercent: 12.5 }).decision).toBe(
      'deny',
    );
    expect(verdict(planMoving([[10_000, 10_029]]), { maxIncreasePercent: 0.29 }).decision).toBe(
      'allow',
    );
    expect(verdict(planMoving([[10_000, 10_030]]), { maxIncreasePercent: 0.29 }).decision).toBe(
      'deny',
    );
  });

  test('comparisons stay exact beyond the float range of products', () => {
    const current = 5_000_000_000_000_000;
    const allowed = verdict(planMoving([[current, 6_000_000_000_000_000]]), {
      maxIncreasePercent: 20,
    });
    expect(allowed.decision).toBe('allow');
    const denied = verdict(planMoving([[current, 6_000_000_000_000_001]]), {
      maxIncreasePercent: 20,
    });
    expect(denied.decision).toBe('deny');
  });

  test('decreases are bounded by maxDecreasePercent only', () => {
    expect(verdict(planMoving([[10_000, 5_000]]), { maxDecreasePercent: 50 }).decision).toBe(
      'allow',
    );
    const cut = verdict(planMoving([[10_000, 4_999]]), { maxDecreasePercent: 50 });
    expect(cut).toMatchObject({ decision: 'deny', reasonCode: 'BUDGET_CHANGE_EXCEEDS_GUARDRAIL' });
    expect(cut.message).toContain('-50.01% is below the -50% limit');
    expect(verdict(planMoving([[10_000, 0]]), { maxIncreasePercent: 1 }).decision).toBe('allow');
    expect(verdict(planMoving([[10_000, 50_000]]), { maxDecreasePercent: 1 }).decision).toBe(
      'allow',
    );
  });

  test('any increase from a zero budget exceeds a percentage limit', () => {
    const fromZero = verdict(planMoving([[0, 1]]), { maxIncreasePercent: 100_000 });
    expect(fromZero).toMatchObject({
      decision: 'deny',
      reasonCode: 'BUDGET_CHANGE_EXCEEDS_GUARDRAIL',
    });
    expect(verdict(planMoving([[0, 0]]), { maxIncreasePercent: 0 }).decision).toBe('allow');
  });
});

describe('budget_change_guardrail: absolute limit', () => {
  const maxChange = [{ amountMinor: 100_000, currency: 'EUR' }];

  test('a move exactly at maxChange is allowed, in either direction; more is denied', () => {
    expect(verdict(planMoving([[10_000, 110_000]]), { maxChange }).decision).toBe('allow');
    expect(verdict(planMoving([[110_000, 10_000]]), { maxChange }).decision).toBe('allow');
    const over = verdict(planMoving([[10_000, 110_001]]), { maxChange });
    expect(over).toMatchObject({ decision: 'deny', path: NEW_BUDGET });
    expect(over.message).toContain('EUR 1000.01 is above the EUR 1000.00 limit');
    expect(verdict(planMoving([[0, 100_000]]), { maxChange }).decision).toBe('allow');
  });

  test('no maxChange in the action currency: the rule cannot evaluate and denies', () => {
    const decision = verdict(planMoving([[10_000, 10_001]], 'USD'), { maxChange });
    expect(decision).toMatchObject({
      decision: 'deny',
      reasonCode: 'GUARDRAIL_CURRENCY_NOT_CONFIGURED',
      path: '/options/1/actions/1/params/currentBudget/currency',
    });
  });

  test('several violations: the first sets path and reason, the message names all', () => {
    const plan = planMoving([
      [10_000, 10_500],
      [10_000, 20_000],
      [10_000, 500_000],
    ]);
    const decision = verdict(plan, { maxIncreasePercent: 10, maxChange });
    expect(decision.path).toBe('/options/1/actions/2/params/newBudget/amountMinor');
    expect(decision.message).toMatch(
      /search-1 .*\+100\.00%.*search-2 .*\+4900\.00%.*search-2 .*EUR 4900\.00/,
    );
    expect(decision.message).not.toContain('search-0');
    // One path per violating action (search-2 breaks two limits and is named once), the first being `path`.
    expect(decision.actionPaths).toEqual([
      '/options/1/actions/2/params/newBudget/amountMinor',
      '/options/1/actions/3/params/newBudget/amountMinor',
    ]);
  });

  test('a two-move violation names both moves, each by its own path, with no message parsing', () => {
    const plan = planMoving([
      [8, 10],
      [10_000, 10_000],
      [40, 32],
    ]);
    const decision = verdict(plan, { maxIncreasePercent: 20, maxDecreasePercent: 15 });
    expect(decision).toMatchObject({
      decision: 'deny',
      reasonCode: 'BUDGET_CHANGE_EXCEEDS_GUARDRAIL',
      path: '/options/1/actions/1/params/newBudget/amountMinor',
      actionPaths: [
        '/options/1/actions/1/params/newBudget/amountMinor',
        '/options/1/actions/3/params/newBudget/amountMinor',
      ],
    });
  });

  test('each violating action is named by the path of its first violation', () => {
    // USD moves, maxChange configured in EUR only: every move also fails as GUARDRAIL_CURRENCY_NOT_CONFIGURED.
    const plan = planMoving(
      [
        [10_000, 20_000],
        [10_000, 10_001],
      ],
      'USD',
    );
    const maxChange = [{ amountMinor: 1_000_000, currency: 'EUR' }];
    const decision = verdict(plan, { maxIncreasePercent: 10, maxChange });
    expect(decision.actionPaths).toEqual([
      '/options/1/actions/1/params/newBudget/amountMinor',
      '/options/1/actions/2/params/currentBudget/currency',
    ]);
  });

  test('an allowed option names no actions', () => {
    const decision = verdict(planMoving([[10_000, 10_500]]), { maxIncreasePercent: 10 });
    expect(decision.decision).toBe('allow');
    expect(decision).not.toHaveProperty('actionPaths');
  });
});

describe('budget_change_guardrail: settings', () => {
  test('needs at least one limit', () => {
    expect(ruleIssues(base)).toEqual(['/rules/0 MISSING_ONE_OF']);
  });

  test('percentages are bounded and whole basis points', () => {
    expect(ruleIssues({ ...base, maxIncreasePercent: 12.345 })).toEqual([
      '/rules/0/maxIncreasePercent PERCENT_PRECISION',
    ]);
    expect(ruleIssues({ ...base, maxDecreasePercent: 101 })).toEqual([
      '/rules/0/maxDecreasePercent TOO_BIG',
    ]);
    expect(ruleIssues({ ...base, maxIncreasePercent: -1 })).toEqual([
      '/rules/0/maxIncreasePercent TOO_SMALL',
    ]);
  });

  test('maxChange: one entry per known currency', () => {
    const gold = { ...base, maxChange: [{ amountMinor: 1, currency: 'XAU' }] };
    expect(ruleIssues(gold)).toEqual(['/rules/0/maxChange/0/currency UNKNOWN_CURRENCY']);
  });
});
