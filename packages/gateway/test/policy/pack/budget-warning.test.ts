import { describe, expect, test } from 'vitest';
import type { BudgetLineUsage } from '../../../src/policy/policy-facts.js';
import { basePlan, decideOne, ruleIssues } from '../helpers.js';
import { budgetFacts } from './pack-facts.js';

const rule = {
  type: 'budget_warning',
  enforcement: 'hard_mandatory',
  approval: { roles: ['finance'], quorum: 1, distinctRoles: false },
};

/** Option 0 would reserve EUR 645.00 on a EUR 1,000.00 cap already `usedMinor` into its period. */
function decideUsed(usedMinor: number, overrides: Record<string, unknown> = {}) {
  const line: BudgetLineUsage = {
    capId: 'monthly',
    periodKey: 'month:2026-11',
    currency: 'EUR',
    limitMinor: 100_000,
    usedMinor,
    amountMinor: 64_500,
  };
  const facts = budgetFacts({ 'call-prior-successes': [line], 'nurture-broadcast': [] });
  return decideOne(basePlan(), { ...rule, ...overrides }, 0, { facts });
}

describe('budget_warning', () => {
  test('asks for approval when the plan would reach the 80 % line, not just below it', () => {
    expect(decideUsed(15_500)).toMatchObject({
      decision: 'require_approval',
      reasonCode: 'BUDGET_WARNING_LINE_CROSSED',
      path: '/options/0/budget',
      approval: { roles: ['finance'], quorum: 1, distinctRoles: false },
    });
    expect(decideUsed(15_499)).toMatchObject({
      decision: 'allow',
      reasonCode: 'BELOW_BUDGET_WARNING_LINES',
    });
  });

  test('the 100 % line: reaching the limit exactly crosses it', () => {
    const decision = decideUsed(35_500);
    expect(decision.reasonCode).toBe('BUDGET_WARNING_LINE_CROSSED');
    expect(decision.message).toContain('100 % line');
  });

  test('a cap already past a line does not cross it again', () => {
    expect(decideUsed(80_000, { warningPercents: [80] }).reasonCode).toBe(
      'BELOW_BUDGET_WARNING_LINES',
    );
  });

  test('configured lines replace the defaults', () => {
    expect(decideUsed(0, { warningPercents: [50] }).reasonCode).toBe('BUDGET_WARNING_LINE_CROSSED');
    expect(decideUsed(0).reasonCode).toBe('BELOW_BUDGET_WARNING_LINES');
  });

  test('without budget facts it denies (fails closed)', () => {
    expect(decideOne(basePlan(), rule).reasonCode).toBe('RULE_EVALUATION_FAILED');
  });

  test('rejects an invalid configuration', () => {
    expect(ruleIssues({ ...rule, warningPercents: [101] })).toEqual([
      '/rules/0/warningPercents/0 TOO_BIG',
    ]);
    expect(ruleIssues({ ...rule, warningPercents: [80, 80] })).toEqual([
      '/rules/0/warningPercents DUPLICATE_ITEM',
    ]);
  });
});
