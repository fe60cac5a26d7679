import { describe, expect, test } from 'vitest';
import { basePlan, decideOne, optionAt, ruleIssues } from '../helpers.js';

const base = { type: 'brand_safety', enforcement: 'hard_mandatory' };

describe('brand_safety', () => {
  test('denies a blocked term in the content data, as a whole word, case-insensitively', () => {
    const plan = basePlan();
    const decision = decideOne(plan, { ...base, blockedTerms: ['TERM-DEPOSIT-Q4'] }, 1);
    expect(decision).toMatchObject({
      decision: 'deny',
      reasonCode: 'BLOCKED_TERM',
      path: '/options/1/actions/0/params/data/offer',
    });
    expect(decideOne(plan, { ...base, blockedTerms: ['deposit-q'] }, 1).reasonCode).toBe(
      'NO_BLOCKED_CONTENT',
    );
  });

  test('names the blocked category of a term found in the title', () => {
    const plan = basePlan();
    optionAt(plan, 0).title = 'Bet big on term deposits';
    const rule = { ...base, blockedCategories: [{ category: 'gambling', terms: ['bet'] }] };
    const decision = decideOne(plan, rule);
    expect(decision).toMatchObject({ reasonCode: 'BLOCKED_CATEGORY', path: '/options/0/title' });
    expect(decision.message).toContain('gambling');
    optionAt(plan, 0).title = 'Better rates on term deposits';
    expect(decideOne(plan, rule).reasonCode).toBe('NO_BLOCKED_CONTENT');
  });

  test('rejects an invalid configuration', () => {
    expect(ruleIssues(base)).toEqual(['/rules/0 MISSING_ONE_OF']);
    expect(ruleIssues({ ...base, blockedTerms: ['  '] })).toEqual([
      '/rules/0/blockedTerms/0 TOO_SMALL',
    ]);
  });
});
