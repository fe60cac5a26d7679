import { describe, expect, test } from 'vitest';
import { basePlan, decide, decideOne, optionAt, ruleIssues } from './helpers.js';

const base = { type: 'max_risk', enforcement: 'hard_mandatory' };

describe('max_risk', () => {
  test('denies an option whose risk is above the limit for the workflow AI mode', () => {
    const [low, medium] = decide(basePlan(), { ...base, limits: { ai_assisted: 0.3 } });
    expect(low).toMatchObject({
      decision: 'allow',
      reasonCode: 'RISK_WITHIN_MAXIMUM',
      path: '/options/0/risk/score',
    });
    expect(medium).toMatchObject({
      decision: 'deny',
      reasonCode: 'RISK_ABOVE_MAXIMUM',
      path: '/options/1/risk/score',
    });
    expect(medium?.message).toContain('0.35');
  });

  test('a score equal to the limit is allowed', () => {
    const decision = decideOne(basePlan(), { ...base, limits: { ai_assisted: 0.35 } }, 1);
    expect(decision).toMatchObject({ decision: 'allow', reasonCode: 'RISK_WITHIN_MAXIMUM' });
  });

  test('uses the limit of the plan AI mode only', () => {
    const plan = basePlan();
    plan.workflow.aiMode = 'ai_led';
    optionAt(plan, 0).risk.score = 0.31;
    const limits = { ai_led: 0.3, ai_assisted: 0.9 };
    expect(decideOne(plan, { ...base, limits }).reasonCode).toBe('RISK_ABOVE_MAXIMUM');
  });

  test('a mode without a limit is not capped', () => {
    const plan = basePlan();
    optionAt(plan, 0).risk.score = 1;
    expect(decideOne(plan, { ...base, limits: { ai_led: 0 } })).toMatchObject({
      decision: 'allow',
      reasonCode: 'NO_RISK_LIMIT_FOR_AI_MODE',
    });
  });

  test('a limit of 0 denies any risk', () => {
    const plan = basePlan();
    const [positive] = decide(plan, { ...base, limits: { ai_assisted: 0 } });
    expect(positive?.decision).toBe('deny');
    optionAt(plan, 0).risk.score = 0;
    expect(decideOne(plan, { ...base, limits: { ai_assisted: 0 } }).decision).toBe('allow');
  });

  test('settings: limits in 0..1 for known modes, at least one', () => {
    expect(ruleIssues({ ...base, limits: {} })).toEqual(['/rules/0/limits MISSING_ONE_OF']);
    expect(ruleIssues({ ...base, limits: { ai_led: 1.5 } })).toEqual([
      '/rules/0/limits/ai_led TOO_BIG',
    ]);
    expect(ruleIssues({ ...base, limits: { ai_led: 0.2, robot: 0.1 } })).toEqual([
      '/rules/0/limits/robot UNRECOGNIZED_KEY',
    ]);
  });
});
