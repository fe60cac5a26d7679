import { z } from 'zod';
import {
  DigestSchema,
  IdentifierSchema,
  NameSchema,
  PlanIdSchema,
  TextSchema,
  TimestampSchema,
} from './primitives.js';
import { HANDOFF_PROTOCOL_VERSION } from './version.js';

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

/**
 * One policy rule's decision about one plan: the rule, its outcome and enforcement level, a stable reason code,
 * the JSON Pointer of the plan value concerned, a message, and the policy set version (digest) it came from.
 */
export const PolicyDecisionSchema = z
  .strictObject({
    protocolVersion: z.literal(HANDOFF_PROTOCOL_VERSION),
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
    path: z
      .string()
      .max(1024)
      .regex(/^(?:\/[\s\S]*)?$/)
      .meta({ description: 'JSON Pointer (RFC 6901).' }),
    message: TextSchema,
    approval: ApprovalRequirementSchema.optional(),
    evaluatedAt: TimestampSchema,
  })
  .meta({
    id: 'PolicyDecision',
    title: 'PolicyDecision',
    description: "One policy rule's decision about a plan (Handoff protocol v1).",
  });
export type PolicyDecision = z.infer<typeof PolicyDecisionSchema>;
