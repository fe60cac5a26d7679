import { describe, expect, test } from 'vitest';
import { basePlan, decide, decideOne, optionAt, ruleIssues } from './helpers.js';

const base = {
  type: 'ai_mode_claims',
  enforcement: 'hard_mandatory',
  claimSensitiveContentKinds: ['case_study', 'positioning', 'board_report'],
  claimSensitiveStages: ['advocate', 'promote'],
};

function aiLedPlan() {
  const plan = basePlan();
  plan.workflow.aiMode = 'ai_led';
  return plan;
}

describe('ai_mode_claims', () => {
  test('denies AI-led work producing claim-sensitive content', () => {
    const plan = aiLedPlan();
    optionAt(plan, 0).contentKind = 'case_study';
    const [caseStudy, email] = decide(plan, base);
    expect(caseStudy).toMatchObject({
      decision: 'deny',
      reasonCode: 'AI_LED_ON_CLAIM_SENSITIVE_WORK',
      path: '/workflow/aiMode',
    });
    expect(caseStudy?.message).toContain('case_study');
    expect(email).toMatchObject({ decision: 'allow', reasonCode: 'NOT_CLAIM_SENSITIVE' });
  });

  test('denies AI-led work at a claim-sensitive stage, whatever the content', () => {
    const plan = aiLedPlan();
    plan.workflow.cvjStage = 'advocate';
    delete optionAt(plan, 1).contentKind;
    for (const decision of decide(plan, base)) {
      expect(decision.reasonCode).toBe('AI_LED_ON_CLAIM_SENSITIVE_WORK');
      expect(decision.message).toContain('advocate');
    }
  });

  test('a claim-sensitive kind at a claim-sensitive stage names both in the message', () => {
    const plan = aiLedPlan();
    plan.workflow.cvjStage = 'promote';
    optionAt(plan, 0).contentKind = 'positioning';
    const decision = decideOne(plan, base);
    expect(decision.message).toMatch(/positioning.*promote/);
  });

  test('modes that are not denied are allowed on claim-sensitive work', () => {
    const plan = basePlan();
    plan.workflow.cvjStage = 'advocate';
    optionAt(plan, 0).contentKind = 'board_report';
    expect(decideOne(plan, base)).toMatchObject({
      decision: 'allow',
      reasonCode: 'AI_MODE_PERMITTED',
      path: '/workflow/aiMode',
    });
  });

  test('deniedModes defaults to ai_led and can be widened', () => {
    const plan = basePlan();
    optionAt(plan, 0).contentKind = 'case_study';
    expect(decideOne(plan, base).decision).toBe('allow');
    const wider = decideOne(plan, { ...base, deniedModes: ['ai_led', 'ai_assisted'] });
    expect(wider.reasonCode).toBe('AI_LED_ON_CLAIM_SENSITIVE_WORK');
    const led = aiLedPlan();
    optionAt(led, 0).contentKind = 'case_study';
    expect(decideOne(led, { ...base, deniedModes: ['human_only'] }).decision).toBe('allow');
  });

  test('settings: at least one claim-sensitive kind or stage, known values only', () => {
    const empty = { ...base, claimSensitiveContentKinds: [], claimSensitiveStages: [] };
    expect(ruleIssues(empty)).toEqual(['/rules/0 MISSING_ONE_OF']);
    const unknown = { ...base, claimSensitiveStages: ['evangelise'] };
    expect(ruleIssues(unknown)).toEqual(['/rules/0/claimSensitiveStages/0 INVALID_VALUE']);
    expect(ruleIssues({ ...base, deniedModes: [] })).toEqual(['/rules/0/deniedModes TOO_SMALL']);
  });
});
