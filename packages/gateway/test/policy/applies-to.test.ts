import { describe, expect, test } from 'vitest';
import { basePlan, decide, ruleIssues } from './helpers.js';

const rule = { type: 'max_risk', enforcement: 'hard_mandatory', limits: { ai_assisted: 0 } };

function reasons(
  appliesTo: Record<string, unknown>,
  edit = (_: ReturnType<typeof basePlan>) => {},
) {
  const plan = basePlan();
  edit(plan);
  return decide(plan, { ...rule, appliesTo }).map((d) => d.reasonCode);
}

describe('appliesTo', () => {
  test('a rule without appliesTo (or with an empty one) applies to every plan', () => {
    expect(decide(basePlan(), rule).map((d) => d.reasonCode)).toEqual([
      'RISK_ABOVE_MAXIMUM',
      'RISK_ABOVE_MAXIMUM',
    ]);
    expect(reasons({})).toEqual(['RISK_ABOVE_MAXIMUM', 'RISK_ABOVE_MAXIMUM']);
  });

  test('workflowIds, cvjStages and aiModes each restrict the rule', () => {
    expect(reasons({ workflowIds: ['term-deposit-q4'] })[0]).toBe('RISK_ABOVE_MAXIMUM');
    expect(reasons({ workflowIds: ['winback'] })[0]).toBe('NOT_APPLICABLE');
    expect(reasons({ cvjStages: ['convert', 'ascend'] })[0]).toBe('RISK_ABOVE_MAXIMUM');
    expect(reasons({ cvjStages: ['aware'] })[0]).toBe('NOT_APPLICABLE');
    expect(reasons({ aiModes: ['ai_assisted'] })[0]).toBe('RISK_ABOVE_MAXIMUM');
    expect(reasons({ aiModes: ['ai_led'] })[0]).toBe('NOT_APPLICABLE');
  });

  test('lists combine with AND', () => {
    const both = { workflowIds: ['term-deposit-q4'], cvjStages: ['aware'] };
    expect(reasons(both)).toEqual(['NOT_APPLICABLE', 'NOT_APPLICABLE']);
    const moved = reasons(both, (plan) => {
      plan.workflow.cvjStage = 'aware';
    });
    expect(moved).toEqual(['RISK_ABOVE_MAXIMUM', 'RISK_ABOVE_MAXIMUM']);
  });

  test('a not-applicable rule allows, points at the workflow and never blocks', () => {
    const [decision] = decide(basePlan(), { ...rule, appliesTo: { aiModes: ['human_only'] } });
    expect(decision).toMatchObject({
      decision: 'allow',
      enforcement: 'hard_mandatory',
      reasonCode: 'NOT_APPLICABLE',
      path: '/workflow',
    });
  });

  test('settings: non-empty, known, strict', () => {
    expect(ruleIssues({ ...rule, appliesTo: { aiModes: [] } })).toEqual([
      '/rules/0/appliesTo/aiModes TOO_SMALL',
    ]);
    expect(ruleIssues({ ...rule, appliesTo: { cvjStages: ['buy'] } })).toEqual([
      '/rules/0/appliesTo/cvjStages/0 INVALID_VALUE',
    ]);
    expect(ruleIssues({ ...rule, appliesTo: { tenants: ['acme'] } })).toEqual([
      '/rules/0/appliesTo/tenants UNRECOGNIZED_KEY',
    ]);
  });
});
