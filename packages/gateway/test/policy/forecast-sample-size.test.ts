import { HANDOFF_PROTOCOL_VERSION, type HandoffPlan } from '@handoff/protocol';
import { describe, expect, test } from 'vitest';
import { basePlan, decide, decideOne, optionAt, ruleIssues } from './helpers.js';

const base = { type: 'forecast_sample_size', enforcement: 'hard_mandatory' };

/** The base plan (ai_assisted) in `aiMode`, declared 1.1, option 0's forecast resting on `sampleSize` observations. */
function planWith(aiMode: HandoffPlan['workflow']['aiMode'], sampleSize?: number): HandoffPlan {
  const plan = basePlan();
  plan.protocolVersion = HANDOFF_PROTOCOL_VERSION;
  plan.workflow.aiMode = aiMode;
  if (sampleSize !== undefined) {
    optionAt(plan, 0).forecast.basis = { sampleSize, method: 'bootstrap' };
  }
  return plan;
}

describe('forecast_sample_size', () => {
  test('an ai_led forecast resting on fewer observations than the minimum is denied', () => {
    const decision = decideOne(planWith('ai_led', 1), { ...base, minSampleSize: { ai_led: 30 } });
    expect(decision).toMatchObject({
      decision: 'deny',
      reasonCode: 'FORECAST_SAMPLE_TOO_SMALL',
      path: '/options/0/forecast/basis/sampleSize',
    });
    expect(decision.message).toContain('1 observation(s) (bootstrap)');
    expect(decision.message).toContain('at least 30');
  });

  test('a sample size equal to the minimum is enough', () => {
    const decision = decideOne(planWith('ai_led', 30), { ...base, minSampleSize: { ai_led: 30 } });
    expect(decision).toMatchObject({ decision: 'allow', reasonCode: 'FORECAST_SAMPLE_SUFFICIENT' });
  });

  test('an ai_led forecast without a basis (every 1.0 plan) cannot show its sample and is denied', () => {
    const plan = basePlan();
    plan.workflow.aiMode = 'ai_led';
    const [first, second] = decide(plan, { ...base, minSampleSize: { ai_led: 30 } });
    expect(first).toMatchObject({
      decision: 'deny',
      reasonCode: 'FORECAST_BASIS_MISSING',
      path: '/options/0/forecast',
    });
    expect(second?.reasonCode).toBe('FORECAST_BASIS_MISSING');
  });

  test('a mode without a minimum is not checked, basis or not', () => {
    const rule = { ...base, minSampleSize: { ai_led: 30 } };
    expect(decideOne(planWith('ai_assisted', 1), rule)).toMatchObject({
      decision: 'allow',
      reasonCode: 'NO_SAMPLE_MINIMUM_FOR_AI_MODE',
    });
    expect(decideOne(basePlan(), rule).reasonCode).toBe('NO_SAMPLE_MINIMUM_FOR_AI_MODE');
  });

  test('settings: whole minimums of at least 1 for known modes, at least one', () => {
    expect(ruleIssues({ ...base, minSampleSize: {} })).toEqual([
      '/rules/0/minSampleSize MISSING_ONE_OF',
    ]);
    expect(ruleIssues({ ...base, minSampleSize: { ai_led: 0 } })).toEqual([
      '/rules/0/minSampleSize/ai_led TOO_SMALL',
    ]);
    expect(ruleIssues({ ...base, minSampleSize: { ai_led: 2.5 } })).toEqual([
      '/rules/0/minSampleSize/ai_led NOT_INTEGER',
    ]);
    expect(ruleIssues({ ...base, minSampleSize: { ai_led: 3, robot: 3 } })).toEqual([
      '/rules/0/minSampleSize/robot UNRECOGNIZED_KEY',
    ]);
  });
});
