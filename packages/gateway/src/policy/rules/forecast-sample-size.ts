import { z } from 'zod';
import {
  allow,
  deny,
  perAiModeSchema,
  pointer,
  type RuleContext,
  type RuleFinding,
  ruleCommonShape,
} from './common.js';

const minimum = z.int().min(1).max(Number.MAX_SAFE_INTEGER);

/** The smallest forecast sample size per AI mode; at least one mode is required (`MISSING_ONE_OF`). */
export const SampleSizeMinimumsSchema = perAiModeSchema(minimum, 'a minimum sample size');

/**
 * `forecast_sample_size`: the forecast of an option in a workflow of a given AI mode must rest on at least that
 * many observations (`forecast.basis.sampleSize`, protocol 1.1), e.g. `{ ai_led: 30 }`: work the copilot leads on
 * its own must not rest on one ad's zero-width interval. A forecast without a basis (any 1.0 plan) cannot show it
 * and is refused in a mode with a minimum; a mode without a minimum is not checked. A sample size equal to the
 * minimum is enough.
 */
export const ForecastSampleSizeRuleSchema = z.strictObject({
  ...ruleCommonShape,
  type: z.literal('forecast_sample_size'),
  minSampleSize: SampleSizeMinimumsSchema,
});
/** See {@link ForecastSampleSizeRuleSchema}. */
export type ForecastSampleSizeRule = z.infer<typeof ForecastSampleSizeRuleSchema>;

/**
 * Evaluates a `forecast_sample_size` rule for one option: `deny` with `FORECAST_BASIS_MISSING` (path
 * `/options/i/forecast`) or `FORECAST_SAMPLE_TOO_SMALL` (path `/options/i/forecast/basis/sampleSize`); `allow` with
 * `FORECAST_SAMPLE_SUFFICIENT`, or with `NO_SAMPLE_MINIMUM_FOR_AI_MODE` when the workflow's mode has no minimum.
 */
export function evaluateForecastSampleSize(
  rule: ForecastSampleSizeRule,
  { plan, option, optionIndex }: RuleContext,
): RuleFinding {
  const forecastPath = pointer('options', optionIndex, 'forecast');
  const mode = plan.workflow.aiMode;
  const min = rule.minSampleSize[mode];
  if (min === undefined) {
    return allow(
      'NO_SAMPLE_MINIMUM_FOR_AI_MODE',
      forecastPath,
      `No minimum forecast sample size is set for ${mode} workflows`,
    );
  }
  const { basis } = option.forecast;
  if (basis === undefined) {
    return deny(
      'FORECAST_BASIS_MISSING',
      forecastPath,
      `The forecast states no basis; ${mode} workflows need one with a sample size of at least ${min} (forecast.basis, protocol 1.1)`,
    );
  }
  const path = pointer('options', optionIndex, 'forecast', 'basis', 'sampleSize');
  if (basis.sampleSize < min) {
    return deny(
      'FORECAST_SAMPLE_TOO_SMALL',
      path,
      `The forecast rests on ${basis.sampleSize} observation(s) (${basis.method}); ${mode} workflows need at least ${min}`,
    );
  }
  return allow(
    'FORECAST_SAMPLE_SUFFICIENT',
    path,
    `The forecast rests on ${basis.sampleSize} observation(s), at least the ${min} required`,
  );
}
