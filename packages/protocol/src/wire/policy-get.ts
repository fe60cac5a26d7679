/**
 * The `policy.get` procedure's output: the gateway's active policy set as its rules (type, enforcement, scope and
 * each type's own settings), and the shadow policy set running beside it, if any. A policy set is per gateway, not
 * per tenant: every caller of a gateway reads the same answer.
 */
import { z } from 'zod';
import { AiModeSchema, CvjStageSchema } from '../plan.js';
import { EnforcementLevelSchema } from '../policy-decision.js';
import { IdentifierSchema } from '../primitives.js';

/** Where a rule applies: every list given must contain the plan's value (AND); an absent list does not restrict. */
const PolicyRuleScopeSchema = z.strictObject({
  workflowIds: IdentifierSchema.array().optional(),
  cvjStages: CvjStageSchema.array().optional(),
  aiModes: AiModeSchema.array().optional(),
});

/**
 * One rule of the active policy set: `id` (the `ruleId` of its decisions), `type` (e.g. `approval_threshold`,
 * `frequency_cap`), `enforcement`, optional `description` and `appliesTo`, `overrideRoles` on a `soft_mandatory`
 * rule that names them, and `settings`: the rule type's own configuration as the policy file states it (e.g.
 * `spendAtLeast` thresholds in integer minor units with an ISO 4217 currency, `maxPercent`, a `suppression`
 * rule's list ids), every member but the common ones above.
 */
export const PolicyRuleViewSchema = z.strictObject({
  id: IdentifierSchema,
  type: z.string().min(1).max(64),
  enforcement: EnforcementLevelSchema,
  description: z.string().optional(),
  appliesTo: PolicyRuleScopeSchema.optional(),
  overrideRoles: IdentifierSchema.array().optional(),
  settings: z.record(z.string(), z.unknown()),
});

/** A policy set's identity: its `id` and the version decisions record (`sha256:` digest of its RFC 8785 form). */
const PolicySetRefSchema = z.strictObject({
  policySetId: IdentifierSchema,
  policyVersion: z.string(),
});

/**
 * What `policy.get` answers: the active policy set's id and version (the `policyVersion` of `health` and of every
 * decision), its rules in evaluation order, and `shadow`: the id and version of the shadow policy set evaluated
 * beside it (recording `policy.shadow_evaluated`, gating nothing), or `null` when none runs.
 */
export const PolicySummarySchema = z.strictObject({
  ...PolicySetRefSchema.shape,
  rules: PolicyRuleViewSchema.array(),
  shadow: PolicySetRefSchema.nullable(),
});
/** See {@link PolicySummarySchema}. */
export type PolicySummary = z.infer<typeof PolicySummarySchema>;
/** See {@link PolicyRuleViewSchema}. */
export type PolicyRuleView = z.infer<typeof PolicyRuleViewSchema>;
