/**
 * The `plans.*` procedures' inputs and outputs: submit (one or a batch), dry run, get, list, cancel.
 */
import { z } from 'zod';
import { ErrorEnvelopeSchema } from '../error-envelope.js';
import { PolicyDecisionSchema, PolicyOutcomeSchema } from '../policy-decision.js';
import { DigestSchema, IdentifierSchema, PlanIdSchema } from '../primitives.js';
import { CalibrationRowSchema } from './outcomes.js';
import { PlanViewSchema } from './plan-view.js';
import { PLAN_STATES, PlanStateSchema } from './vocabulary.js';

/** The most items a page of a list procedure holds (`limit`, 1-500). */
const LimitSchema = z.int().min(1).max(500);

/** Why an operator or copilot acts (cancel, pause, dispatch resolutions): 1-1000 characters, kept in lineage. */
export const ReasonSchema = z.string().min(1).max(1000);

/**
 * The input of `plans.submit` and `plans.dryRun`, and each item of `plans.submitBatch`: a `HandoffPlan`
 * (validated by the gateway against the protocol's schema, so its issues point into the plan) and, when the
 * copilot signs its plans, its provenance signature: the compact JWS of `signPlan` (`@handoff/copilot-adapter`)
 * over the plan digest, 1 to 16,384 characters.
 */
export const SubmitInputSchema = z.strictObject({
  plan: z.unknown().meta({
    description:
      'A HandoffPlan document (urn:handoff:schema:v1:HandoffPlan), validated by the gateway.',
  }),
  signature: z.string().min(1).max(16_384).optional(),
});

/**
 * The input of `plans.submitBatch`: 1 to 100 items, each the body of `plans.submit`. Items are checked one by one
 * (a malformed item is refused alone), so the array's members are not constrained here.
 */
export const SubmitBatchInputSchema = z.strictObject({
  plans: z.array(
    z.unknown().meta({ description: 'The body of plans.submit: { plan, signature? }.' }),
  ),
});

/** The input of `plans.get`. */
export const PlanGetInputSchema = z.strictObject({ planId: PlanIdSchema });

/** The input of `plans.list`: filters, and `cursor` (the `nextCursor` of the previous page). */
export const PlanListInputSchema = z.strictObject({
  states: z.array(PlanStateSchema).max(PLAN_STATES.length).optional(),
  workflowId: IdentifierSchema.optional(),
  cursor: z.string().max(300).optional(),
  limit: LimitSchema.optional(),
});

/** The input of `plans.cancel`. */
export const PlanCancelInputSchema = z.strictObject({ planId: PlanIdSchema, reason: ReasonSchema });

/** What `plans.submit` answers: the plan view, and whether this call created the plan (false on a resubmission). */
export const SubmittedPlanSchema = PlanViewSchema.extend({ created: z.boolean() }).meta({
  id: 'SubmittedPlan',
  description: 'The plan view, and whether this call created the plan.',
});

/**
 * The outcome of one `plans.submitBatch` item, at the item's index: `{ ok: true, plan }` as `plans.submit` would
 * have answered, or `{ ok: false, status, error }` with the `ErrorEnvelope` and HTTP status `plans.submit` would
 * have answered (nothing is written for a refused item).
 */
export const BatchItemResultSchema = z
  .discriminatedUnion('ok', [
    z.strictObject({ ok: z.literal(true), plan: SubmittedPlanSchema }),
    z.strictObject({ ok: z.literal(false), status: z.int(), error: ErrorEnvelopeSchema }),
  ])
  .meta({
    id: 'BatchItemResult',
    description: 'One plans.submitBatch item: { ok: true, plan } or { ok: false, status, error }.',
  });

/**
 * A gate's deadline, `afterSeconds` after the plan is received, and what happens if it is still open then:
 * `action`: `reject` the plan, or `escalate` (holders of `backupRoles` may approve too from then on).
 */
export const GateEscalationSchema = z
  .strictObject({
    afterSeconds: z.int().min(1),
    action: z.enum(['escalate', 'reject']),
    backupRoles: z.array(z.string()).optional(),
  })
  .meta({
    id: 'GateEscalation',
    description: "An approval gate's deadline (seconds after receipt) and what happens at it.",
  });

/**
 * One approval gate an option needs: `quorum` approvals from holders of `roles`; `reasonCode` of its rule;
 * `escalation` when its rule names a deadline.
 */
export const ApprovalGateSchema = z
  .strictObject({
    gateId: IdentifierSchema,
    roles: z.array(z.string()),
    quorum: z.int().min(1),
    distinctRoles: z.boolean(),
    reasonCode: z.string(),
    escalation: GateEscalationSchema.optional(),
  })
  .meta({
    id: 'ApprovalGate',
    description: 'An approval an option needs: quorum approvals from holders of roles.',
  });

/** The policy outcome for one option: combined `outcome`, one decision per rule, the gates still open. */
export const OptionEvaluationSchema = z
  .strictObject({
    optionId: IdentifierSchema,
    outcome: PolicyOutcomeSchema,
    decisions: z.array(PolicyDecisionSchema),
    gates: z.array(ApprovalGateSchema),
    calibration: CalibrationRowSchema.optional().meta({
      description:
        "The copilot's calibration on this option's forecast KPI, as a forecast_calibration rule judged it.",
    }),
  })
  .meta({
    id: 'OptionEvaluation',
    description: 'The policy outcome for one option: outcome, one decision per rule, open gates.',
  });

/**
 * What `plans.dryRun` answers (nothing is written, no budget is checked): the plan id, its digest and the policy
 * evaluation, one {@link OptionEvaluationSchema} per option keyed by `optionId`.
 */
export const DryRunResultSchema = z
  .strictObject({
    planId: PlanIdSchema,
    digest: DigestSchema,
    evaluation: z.strictObject({
      policySetId: z.string(),
      policyVersion: z.string(),
      options: z.record(z.string(), OptionEvaluationSchema),
    }),
  })
  .meta({ id: 'DryRunResult', description: 'The policy evaluation of a plan, nothing recorded.' });

/** A page of plans, newest first; `nextCursor` is absent on the last page. */
export const PlanPageSchema = z
  .strictObject({
    items: z.array(PlanViewSchema),
    nextCursor: z.string().optional(),
  })
  .meta({
    id: 'PlanPage',
    description: 'A page of plans, newest first; nextCursor absent on the last page.',
  });
