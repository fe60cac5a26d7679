import { z } from 'zod';
import {
  type AdapterAllowlistRule,
  AdapterAllowlistRuleSchema,
  evaluateAdapterAllowlist,
} from './rules/adapter-allowlist.js';
import {
  type AiModeClaimsRule,
  AiModeClaimsRuleSchema,
  evaluateAiModeClaims,
} from './rules/ai-mode-claims.js';
import {
  type ApprovalThresholdRule,
  ApprovalThresholdRuleSchema,
  evaluateApprovalThreshold,
} from './rules/approval-threshold.js';
import {
  type BudgetChangeGuardrailRule,
  BudgetChangeGuardrailRuleSchema,
  evaluateBudgetChangeGuardrail,
} from './rules/budget-change-guardrail.js';
import {
  type ChannelAllowlistRule,
  ChannelAllowlistRuleSchema,
  evaluateChannelAllowlist,
} from './rules/channel-allowlist.js';
import type { RuleContext, RuleFinding } from './rules/common.js';
import { type ConsentRule, ConsentRuleSchema, evaluateConsent } from './rules/consent.js';
import {
  type EvidenceBarRule,
  EvidenceBarRuleSchema,
  evaluateEvidenceBar,
} from './rules/evidence-bar.js';
import {
  evaluateForecastSampleSize,
  type ForecastSampleSizeRule,
  ForecastSampleSizeRuleSchema,
} from './rules/forecast-sample-size.js';
import { evaluateMaxRisk, type MaxRiskRule, MaxRiskRuleSchema } from './rules/max-risk.js';

/**
 * One policy rule, discriminated on `type`. Each type has its own settings (see its schema); all share `id`,
 * `enforcement`, `description`, `appliesTo` and `overrideRoles`. An unknown `type` is reported at
 * `/rules/<i>/type` with `UNKNOWN_RULE_TYPE`; `overrideRoles` on a rule that is not `soft_mandatory` with
 * `OVERRIDE_ROLES_NOT_APPLICABLE`.
 */
export const RuleSchema = z
  .discriminatedUnion('type', [
    ApprovalThresholdRuleSchema,
    AiModeClaimsRuleSchema,
    EvidenceBarRuleSchema,
    ChannelAllowlistRuleSchema,
    AdapterAllowlistRuleSchema,
    BudgetChangeGuardrailRuleSchema,
    ConsentRuleSchema,
    MaxRiskRuleSchema,
    ForecastSampleSizeRuleSchema,
  ])
  .superRefine((rule, ctx) => {
    if (rule.overrideRoles !== undefined && rule.enforcement !== 'soft_mandatory') {
      ctx.addIssue({
        code: 'custom',
        path: ['overrideRoles'],
        message: `Only a soft_mandatory rule can be overridden; this rule is ${rule.enforcement}`,
        params: { code: 'OVERRIDE_ROLES_NOT_APPLICABLE' },
      });
    }
  });

/** A validated policy rule of any type. */
export type Rule =
  | ApprovalThresholdRule
  | AiModeClaimsRule
  | EvidenceBarRule
  | ChannelAllowlistRule
  | AdapterAllowlistRule
  | BudgetChangeGuardrailRule
  | ConsentRule
  | MaxRiskRule
  | ForecastSampleSizeRule;

/** A rule `type`. */
export type RuleType = Rule['type'];

/** Every rule type, in the order of {@link RuleSchema}. */
export const RULE_TYPES: readonly RuleType[] = [
  'approval_threshold',
  'ai_mode_claims',
  'evidence_bar',
  'channel_allowlist',
  'adapter_allowlist',
  'budget_change_guardrail',
  'consent',
  'max_risk',
  'forecast_sample_size',
];

/**
 * Runs one rule's own check on one option (ignoring `appliesTo` and `enforcement`, which the engine handles).
 * Pure. May throw on a plan that skipped validation; `evaluatePolicy` turns that into a denial.
 */
export function evaluateRule(rule: Rule, context: RuleContext): RuleFinding {
  switch (rule.type) {
    case 'approval_threshold':
      return evaluateApprovalThreshold(rule, context);
    case 'ai_mode_claims':
      return evaluateAiModeClaims(rule, context);
    case 'evidence_bar':
      return evaluateEvidenceBar(rule, context);
    case 'channel_allowlist':
      return evaluateChannelAllowlist(rule, context);
    case 'adapter_allowlist':
      return evaluateAdapterAllowlist(rule, context);
    case 'budget_change_guardrail':
      return evaluateBudgetChangeGuardrail(rule, context);
    case 'consent':
      return evaluateConsent(rule, context);
    case 'max_risk':
      return evaluateMaxRisk(rule, context);
    case 'forecast_sample_size':
      return evaluateForecastSampleSize(rule, context);
  }
}
