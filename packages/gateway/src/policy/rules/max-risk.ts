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

const limit = z.number().min(0).max(1);

/** Highest allowed risk score (0..1) per AI mode; at least one mode is required (`MISSING_ONE_OF`). */
export const RiskLimitsSchema = perAiModeSchema(limit, 'a limit');

/**
 * `max_risk`: caps an option's `risk.score` by the workflow's AI mode, e.g.
 * `{ ai_led: 0.3, ai_assisted: 0.6 }`. A score equal to the limit is allowed; a mode without a limit is not capped.
 */
export const MaxRiskRuleSchema = z.strictObject({
  ...ruleCommonShape,
  type: z.literal('max_risk'),
  limits: RiskLimitsSchema,
});
/** See {@link MaxRiskRuleSchema}. */
export type MaxRiskRule = z.infer<typeof MaxRiskRuleSchema>;

/**
 * Evaluates a `max_risk` rule for one option: `deny` with `RISK_ABOVE_MAXIMUM` (path `/options/i/risk/score`),
 * `allow` with `RISK_WITHIN_MAXIMUM`, or `allow` with `NO_RISK_LIMIT_FOR_AI_MODE`.
 */
export function evaluateMaxRisk(
  rule: MaxRiskRule,
  { plan, option, optionIndex }: RuleContext,
): RuleFinding {
  const path = pointer('options', optionIndex, 'risk', 'score');
  const mode = plan.workflow.aiMode;
  const max = rule.limits[mode];
  const score = option.risk.score;
  if (max === undefined) {
    return allow('NO_RISK_LIMIT_FOR_AI_MODE', path, `No risk limit is set for ${mode} workflows`);
  }
  if (score > max) {
    return deny(
      'RISK_ABOVE_MAXIMUM',
      path,
      `Risk score ${score} is above the maximum of ${max} for ${mode} workflows`,
    );
  }
  return allow('RISK_WITHIN_MAXIMUM', path, `Risk score ${score} is within the maximum of ${max}`);
}
