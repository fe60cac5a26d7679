/**
 * The approval view model: everything an approver sees, and signs, for one option of one plan (`approvals.view`).
 * It is a pure function of the stored plan document, its digest and the policy evaluation recorded for it, so
 * the gateway recomputes it to check what a passkey approval was made over: its digest (`viewDigest`, SHA-256
 * over the RFC 8785 form of the view, `sha256:<hex>`) is part of the approval challenge, and any rendered field
 * that changes changes the digest. Who has already decided is not part of it (it changes while the plan waits):
 * read it from `plans.get`. Money is integer minor units of its currency; times are RFC 3339 UTC.
 */
import { z } from 'zod';
import { ActionSchema } from '../action.js';
import { AudienceSchema } from '../audience.js';
import { EvidenceSchema } from '../evidence.js';
import { ForecastSchema, ObjectiveSchema } from '../metric.js';
import { MoneySchema } from '../money.js';
import { CopilotIdentitySchema, PlanInputSchema, WorkflowSchema } from '../plan.js';
import {
  ApprovalRequirementSchema,
  EnforcementLevelSchema,
  PolicyOutcomeSchema,
} from '../policy-decision.js';
import { DigestSchema, IdentifierSchema, PlanIdSchema, TimestampSchema } from '../primitives.js';
import { BudgetSchema, ChannelSchema, ContentKindSchema, RiskSchema } from '../strategy-option.js';

/** One piece of evidence and its source: the plan input a `dataset_reference` names (else null). */
export const ViewEvidenceSchema = z.strictObject({
  evidence: EvidenceSchema,
  source: PlanInputSchema.nullable(),
});

/**
 * The option's money: its `budget` (amount per period, as the copilot proposed it), `estimatedCost` (the sum of
 * its actions' estimated costs: the least an approval's `maxSpend` must cover) and `maxSpend` (what an approval
 * authorises unless the approver narrows it: the budget amount).
 */
export const ViewBudgetSchema = z.strictObject({
  budget: BudgetSchema,
  estimatedCost: MoneySchema,
  maxSpend: MoneySchema,
});

/** One policy rule's result for the option: outcome, enforcement, reason code and message, what it concerns. */
export const ViewRuleResultSchema = z.strictObject({
  ruleId: IdentifierSchema,
  outcome: PolicyOutcomeSchema,
  enforcement: EnforcementLevelSchema,
  reasonCode: z.string(),
  message: z.string(),
  path: z.string(),
  actionPaths: z.array(z.string()).optional(),
  approval: ApprovalRequirementSchema.optional(),
});

/** One approval gate of the option: `quorum` approvals from holders of `roles`, by `deadline`. */
export const ViewGateSchema = z.strictObject({
  gateId: IdentifierSchema,
  roles: z.array(z.string()),
  quorum: z.int().min(1),
  distinctRoles: z.boolean(),
  reasonCode: z.string(),
  deadline: TimestampSchema,
});

/** The option as the approver sees it: every action with its full parameters, audience, money, forecast, risk. */
export const ViewOptionSchema = z.strictObject({
  optionId: IdentifierSchema,
  title: z.string(),
  rationale: z.string(),
  recommended: z.boolean(),
  channels: z.array(ChannelSchema),
  contentKind: ContentKindSchema.optional(),
  audience: AudienceSchema,
  money: ViewBudgetSchema,
  forecast: ForecastSchema,
  risk: RiskSchema,
  evidence: z.array(ViewEvidenceSchema),
  actions: z.array(ActionSchema),
});

/**
 * The approval view model of one option of one plan (see the file comment). `viewVersion` names this layout;
 * `policy` holds the outcome and every rule's result for the option under the policy version the plan was
 * evaluated with; `gates` the approvals it needs.
 */
export const ApprovalViewSchema = z
  .strictObject({
    viewVersion: z.literal(1),
    planId: PlanIdSchema,
    planDigest: DigestSchema,
    tenantId: IdentifierSchema,
    createdAt: TimestampSchema,
    expiresAt: TimestampSchema,
    approvalDeadline: TimestampSchema,
    copilot: CopilotIdentitySchema,
    workflow: WorkflowSchema,
    objective: ObjectiveSchema,
    inputs: z.array(PlanInputSchema),
    option: ViewOptionSchema,
    policy: z.strictObject({
      policyVersion: z.string(),
      outcome: PolicyOutcomeSchema,
      rules: z.array(ViewRuleResultSchema),
    }),
    gates: z.array(ViewGateSchema),
  })
  .meta({
    id: 'ApprovalView',
    description:
      'What an approver sees and signs for one option of one plan; its RFC 8785 SHA-256 digest is signed.',
  });

/** `approvals.view`: the plan and the option to view. */
export const ApprovalViewInputSchema = z.strictObject({
  planId: PlanIdSchema,
  optionId: IdentifierSchema,
});

/** What `approvals.view` answers: the view model and its digest (SHA-256 over RFC 8785, `sha256:<hex>`). */
export const ApprovalViewResultSchema = z
  .strictObject({ view: ApprovalViewSchema, viewDigest: DigestSchema })
  .meta({ id: 'ApprovalViewResult', description: 'The approval view model and its digest.' });

/** The approval view model (see {@link ApprovalViewSchema}). */
export type ApprovalView = z.infer<typeof ApprovalViewSchema>;
