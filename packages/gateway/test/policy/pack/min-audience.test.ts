import { describe, expect, test } from 'vitest';
import { basePlan, decideOne, optionAt, ruleIssues } from '../helpers.js';

const rule = (minimums: unknown[]) => ({
  type: 'min_audience',
  enforcement: 'hard_mandatory',
  minimums,
});

describe('min_audience', () => {
  test('counts the contacts an action names (threshold minContacts, at and below)', () => {
    const at = decideOne(basePlan(), rule([{ destination: 'hubspot', minContacts: 2 }]));
    expect(at).toMatchObject({ decision: 'allow', reasonCode: 'AUDIENCE_AT_OR_ABOVE_MINIMUM' });
    const below = decideOne(basePlan(), rule([{ destination: 'hubspot', minContacts: 3 }]));
    expect(below).toMatchObject({
      decision: 'deny',
      reasonCode: 'AUDIENCE_BELOW_MINIMUM',
      path: '/options/0/actions/0',
    });
    expect(below.message).toContain('needs at least 3');
  });

  test('a segment send is measured by the audience estimate (e.g. 1,000 for TikTok)', () => {
    const plan = basePlan();
    optionAt(plan, 1).audience.estimatedSize = 999;
    const minimums = [{ destination: 'customerio', minContacts: 1000 }];
    expect(decideOne(plan, rule(minimums), 1).reasonCode).toBe('AUDIENCE_BELOW_MINIMUM');
    optionAt(plan, 1).audience.estimatedSize = 1000;
    expect(decideOne(plan, rule(minimums), 1).reasonCode).toBe('AUDIENCE_AT_OR_ABOVE_MINIMUM');
  });

  test('an action to a destination without a minimum is not checked', () => {
    const decision = decideOne(basePlan(), rule([{ destination: 'x_ads', minContacts: 100 }]));
    expect(decision).toMatchObject({ decision: 'allow', reasonCode: 'NO_DESTINATION_MINIMUM' });
  });

  test('rejects an invalid configuration', () => {
    expect(ruleIssues(rule([{ destination: 'hubspot', minContacts: 0 }]))).toEqual([
      '/rules/0/minimums/0/minContacts TOO_SMALL',
    ]);
    const twice = [
      { destination: 'hubspot', minContacts: 100 },
      { destination: 'hubspot', minContacts: 1000 },
    ];
    expect(ruleIssues(rule(twice))).toEqual(['/rules/0/minimums/1/destination DUPLICATE_ITEM']);
    expect(ruleIssues(rule([]))).toEqual(['/rules/0/minimums TOO_SMALL']);
  });
});
