import { describe, expect, test } from 'vitest';
import { calibrationFigures } from '../../src/outcomes/calibration-math.js';
import type { CalibrationRow } from '../../src/outcomes/calibration-report.js';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { basePlan, EVALUATED_AT, policyWith } from './helpers.js';

const RULE = {
  id: 'calibrated-copilots',
  type: 'forecast_calibration',
  enforcement: 'hard_mandatory',
  minOutcomes: 4,
  minCoverage: 0.6,
  maxAbsRelativeBias: 0.25,
  approval: { roles: ['marketing_lead'], quorum: 1, distinctRoles: false },
};

const COPILOT = {
  vendor: 'Example Copilot Co',
  model: 'example-planner',
  modelVersion: '2026-10-01',
  promptVersion: 'term-deposit-v3',
};

/** A calibration row of the fixture's copilot on conversion_rate (option 0), from `observed` against 0.55/0.64/0.72. */
function row(observed: number[], copilot: CalibrationRow['copilot'] = COPILOT): CalibrationRow {
  const figures = calibrationFigures(
    observed.map((value, i) => ({
      planId: `p${i}`,
      p10: 0.55,
      p50: 0.64,
      p90: 0.72,
      observed: value,
    })),
  );
  return { copilot, kpi: 'conversion_rate', unit: 'ratio', ...figures };
}

/** The rule's decision and the option's evaluation for option 0 of an ai_led plan. */
function judge(
  rows: CalibrationRow[] | undefined,
  aiMode: 'ai_led' | 'ai_assisted' = 'ai_led',
  rule = RULE,
) {
  const plan = basePlan();
  plan.workflow.aiMode = aiMode;
  const evaluation = evaluatePolicy({
    plan,
    planDigest: `sha256:${'0'.repeat(64)}`,
    policySet: policyWith(rule),
    policyVersion: 'v1',
    evaluatedAt: EVALUATED_AT,
    ...(rows ? { calibration: rows } : {}),
  });
  const option = evaluation.options['call-prior-successes'];
  return { option, decision: option?.decisions[0] };
}

describe('forecast_calibration', () => {
  test('coverage below the floor with enough outcomes: ai_led needs approval, and the option carries the figures', () => {
    // 2 of 5 inside (0.6, 0.7), 3 outside: coverage 0.4 < 0.6.
    const figures = row([0.6, 0.7, 0.3, 0.9, 0.5]);
    const { option, decision } = judge([figures]);
    expect(decision).toMatchObject({
      decision: 'require_approval',
      reasonCode: 'COPILOT_COVERAGE_BELOW_FLOOR',
      path: '/options/0/forecast',
      approval: { roles: ['marketing_lead'], quorum: 1 },
    });
    expect(decision?.message).toContain('40.0 % inside p10-p90');
    expect(option?.outcome).toBe('require_approval');
    expect(option?.calibration).toEqual(figures);
  });

  test('coverage held but |p50 relative bias| above the bound needs approval', () => {
    // Every outcome inside, all at 0.72: relative bias (0.72 - 0.64) / 0.64 = 0.125 <= 0.25, so allowed;
    // with a bound of 0.1 it is refused.
    const figures = row([0.72, 0.72, 0.72, 0.72]);
    expect(judge([figures]).decision).toMatchObject({
      decision: 'allow',
      reasonCode: 'COPILOT_CALIBRATED',
    });
    const strict = { ...RULE, maxAbsRelativeBias: 0.1 };
    expect(judge([figures], 'ai_led', strict).decision).toMatchObject({
      decision: 'require_approval',
      reasonCode: 'COPILOT_P50_BIAS_ABOVE_BOUND',
    });
  });

  test('fewer than minOutcomes, no figures, another copilot or a workflow not ai_led: allowed', () => {
    const bad = [0.1, 0.1, 0.1];
    expect(judge([row(bad)]).decision?.reasonCode).toBe('CALIBRATION_INSUFFICIENT_OUTCOMES');
    expect(judge(undefined).decision?.reasonCode).toBe('CALIBRATION_INSUFFICIENT_OUTCOMES');
    const other = row([0.1, 0.1, 0.1, 0.1], { ...COPILOT, promptVersion: 'term-deposit-v4' });
    const { decision, option } = judge([other]);
    expect(decision?.reasonCode).toBe('CALIBRATION_INSUFFICIENT_OUTCOMES');
    expect(option?.calibration).toBeUndefined();
    const assisted = judge([row([0.1, 0.1, 0.1, 0.1])], 'ai_assisted');
    expect(assisted.decision).toMatchObject({ decision: 'allow', reasonCode: 'NOT_AI_LED' });
    expect(assisted.decision?.message).toContain('0.0 % inside');
  });

  test('the rule is validated like any other', () => {
    expect(() => policyWith({ ...RULE, minCoverage: 1.5 })).toThrow();
    expect(() => policyWith({ ...RULE, minOutcomes: 0 })).toThrow();
  });
});
