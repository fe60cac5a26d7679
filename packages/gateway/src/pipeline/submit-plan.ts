import {
  canonicalJson,
  type HandoffPlan,
  type SubmittedVia,
  sha256Digest,
  sumMinor,
} from '@handoff/protocol';
import type { Principal } from '../auth/principal.js';
import { assertCostsDeclared } from '../budget/action-cost.js';
import { GatewayError } from '../errors.js';
import { ATTR, inSpan } from '../observability/tracing.js';
import { submitAttributes, tracedReserve } from '../observability/tracing-stages.js';
import { policyCalibration } from '../outcomes/calibration-report.js';
import type { PolicyEvaluation } from '../policy/evaluate.js';
import { approvalWindowSeconds } from '../policy/policy-set.js';
import {
  checkProvenance,
  type PlanProvenance,
  recordProvenance,
} from '../provenance/submit-provenance.js';
import type { PlanRecord, StoreTx } from '../store/store.js';
import { notifyWaiting } from './approval-notices.js';
import { type BudgetNotice, budgetNotices, sendBudgetNotices } from './budget-notices.js';
import { pauseIfHeld } from './control-hold.js';
import { actorOf, type PipelineDeps } from './deps.js';
import { evaluatePlan, validatePlanInput } from './evaluate-plan.js';
import { copilotModelOf } from './kill-switch.js';
import { type PlanView, planView } from './plan-view.js';
import { queueActions } from './queue-actions.js';
import { toBudgetCap } from './reserve-budget.js';
import { ruleResults, shadowEvents } from './shadow-events.js';
import { transitionPlan } from './transition.js';

/** The result of {@link submitPlan}: the plan record, and whether this call created it. */
export interface SubmitResult {
  record: PlanRecord;
  created: boolean;
  /** The plan as the API shows it, read in the same transaction. */
  view: PlanView;
  /** The policy evaluation of this submission (for metrics). */
  evaluation: PolicyEvaluation;
  /** Budget warning lines this submission's reservation crossed (notified after commit). */
  notices?: BudgetNotice[];
}

/** Options of {@link submitPlan}. */
export interface SubmitOptions {
  /**
   * How the plan came in (the MCP client's self-declared name and version, and its session), recorded as
   * `data.submittedVia` of the `plan.received` event: a label the caller chose, never an identity.
   */
  submittedVia?: SubmittedVia;
}

/**
 * Accepts a plan from a copilot: validate, check tenant and expiry, evaluate policy, then in ONE transaction
 * record it, reserve budget on every cap it touches (all or nothing) and move it to `awaiting_approval`,
 * `approved` (outbox rows written), `rejected` or `paused`, with every step in the lineage.
 *
 * Idempotent on plan id within the tenant: the same plan again returns the existing record (`created: false`).
 * Plan ids are scoped per tenant, so an id another tenant used is as free here as an unused one (no existence
 * oracle): the same id in two tenants is two plans.
 *
 * With `signature` (the copilot's provenance JWS, see `verifyPlanSignature`), or when the gateway requires one,
 * the signature is verified before anything is written, and recorded with the plan (`plan.provenance_verified`:
 * key id, the copilot model and prompt version it vouches for; the token stored by digest).
 *
 * An action whose cost follows from its own parameters (a `set_campaign_budget` raise) must declare at least the
 * cost the gateway computes for it on the tenant's caps (see `budget/action-cost.ts`); otherwise the plan is
 * refused with `BUDGET_COST_UNDERSTATED` and nothing is written.
 *
 * @throws GatewayError `VALIDATION_FAILED`, `UNSUPPORTED_VERSION`, `FORBIDDEN` (another tenant's plan),
 *   `PLAN_CONFLICT` (same id in this tenant, different digest), `BUDGET_COST_UNDERSTATED` (with both figures per
 *   action, see `assertCostsDeclared`), and the provenance refusals of `checkProvenance`.
 */
