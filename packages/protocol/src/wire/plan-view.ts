/**
 * A plan as the gateway's API shows it (`plans.get`, and inside the answers of `plans.submit`, `plans.list`,
 * `plans.cancel`, `approvals.submit`, `control.pause` and `control.resume`). Times are RFC 3339 UTC; money is
 * integer minor units of its currency.
 */
import { z } from 'zod';
import { HandoffPlanSchema } from '../plan.js';
import { PolicyDecisionSchema, PolicyOutcomeSchema } from '../policy-decision.js';
import {
  DigestSchema,
  IdentifierSchema,
  PlanIdSchema,
  TextSchema,
  TimestampSchema,
} from '../primitives.js';
import { CalibrationRowSchema } from './outcomes.js';
import { LEDGER_STATUSES, PlanStateSchema } from './vocabulary.js';

/** A machine code such as `BUDGET_EXCEEDED` (upper case, digits, underscores). */
const CodeSchema = z.string().regex(/^[A-Z][A-Z0-9_]*$/);
/** An amount in integer minor units. */
const MinorSchema = z.int();

/**
 * The progress of one approval gate for the option in play: `quorum` approvals from holders of `roles` (from as
 * many different roles when `distinctRoles`); `approvers` are the distinct registered subjects whose approval
 * counts; `satisfied` once the quorum is met.
 */
export const GateProgressSchema = z
  .strictObject({
    gateId: IdentifierSchema,
    roles: z.array(z.string()).readonly(),
    quorum: z.int().min(1),
    distinctRoles: z.boolean(),
    approvers: z.array(z.string()),
    satisfied: z.boolean(),
    deadline: z
      .strictObject({
        at: TimestampSchema,
        action: z.enum(['escalate', 'reject']),
        backupRoles: z.array(z.string()).optional(),
        escalated: z.boolean(),
      })
      .optional()
      .meta({
        description:
          "The gate's deadline and what happens at it; escalated once backup roles may approve (roles then holds them).",
      }),
  })
  .meta({
    id: 'GateProgress',
    description:
      'One approval gate of the option in play: quorum, roles, approvers counted so far, satisfied.',
  });

/**
 * Why the budget refused a plan (`PlanView.budgetRefusal`), from its latest `budget.refused` lineage event. For
 * `BUDGET_EXCEEDED`: `capId`, `period`, `periodKey` (e.g. `month:2026-11`, in the cap's time zone), `limitMinor`,
 * `usedMinor` (reserved + committed before the request), `requestedMinor` and `headroomMinor` (limit - used, never
 * below 0). For `BUDGET_COST_UNDERSTATED`: `declaredMinor` and `chargedMinor`. For
 * `BUDGET_CURRENCY_NOT_CONFIGURED`: `currency`. A fact the event does not hold is absent. Amounts are integer
 * minor units of `currency`; `message` is for people and may change between releases.
 */
export const BudgetRefusalSchema = z
  .strictObject({
    code: CodeSchema,
    message: z.string(),
    at: TimestampSchema,
    optionId: z.string().optional(),
    capId: z.string().optional(),
    period: z.string().optional(),
    periodKey: z.string().optional(),
    currency: z.string().optional(),
    limitMinor: MinorSchema.optional(),
    usedMinor: MinorSchema.optional(),
    requestedMinor: MinorSchema.optional(),
    headroomMinor: MinorSchema.optional(),
    declaredMinor: MinorSchema.optional(),
    chargedMinor: MinorSchema.optional(),
  })
  .meta({
    id: 'BudgetRefusal',
    description:
      'Why the budget refused the plan: cap, period, limit, used, requested and headroom (minor units).',
  });

/**
 * One accepted approval or rejection of a plan: the registered subject, its role, the key id and when, the most
 * it allowed to spend (`maxSpend`, integer minor units; at most the option's budget, see `approvals.submit`) and,
 * when the approver wrote one, its `reason` (the signed approval's `comment`): for a rejection, what the copilot
 * reads back to revise its plan.
 */
export const PlanApprovalSchema = z.strictObject({
  approver: z.string(),
  role: z.string(),
  decision: z.enum(['approve', 'reject']),
  optionId: IdentifierSchema,
  kid: z.string(),
  at: TimestampSchema,
  maxSpend: z.strictObject({ amountMinor: MinorSchema, currency: z.string() }),
  reason: TextSchema.optional(),
});

/** One budget ledger line the plan holds or held: cap, period key, amount (minor units) and status. */
export const PlanBudgetLineSchema = z.strictObject({
  capId: z.string(),
  periodKey: z.string(),
  currency: z.string(),
  amountMinor: MinorSchema,
  status: z.enum(LEDGER_STATUSES),
});

/**
 * A plan as the API returns it: its state and why (`reasonCode`, `pausedFrom` for a paused plan), the option in
 * play (`selectedOptionId` once approved, else `recommendedOptionId`), the policy outcome and decisions for that
 * option, the gates and their progress, the approvals received, the budget lines it holds,
 * `budgetRefusal` when `reasonCode` is a budget code (else null), and `calibration`: the copilot's forecast
 * calibration on the option's KPI when a `forecast_calibration` rule judged it. `plans.get` adds `document`, the
 * plan document itself (what approvers decide on); lists leave it out to stay small.
 */
export const PlanViewSchema = z
  .strictObject({
    planId: PlanIdSchema,
    tenantId: IdentifierSchema,
    workflowId: IdentifierSchema,
    digest: DigestSchema,
    state: PlanStateSchema,
    pausedFrom: PlanStateSchema.nullable(),
    reasonCode: z.string().nullable(),
    recommendedOptionId: IdentifierSchema,
    selectedOptionId: IdentifierSchema.nullable(),
    submittedBy: z.string(),
    copilotModel: z.string(),
    policyVersion: z.string(),
    outcome: PolicyOutcomeSchema,
    decisions: z.array(PolicyDecisionSchema),
    gates: z.array(GateProgressSchema),
    approvals: z.array(PlanApprovalSchema),
    budget: z.array(PlanBudgetLineSchema),
    budgetRefusal: BudgetRefusalSchema.nullable(),
    calibration: CalibrationRowSchema.optional().meta({
      description:
        "The copilot's forecast calibration on the option in play's KPI when policy judged it (forecast_calibration).",
    }),
    receivedAt: TimestampSchema,
    updatedAt: TimestampSchema,
    approvalDeadline: TimestampSchema,
    expiresAt: TimestampSchema,
    document: HandoffPlanSchema.optional().meta({
      description:
        'The plan document as submitted: every option with its actions and their full parameters, audience, budget, forecast, risk and evidence. Answered by plans.get only.',
    }),
  })
  .meta({
    id: 'PlanView',
    description: 'A plan as the gateway shows it; times RFC 3339 UTC, money integer minor units.',
  });

/** A plan as the API returns it (see {@link PlanViewSchema}). */
export type PlanView = z.infer<typeof PlanViewSchema>;
/** A budget refusal as a plan view shows it (see {@link BudgetRefusalSchema}). */
export type BudgetRefusal = z.infer<typeof BudgetRefusalSchema>;
/** One gate's progress (see {@link GateProgressSchema}). */
export type GateProgress = z.infer<typeof GateProgressSchema>;
