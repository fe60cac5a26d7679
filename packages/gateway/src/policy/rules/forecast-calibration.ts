import { z } from 'zod';
import { type CalibrationRow, copilotKpiKey } from '../../outcomes/calibration-report.js';
import { ApprovalSpecSchema } from './approval-threshold.js';
import { allow, pointer, type RuleContext, type RuleFinding, ruleCommonShape } from './common.js';

/**
 * `forecast_calibration`: a copilot whose forecasts have proved poorly calibrated may not run `ai_led` workflows
 * unattended. Once the copilot (vendor, model, model version, prompt version/hash) has at least `minOutcomes` final
 * outcomes on the KPI an option forecasts, the option of an `ai_led` workflow needs `approval` when the share of
 * outcomes inside its p10-p90 intervals is below `minCoverage` (0..1; a calibrated copilot lands near 0.8), or
 * when `maxAbsRelativeBias` is set and |p50 relative bias| ((sum observed - sum p50) / sum p50) exceeds it.
 * Figures come from the tenant's outcome reports (see `calibrationReport`), as of the evaluation; the option's
 * evaluation carries them (`calibration`) into the plan view the approvers read.
 */
export const ForecastCalibrationRuleSchema = z.strictObject({
  ...ruleCommonShape,
  type: z.literal('forecast_calibration'),
  minOutcomes: z.int().min(1).max(100_000),
  minCoverage: z.number().min(0).max(1),
  maxAbsRelativeBias: z.number().min(0).optional(),
  approval: ApprovalSpecSchema,
});
/** See {@link ForecastCalibrationRuleSchema}. */
export type ForecastCalibrationRule = z.infer<typeof ForecastCalibrationRuleSchema>;

/** The copilot's calibration row on the KPI the option forecasts, from the tenant's copilot rows, if any. */
export function calibrationOf(
  rows: readonly CalibrationRow[] | undefined,
  { plan, option }: Pick<RuleContext, 'plan' | 'option'>,
): CalibrationRow | undefined {
  const key = copilotKpiKey(plan.copilot, option.forecast);
  return rows?.find((row) => row.copilot && copilotKpiKey(row.copilot, option.forecast) === key);
}

const pct = (share: number) => `${(share * 100).toFixed(1)} %`;

/** The figures in words, for the decision's message (the approver's view). */
function figures(row: CalibrationRow): string {
  const bias = row.p50RelativeBias === null ? 'n/a' : pct(row.p50RelativeBias);
  return `${row.outcomes} outcome(s) on ${row.kpi}: ${pct(row.inside.share)} inside p10-p90, ${pct(row.below.share)} below, ${pct(row.above.share)} above; p50 relative bias ${bias}, pinball loss ${row.pinballLoss}`;
}

/**
 * Evaluates a `forecast_calibration` rule for one option (path `/options/i/forecast`): `require_approval` with
 * `COPILOT_COVERAGE_BELOW_FLOOR` or `COPILOT_P50_BIAS_ABOVE_BOUND`; else `allow` with `NOT_AI_LED`,
 * `CALIBRATION_INSUFFICIENT_OUTCOMES` (fewer than `minOutcomes`, or no calibration known) or `COPILOT_CALIBRATED`.
 */
export function evaluateForecastCalibration(
  rule: ForecastCalibrationRule,
  context: RuleContext,
): RuleFinding {
  const path = pointer('options', context.optionIndex, 'forecast');
  const row = calibrationOf(context.calibration, context);
  const known = row ? ` (${figures(row)})` : '';
  if (context.plan.workflow.aiMode !== 'ai_led') {
    return allow('NOT_AI_LED', path, `The workflow is not ai_led${known}`);
  }
  if (!row || row.outcomes < rule.minOutcomes) {
    const have = row?.outcomes ?? 0;
    const message = `The copilot has ${have} final outcome(s) on this KPI; the rule judges from ${rule.minOutcomes}${known}`;
    return allow('CALIBRATION_INSUFFICIENT_OUTCOMES', path, message);
  }
  const approval = { ...rule.approval, roles: [...rule.approval.roles] };
  if (row.inside.share < rule.minCoverage) {
    return {
      decision: 'require_approval',
      reasonCode: 'COPILOT_COVERAGE_BELOW_FLOOR',
      path,
      message: `The copilot's p10-p90 coverage is below the floor of ${pct(rule.minCoverage)}: ${figures(row)}`,
      approval,
    };
  }
  const bias = row.p50RelativeBias;
  if (
    rule.maxAbsRelativeBias !== undefined &&
    bias !== null &&
    Math.abs(bias) > rule.maxAbsRelativeBias
  ) {
    return {
      decision: 'require_approval',
      reasonCode: 'COPILOT_P50_BIAS_ABOVE_BOUND',
      path,
      message: `The copilot's p50 relative bias exceeds ${pct(rule.maxAbsRelativeBias)}: ${figures(row)}`,
      approval,
    };
  }
  return allow('COPILOT_CALIBRATED', path, `The copilot's forecasts hold: ${figures(row)}`);
}