export async function submitPlan(
  deps: PipelineDeps,
  principal: Principal,
  input: unknown,
  signature?: string,
  options: SubmitOptions = {},
): Promise<SubmitResult> {
  return inSpan(
    'handoff.submit',
    { [ATTR.genAiOperation]: 'handoff.submit_plan' },
    async (span) => {
      const result = await submitChecked(deps, principal, input, signature, options);
      span?.setAttributes(submitAttributes(result));
      // After the commit, never inside it: a slow or failing receiver cannot hold or undo the plan.
      sendBudgetNotices(deps, result.notices);
      if (result.created) notifyWaiting(deps, result.view);
      return result;
    },
  );
}

async function submitChecked(
  deps: PipelineDeps,
  principal: Principal,
  input: unknown,
  signature: string | undefined,
  options: SubmitOptions,
): Promise<SubmitResult> {
  const validated = validatePlanInput(input);
  const { plan, canonical, digest } = validated;
  if (plan.tenantId !== principal.tenantId) {
    throw new GatewayError('FORBIDDEN', 'A copilot submits plans only for its own tenant');
  }
  const provenance = await checkProvenance(deps, plan, digest, signature);
  // Outcome-based figures for `forecast_calibration` rules (read only when the policy has one).
  const calibration = await policyCalibration(deps, principal.tenantId);
  const now = deps.clock.now();
  if (Date.parse(plan.expiresAt) <= now) {
    throw new GatewayError('VALIDATION_FAILED', 'The plan has already expired', {
      issues: [
        { path: '/expiresAt', code: 'PLAN_ALREADY_EXPIRED', message: 'expiresAt is in the past' },
      ],
    });
  }
  return deps.store.transaction(async (tx) => {
    // The policy reads its facts (sends dispatched, cap usage) in the transaction that records its decision.
    const { evaluation, shadow, facts } = await evaluatePlan(tx, deps, validated, {
      ...(calibration ? { calibration } : {}),
    });
    const existing = await tx.getPlan(plan.tenantId, plan.planId);
    if (existing) {
      if (existing.digest === digest && existing.tenantId === plan.tenantId)
        return {
          record: existing,
          created: false,
          view: await planView(tx, existing),
          evaluation,
        };
      throw new GatewayError(
        'PLAN_CONFLICT',
        `Plan ${plan.planId} was already submitted with another digest`,
        {
          details: { planId: plan.planId },
        },
      );
    }
    // Costs the gateway can compute, it computes: a plan declaring less is refused before anything is written.
    assertCostsDeclared(plan, (await tx.getCaps(plan.tenantId)).map(toBudgetCap), now);
    const record = await accept(
      tx,
      deps,
      principal,
      {
        plan,
        canonical,
        digest,
        evaluation,
        shadow,
        provenance,
        submittedVia: options.submittedVia,
      },
      now,
    );
    const notices = budgetNotices(deps, record, facts);
    return { record, created: true, view: await planView(tx, record), evaluation, notices };
  });
}

