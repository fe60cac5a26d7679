import { describe, expect, test } from 'vitest';
import { basePlan, decide, policyWith, ruleIssues, run } from './helpers.js';

const rule = { type: 'consent', enforcement: 'hard_mandatory' };

function inputAt(plan: ReturnType<typeof basePlan>, index: number) {
  const input = plan.inputs[index];
  if (input === undefined) throw new Error(`No input ${index}`);
  return input;
}

describe('consent', () => {
  test('allows when every input with personal data states a consent basis', () => {
    for (const decision of decide(basePlan(), rule)) {
      expect(decision).toMatchObject({
        decision: 'allow',
        reasonCode: 'CONSENT_BASIS_PRESENT',
        path: '/inputs',
      });
    }
  });

  test('denies every option when an input with personal data has no basis', () => {
    const plan = basePlan();
    delete inputAt(plan, 0).consentBasis;
    const decisions = decide(plan, rule);
    expect(decisions).toHaveLength(2);
    for (const decision of decisions) {
      expect(decision).toMatchObject({
        decision: 'deny',
        reasonCode: 'CONSENT_BASIS_MISSING',
        path: '/inputs/0/consentBasis',
      });
      expect(decision.message).toContain('bank-marketing');
    }
    expect(run(plan, policyWith({ id: 'c', ...rule })).options['nurture-broadcast']?.outcome).toBe(
      'deny',
    );
  });

  test('inputs without personal data need no basis', () => {
    const plan = basePlan();
    const input = inputAt(plan, 0);
    delete input.consentBasis;
    input.personalData = false;
    expect(decide(plan, rule)[0]?.decision).toBe('allow');
  });

  test('points at the first offending input and names them all', () => {
    const plan = basePlan();
    const first = inputAt(plan, 0);
    plan.inputs.push(
      { ...structuredClone(first), inputId: 'crm-export' },
      { ...structuredClone(first), inputId: 'web-signals', kind: 'signal' },
    );
    for (const input of plan.inputs.slice(1)) delete input.consentBasis;
    const [decision] = decide(plan, rule);
    expect(decision?.path).toBe('/inputs/1/consentBasis');
    expect(decision?.message).toMatch(/crm-export and web-signals/);
  });

  test('a plan without inputs passes', () => {
    const plan = basePlan();
    plan.inputs = [];
    for (const option of plan.options) {
      option.evidence = option.evidence.filter((item) => item.type !== 'dataset_reference');
    }
    expect(decide(plan, rule)[1]?.reasonCode).toBe('CONSENT_BASIS_PRESENT');
  });

  test('settings: none accepted', () => {
    expect(ruleIssues({ ...rule, strict: true })).toEqual(['/rules/0/strict UNRECOGNIZED_KEY']);
  });
});
