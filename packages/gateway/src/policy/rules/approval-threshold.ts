import { AiModeSchema, ContentKindSchema, IdentifierSchema, sumMinor } from '@handoff/protocol';
import { z } from 'zod';
import {
  allow,
  deny,
  distinctArray,
  formatMinor,
  listText,
  MoneyThresholdsSchema,
  pointer,
  type RuleContext,
  type RuleFinding,
  ruleCommonShape,
  thresholdFor,
} from './common.js';

/**
 * The approvals an `approval_threshold` rule asks for: `quorum` approvals from people holding one of `roles`;
 * with `distinctRoles`, each approval must come from a different role, so `quorum` may not exceed the number of
 * roles (`QUORUM_UNREACHABLE`).
 */
export const ApprovalSpecSchema = z
  .strictObject({
    roles: distinctArray(IdentifierSchema, 20),
    quorum: z.int().min(1).max(20),
    distinctRoles: z.boolean(),
  })
  .superRefine((spec, ctx) => {
    if (spec.distinctRoles && spec.quorum > spec.roles.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['quorum'],
        message: `A quorum of ${spec.quorum} distinct roles needs at least ${spec.quorum} roles; ${spec.roles.length} given`,
        params: { code: 'QUORUM_UNREACHABLE' },
      });
    }
  });

/**
 * `approval_threshold`: asks for approval when ANY configured condition matches an option.
 *
 * - `spendAtLeast`: money thresholds, one per currency, in integer minor units. The option's spend (the exact sum of
 *   its actions' `estimatedCost`) is compared with the threshold in the option's budget currency; spend at or above
 *   it matches (`SPEND_AT_OR_ABOVE_THRESHOLD`). With no threshold in that currency the rule cannot evaluate and
 *   denies (`THRESHOLD_CURRENCY_NOT_CONFIGURED`).
 * - `riskAtLeast`: a risk score in 0..1; `risk.score` at or above it matches (`RISK_AT_OR_ABOVE_THRESHOLD`).
 * - `aiModes`: the workflow's AI mode is listed (`HUMAN_ONLY_WORKFLOW` for `human_only`, else
 *   `AI_MODE_REQUIRES_APPROVAL`).
 * - `contentKinds`: the option's `contentKind` is listed (`CONTENT_KIND_REQUIRES_APPROVAL`).
 * - `approval`: the requirement attached to the decision (see {@link ApprovalSpecSchema}).
 *
 * At least one condition is required (`MISSING_ONE_OF`).
 */
export const ApprovalThresholdRuleSchema = z
  .strictObject({
    ...ruleCommonShape,
    type: z.literal('approval_threshold'),
    spendAtLeast: MoneyThresholdsSchema.optional(),
    riskAtLeast: z.number().min(0).max(1).optional(),
    aiModes: distinctArray(AiModeSchema, 3).optional(),
    contentKinds: distinctArray(ContentKindSchema, 10).optional(),
    approval: ApprovalSpecSchema,
  })
  .refine(
    (rule) =>
      rule.spendAtLeast !== undefined ||
      rule.riskAtLeast !== undefined ||
      rule.aiModes !== undefined ||
      rule.contentKinds !== undefined,
    {
      message: 'Give at least one of spendAtLeast, riskAtLeast, aiModes, contentKinds',
      params: { code: 'MISSING_ONE_OF' },
    },
  );
/** See {@link ApprovalThresholdRuleSchema}. */
export type ApprovalThresholdRule = z.infer<typeof ApprovalThresholdRuleSchema>;

interface Match {
  reasonCode: string;
  path: string;
  text: string;
}

/**
 * Evaluates an `approval_threshold` rule for one option: `require_approval` (with the rule's approval
 * requirement, the first matching condition's reason and path, and a message naming every match), `deny` with
 * `THRESHOLD_CURRENCY_NOT_CONFIGURED`, or `allow` with `BELOW_APPROVAL_THRESHOLDS`.
 *
 * @throws Error when an action's cost is not in the option's currency (a plan that skipped validation); the engine
 *   turns it into a `RULE_EVALUATION_FAILED` denial.
 */
export function evaluateApprovalThreshold(
  rule: ApprovalThresholdRule,
  { plan, option, optionIndex }: RuleContext,
): RuleFinding {
  const at = (...segments: (string | number)[]) => pointer('options', optionIndex, ...segments);
  const currency = option.budget.amount.currency;
  const matches: Match[] = [];

  if (rule.spendAtLeast !== undefined) {
    const threshold = thresholdFor(rule.spendAtLeast, currency);
    if (threshold === undefined) {
      const configured = listText(rule.spendAtLeast.map((t) => t.currency));
      return deny(
        'THRESHOLD_CURRENCY_NOT_CONFIGURED',
        at('budget', 'amount', 'currency'),
        `The option spends ${currency} but the rule has spend thresholds only for ${configured}; it cannot evaluate`,
      );
    }
    for (const action of option.actions) {
      if (action.estimatedCost.currency !== currency) {
        throw new Error(
          `Action ${action.actionId} costs ${action.estimatedCost.currency}, not ${currency}`,
        );
      }
    }
    const spend = sumMinor(option.actions.map((action) => action.estimatedCost.amountMinor));
    if (spend >= BigInt(threshold.amountMinor)) {
      matches.push({
        reasonCode: 'SPEND_AT_OR_ABOVE_THRESHOLD',
        path: at('actions'),
        text: `spend of ${formatMinor(spend, currency)} is at or above ${formatMinor(threshold.amountMinor, currency)}`,
      });
    }
  }
  if (rule.riskAtLeast !== undefined && option.risk.score >= rule.riskAtLeast) {
    matches.push({
      reasonCode: 'RISK_AT_OR_ABOVE_THRESHOLD',
      path: at('risk', 'score'),
      text: `risk score ${option.risk.score} is at or above ${rule.riskAtLeast}`,
    });
  }
  const aiMode = plan.workflow.aiMode;
  if (rule.aiModes?.includes(aiMode)) {
    matches.push({
      reasonCode: aiMode === 'human_only' ? 'HUMAN_ONLY_WORKFLOW' : 'AI_MODE_REQUIRES_APPROVAL',
      path: pointer('workflow', 'aiMode'),
      text: `the workflow is ${aiMode}`,
    });
  }
  const kind = option.contentKind;
  if (kind !== undefined && rule.contentKinds?.includes(kind)) {
    matches.push({
      reasonCode: 'CONTENT_KIND_REQUIRES_APPROVAL',
      path: at('contentKind'),
      text: `the option produces ${kind}`,
    });
  }

  const [first] = matches;
  if (first === undefined) {
    return allow('BELOW_APPROVAL_THRESHOLDS', at(), 'No approval threshold is reached');
  }
  return {
    decision: 'require_approval',
    reasonCode: first.reasonCode,
    path: first.path,
    message: `Approval required: ${listText(matches.map((m) => m.text))}`,
    approval: {
      roles: [...rule.approval.roles],
      quorum: rule.approval.quorum,
      distinctRoles: rule.approval.distinctRoles,
    },
  };
}