async function accept(
  tx: StoreTx,
  deps: PipelineDeps,
  principal: Principal,
  input: {
    plan: HandoffPlan;
    /** The plan's RFC 8785 form, stored as its payload. */
    canonical: string;
    digest: string;
    evaluation: PolicyEvaluation;
    /** What the shadow policy set would have decided (recorded, gates nothing). */
    shadow?: PolicyEvaluation | undefined;
    provenance: PlanProvenance | undefined;
    submittedVia: SubmittedVia | undefined;
  },
  now: number,
): Promise<PlanRecord> {
  const { plan, canonical, digest, evaluation } = input;
  const actor = actorOf(principal, 'copilot');
  const optionId = plan.recommendedOptionId;
  const approvalDeadline = Math.min(
    now + approvalWindowSeconds(deps.policy.set) * 1000,
    Date.parse(plan.expiresAt),
  );
  const evaluationJson = canonicalJson(evaluation);
  const evaluationDigest = sha256Digest(evaluationJson);
  await tx.putPayload(digest, 'HandoffPlan', canonical, now);
  await tx.putPayload(evaluationDigest, 'PolicyEvaluation', evaluationJson, now);
  await tx.rememberPolicy(deps.policy.version, deps.policy.set.id, deps.policy.set.version, now);
  let record: PlanRecord = {
    planId: plan.planId,
    tenantId: plan.tenantId,
    workflowId: plan.workflow.workflowId,
    copilotModel: copilotModelOf(plan),
    digest,
    state: 'received',
    pausedFrom: null,
    recommendedOptionId: optionId,
    selectedOptionId: null,
    submittedBy: principal.id,
    policyVersion: deps.policy.version,
    evaluationDigest,
    reasonCode: null,
    receivedAt: now,
    updatedAt: now,
    approvalDeadline,
    expiresAt: Date.parse(plan.expiresAt),
  };
  await tx.insertPlan(record);
  const base = { tenantId: plan.tenantId, planId: plan.planId, actor, occurredAt: now };
  const option = plan.options.find((o) => o.optionId === optionId);
  await tx.appendLineage([
    {
      ...base,
      type: 'plan.received',
      refs: { plan: digest },
      data: {
        workflowId: plan.workflow.workflowId,
        aiMode: plan.workflow.aiMode,
        copilotModel: record.copilotModel,
        recommendedOptionId: optionId,
        inputs: plan.inputs.map((i) => ({
          inputId: i.inputId,
          sha256: i.sha256 ?? null,
          version: i.version ?? null,
        })),
        costMinor: Number(sumMinor(option?.actions.map((a) => a.estimatedCost.amountMinor) ?? [])),
        currency: option?.budget.amount.currency,
        ...(input.submittedVia ? { submittedVia: input.submittedVia } : {}),
      },
    },
    ...Object.values(evaluation.options).map((o) => ({
      ...base,
      actor: { type: 'system' as const, id: 'policy' },
      type: 'policy.evaluated' as const,
      refs: { plan: digest, policy: deps.policy.version, evaluation: evaluationDigest },
      data: {
        optionId: o.optionId,
        outcome: o.outcome,
        rules: ruleResults(o.decisions),
        gates: o.gates,
      },
    })),
    ...(input.shadow && deps.shadowPolicy
      ? shadowEvents(base, { digest, active: evaluation, shadow: input.shadow })
      : []),
  ]);
  if (input.provenance) await recordProvenance(tx, record, input.provenance, actor, now);

  const outcome = evaluation.options[optionId]?.outcome ?? 'deny';
  if (outcome === 'deny') {
    return transitionPlan(tx, record, 'rejected', {
      actor,
      atMs: now,
      reasonCode: 'POLICY_DENIED',
    });
  }
  const reserved = await tracedReserve(tx, {
    plan,
    digest,
    optionId,
    expiresAtMs: approvalDeadline,
    atMs: now,
    actor,
  });
  if (!reserved.ok) {
    return transitionPlan(tx, record, 'rejected', { actor, atMs: now, reasonCode: reserved.code });
  }
  const next = outcome === 'require_approval' ? 'awaiting_approval' : 'approved';
  if (next === 'approved') {
    record = await transitionPlan(tx, record, 'approved', {
      actor,
      atMs: now,
      patch: { selectedOptionId: optionId },
      data: { optionId },
    });
    await tx.extendReservations(plan.tenantId, plan.planId, record.expiresAt, now);
    await queueActions(tx, { plan, record, optionId, atMs: now, actor });
  } else {
    record = await transitionPlan(tx, record, 'awaiting_approval', { actor, atMs: now });
  }
  // The kill switch on arrival, for the option the plan would run: a covered plan waits paused (`control.held`).
  return pauseIfHeld(tx, {
    record,
    plan,
    optionId,
    step: { held: 'submission' },
    onPause: deps.onPause,
    atMs: now,
  });
}
