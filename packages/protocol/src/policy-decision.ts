import { z } from 'zod';
import { LIMITS } from './limits.js';
import {
  DigestSchema,
  IdentifierSchema,
  NameSchema,
  PlanIdSchema,
  TextSchema,
  TimestampSchema,
} from './primitives.js';
import { ProtocolVersionSchema } from './version.js';
import { policyDecisionFeatures, requireDeclaredVersion } from './version-features.js';

/** What a policy rule decides. */
export const PolicyOutcomeSchema = z
  .enum(['allow', 'deny', 'require_approval'])
  .meta({ id: 'PolicyOutcome' });
export type PolicyOutcome = z.infer<typeof PolicyOutcomeSchema>;

/**
 * How binding a rule is, as in Terraform/Sentinel policy sets: `advisory` (reported, never blocks),
 * `soft_mandatory` (blocks unless an operator overrides), `hard_mandatory` (always blocks).
 */
export const EnforcementLevelSchema = z
  .enum(['advisory', 'soft_mandatory', 'hard_mandatory'])
  .meta({ id: 'EnforcementLevel' });
export type EnforcementLevel = z.infer<typeof EnforcementLevelSchema>;

/** The approvals a `require_approval` decision asks for: `quorum` distinct approvers in `roles`. */
export const ApprovalRequirementSchema = z
  .strictObject({
    roles: z.array(IdentifierSchema).min(1).max(20),
    quorum: z.int().min(1).max(20),
    distinctRoles: z.boolean(),
  })
  .meta({ id: 'ApprovalRequirement' });
export type ApprovalRequirement = z.infer<typeof ApprovalRequirementSchema>;

/** A JSON Pointer (RFC 6901) into the plan, at most 1,024 characters. */
const JsonPointerSchema = z
  .string()
  .max(1024)
  .regex(/^(?:\/[\s\S]*)?$/)
  .meta({ description: 'JSON Pointer (RFC 6901).' });

/**
 * One policy rule's decision about one plan: the rule, its outcome and enforcement level, a stable reason code,
 * the JSON Pointer of the plan value concerned, a message, and the policy set version (digest) it came from.
 *
 * `path` is the first value concerned (all a 1.0 reader knows); `actionPaths` (1.1) names every action the
 * decision concerns, one JSON Pointer per action (e.g. `/options/0/actions/1/params/newBudget` and
 * `/options/0/actions/3/params/newBudget` for a guardrail two moves of an option break), in plan order, `path`
 * being the first of them.
 */
export const PolicyDecisionSchema = z
  .strictObject({
    protocolVersion: ProtocolVersionSchema,
    kind: z.literal('PolicyDecision'),
    planId: PlanIdSchema,
    planDigest: DigestSchema,
    optionId: IdentifierSchema,
    policyVersion: NameSchema,
    ruleId: IdentifierSchema,
    decision: PolicyOutcomeSchema,
    enforcement: EnforcementLevelSchema,
    reasonCode: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/)
      .max(64),
    path: JsonPointerSchema,
    actionPaths: z.array(JsonPointerSchema).min(1).max(LIMITS.MAX_ACTIONS_PER_OPTION).optional(),
    message: TextSchema,
    approval: ApprovalRequirementSchema.optional(),
    evaluatedAt: TimestampSchema,
  })
  .superRefine(requireDeclaredVersion(policyDecisionFeatures), {
    when: (payload) => payload.issues.length === 0,
  })
  .meta({
    id: 'PolicyDecision',
    title: 'PolicyDecision',
    description: "One policy rule's decision about a plan (Handoff protocol v1).",
  });
export type PolicyDecision = z.infer<typeof PolicyDecisionSchema>;
