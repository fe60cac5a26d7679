import { type AiMode, AiModeSchema, ContentKindSchema, CvjStageSchema } from '@handoff/protocol';
import { z } from 'zod';
import {
  allow,
  deny,
  distinctArray,
  listText,
  pointer,
  type RuleContext,
  type RuleFinding,
  ruleCommonShape,
} from './common.js';

/** The AI modes an `ai_mode_claims` rule denies when it names none: only `ai_led`. */
export const DEFAULT_CLAIM_DENIED_MODES: readonly AiMode[] = ['ai_led'];

const contentKinds = z.array(ContentKindSchema).max(10);
const stages = z.array(CvjStageSchema).max(8);

/**
 * `ai_mode_claims`: keeps AI-led work away from claims. Denies an option when the workflow's AI mode is in
 * `deniedModes` (default {@link DEFAULT_CLAIM_DENIED_MODES}) and the work is claim-sensitive: the option's
 * `contentKind` is in `claimSensitiveContentKinds` (e.g. `case_study`, `positioning`, `board_report`) or the
 * workflow's stage is in `claimSensitiveStages` (e.g. `advocate`, `promote`).
 *
 * At least one of the two lists must be non-empty (`MISSING_ONE_OF`), else the rule could never deny.
 */
export const AiModeClaimsRuleSchema = z
  .strictObject({
    ...ruleCommonShape,
    type: z.literal('ai_mode_claims'),
    deniedModes: distinctArray(AiModeSchema, 3).optional(),
    claimSensitiveContentKinds: contentKinds,
    claimSensitiveStages: stages,
  })
  .refine(
    (rule) => rule.claimSensitiveContentKinds.length > 0 || rule.claimSensitiveStages.length > 0,
    {
      message: 'Name at least one claim-sensitive content kind or stage',
      params: { code: 'MISSING_ONE_OF' },
    },
  );
/** See {@link AiModeClaimsRuleSchema}. */
export type AiModeClaimsRule = z.infer<typeof AiModeClaimsRuleSchema>;

/**
 * Evaluates an `ai_mode_claims` rule for one option: `deny` with `AI_LED_ON_CLAIM_SENSITIVE_WORK` (path
 * `/workflow/aiMode`), else `allow` with `AI_MODE_PERMITTED` (the mode is not denied) or `NOT_CLAIM_SENSITIVE`.
 */
export function evaluateAiModeClaims(
  rule: AiModeClaimsRule,
  { plan, option, optionIndex }: RuleContext,
): RuleFinding {
  const { aiMode, cvjStage } = plan.workflow;
  const deniedModes = rule.deniedModes ?? DEFAULT_CLAIM_DENIED_MODES;
  if (!deniedModes.includes(aiMode)) {
    return allow(
      'AI_MODE_PERMITTED',
      pointer('workflow', 'aiMode'),
      `The workflow is ${aiMode}, which this rule does not restrict`,
    );
  }
  const reasons: string[] = [];
  const kind = option.contentKind;
  if (kind !== undefined && rule.claimSensitiveContentKinds.includes(kind)) {
    reasons.push(`the option produces ${kind}`);
  }
  if (rule.claimSensitiveStages.includes(cvjStage)) {
    reasons.push(`the workflow is at the ${cvjStage} stage`);
  }
  if (reasons.length === 0) {
    return allow(
      'NOT_CLAIM_SENSITIVE',
      pointer('options', optionIndex),
      'The option is not claim-sensitive work',
    );
  }
  return deny(
    'AI_LED_ON_CLAIM_SENSITIVE_WORK',
    pointer('workflow', 'aiMode'),
    `A ${aiMode} workflow may not do claim-sensitive work: ${listText(reasons)}`,
  );
}
