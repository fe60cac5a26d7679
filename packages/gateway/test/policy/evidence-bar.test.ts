import { describe, expect, test } from 'vitest';
import { basePlan, decide, decideOne, optionAt, ruleIssues } from './helpers.js';

const base = {
  type: 'evidence_bar',
  enforcement: 'hard_mandatory',
  aiModes: ['ai_assisted'],
  minimum: { dataset_reference: 1, citation: 1 },
};

describe('evidence_bar', () => {
  test('allows content with enough evidence and denies content listing what is missing', () => {
    const [met, missing] = decide(basePlan(), base);
    expect(met).toMatchObject({
      decision: 'allow',
      reasonCode: 'EVIDENCE_BAR_MET',
      path: '/options/0/evidence',
    });
    expect(missing).toMatchObject({
      decision: 'deny',
      reasonCode: 'EVIDENCE_BAR_NOT_MET',
      path: '/options/1/evidence',
    });
    expect(missing?.message).toContain('citation (needs 1, has 0)');
    expect(missing?.message).toContain('dataset_reference (needs 1, has 0)');
  });

  test('a count exactly at the minimum is enough; one short is not', () => {
    const rule = { ...base, minimum: { quantified_outcome: 1 } };
    expect(decideOne(basePlan(), rule, 1).decision).toBe('allow');
    const two = { ...base, minimum: { quantified_outcome: 2 } };
    expect(decideOne(basePlan(), two, 1).message).toContain('quantified_outcome (needs 2, has 1)');
  });

  test('a named client counts only with permission to name it', () => {
    const plan = basePlan();
    const option = optionAt(plan, 0);
    option.evidence.push({
      type: 'named_client',
      clientName: 'Example Bank',
      permissionToName: false,
    });
    const rule = { ...base, minimum: { named_client: 1 } };
    expect(decideOne(plan, rule)).toMatchObject({
      decision: 'deny',
      reasonCode: 'EVIDENCE_BAR_NOT_MET',
    });
    option.evidence.push({
      type: 'named_client',
      clientName: 'Other Bank',
      permissionToName: true,
    });
    expect(decideOne(plan, rule).decision).toBe('allow');
  });

  test('does not apply to options without content', () => {
    const plan = basePlan();
    delete optionAt(plan, 1).contentKind;
    expect(decideOne(plan, base, 1)).toMatchObject({
      decision: 'allow',
      reasonCode: 'NOT_APPLICABLE',
      path: '/options/1',
    });
  });

  test('does not apply to AI modes it does not list', () => {
    const plan = basePlan();
    plan.workflow.aiMode = 'human_only';
    for (const decision of decide(plan, base)) {
      expect(decision).toMatchObject({ decision: 'allow', reasonCode: 'NOT_APPLICABLE' });
    }
  });

  test('settings: a minimum for at least one evidence type, whole non-negative counts', () => {
    expect(ruleIssues({ ...base, minimum: {} })).toEqual(['/rules/0/minimum MISSING_ONE_OF']);
    expect(ruleIssues({ ...base, minimum: { citation: -1 } })).toEqual([
      '/rules/0/minimum/citation TOO_SMALL',
    ]);
    expect(ruleIssues({ ...base, minimum: { citation: 1, anecdote: 1 } })).toEqual([
      '/rules/0/minimum/anecdote UNRECOGNIZED_KEY',
    ]);
  });
});
