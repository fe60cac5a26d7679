import { canonicalJson, type HandoffPlan, type SubmittedVia, sumMinor } from '@handoff/protocol';
import type { Principal } from '../auth/principal.js';
import { assertCostsDeclared } from '../budget/action-cost.js';
import type { BudgetCap } from '../budget/cap.js';
import { toIso } from '../clock.js';
import { GatewayError } from '../errors.js';
import { ATTR, inSpan } from '../observability/tracing.js';
import { submitAttributes, tracedReserve } from '../observability/tracing-stages.js';
import { policyCalibration } from '../outcomes/calibration-report.js';
import type { PolicyEvaluation } from '../policy/evaluate.js';
import { approvalWindowSeconds } from '../policy/policy-set.js';
import {
  checkProvenance,
  type PlanProvenance,
  storeProvenance,
} from '../provenance/submit-provenance.js';
import type { LedgerLine, PlanRecord, StoreTx } from '../store/store.js';
import { notifyWaiting } from './approval-notices.js';
import { type BudgetNotice, budgetNotices, sendBudgetNotices } from './budget-notices.js';
import { budgetRefusalFrom } from './budget-refusal.js';
import { pauseIfHeld } from './control-hold.js';
import { actorOf, type PipelineDeps } from './deps.js';
import { evaluatePlan, validatePlanInput } from './evaluate-plan.js';
import { copilotModelOf } from './kill-switch.js';
import { type PlanView, planView, planViewOf } from './plan-view.js';
import { isStored, keyName, markStored, policyName } from './process-memo.js';
import { queueActions, queuedFacts } from './queue-actions.js';
import { recordDecisions } from './recorded-decisions.js';
import { toBudgetCap } from './reserve-budget.js';
import { shadowEvents } from './shadow-events.js';
import { rememberPolicySet } from './stored-policy.js';
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
  const stored: string[] = [];
  const result = await deps.store.transaction(async (tx) => {
    // The policy reads its facts (sends dispatched, cap usage) in the transaction that records its decision.
    const { evaluation, shadow, facts } = await evaluatePlan(tx, deps, validated, {
      atMs: now,
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
    const caps = (await tx.getCaps(plan.tenantId)).map(toBudgetCap);
    assertCostsDeclared(plan, caps, now);
    const accepted = await accept(
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
        stored,
        caps,
      },
      now,
    );
    const { record } = accepted;
    const notices = budgetNotices(deps, record, facts);
    return { record, created: true, view: accepted.view, evaluation, notices };
  });
  // Remembered once committed: the policy set and the copilot key are not written again by this process.
  markStored(deps.store, stored);
  return result;
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
    /** Names of what this transaction stored once per process (see `process-memo.ts`), marked after commit. */
    stored: string[];
    /** The tenant's caps, read once in this transaction. */
    caps: readonly BudgetCap[];
  },
  now: number,
): Promise<{ record: PlanRecord; view: PlanView }> {
  const { plan, canonical, digest, evaluation, stored } = input;
  const actor = actorOf(principal, 'copilot');
  const optionId = plan.recommendedOptionId;
  const approvalDeadline = Math.min(
    now + approvalWindowSeconds(deps.policy.set) * 1000,
    Date.parse(plan.expiresAt),
  );
  const policy = deps.policy;
  await tx.putPayload(digest, 'HandoffPlan', canonical, now);
  if (!isStored(deps.store, policyName(policy.version))) {
    // The policy set once per digest: every plan's evaluation is recorded against it (`refs.policy`).
    await tx.putPayload(policy.version, 'PolicySet', canonicalJson(policy.set), now);
    await tx.rememberPolicy(policy.version, policy.set.id, policy.set.version, now);
    rememberPolicySet(policy.version, policy.set);
    stored.push(policyName(policy.version));
  }
  const received: PlanRecord = {
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
    policyVersion: policy.version,
    // Format 2: the evaluation is recorded in `plan.received`, recomputable from the plan and this policy set.
    evaluationDigest: policy.version,
    reasonCode: null,
    receivedAt: now,
    updatedAt: now,
    approvalDeadline,
    expiresAt: Date.parse(plan.expiresAt),
  };
  await tx.insertPlan(received);
  const provenance = input.provenance
    ? await storeProvenance(
        tx,
        input.provenance,
        now,
        !isStored(deps.store, copilotKey(input.provenance)),
      )
    : undefined;
  if (input.provenance) stored.push(copilotKey(input.provenance));

  // Decide the state entered, reserving budget (silently: `plan.received` records the lines) on the way.
  const outcome = evaluation.options[optionId]?.outcome ?? 'deny';
  const approvedNow = outcome === 'allow';
  const reserved =
    outcome === 'deny'
      ? undefined
      : await tracedReserve(tx, {
          plan,
          digest,
          optionId,
          // An option approved on arrival holds its budget until the plan expires, else until the approval deadline.
          expiresAtMs: approvedNow ? received.expiresAt : approvalDeadline,
          atMs: now,
          actor,
          silent: true,
          caps: input.caps,
        });
  const reasonCode =
    outcome === 'deny' ? 'POLICY_DENIED' : reserved && !reserved.ok ? reserved.code : null;
  const to = reasonCode ? 'rejected' : approvedNow ? 'approved' : 'awaiting_approval';
  let record = await transitionPlan(tx, received, to, {
    actor,
    atMs: now,
    recordedByCaller: true,
    ...(reasonCode ? { reasonCode } : {}),
    ...(to === 'approved' ? { patch: { selectedOptionId: optionId } } : {}),
  });
  const queued =
    to === 'approved'
      ? await queueActions(tx, { plan, record, optionId, atMs: now, actor, silent: true })
      : [];
  const lines = reserved?.ok ? reserved.lines : [];
  const base = { tenantId: plan.tenantId, planId: plan.planId, actor, occurredAt: now };
  const option = plan.options.find((o) => o.optionId === optionId);
  await tx.appendLineage([
    {
      ...base,
      type: 'plan.received',
      refs: {
        plan: digest,
        policy: policy.version,
        ...(provenance ? { provenance: provenance.tokenDigest } : {}),
      },
      data: {
        state: to,
        ...(reasonCode ? { reasonCode } : {}),
        recommendedOptionId: optionId,
        costMinor: Number(sumMinor(option?.actions.map((a) => a.estimatedCost.amountMinor) ?? [])),
        currency: option?.budget.amount.currency,
        decisions: recordDecisions(evaluation),
        reservations: lines.map(reservationFacts),
        ...(queued.length > 0 ? { queued: queued.map(queuedFacts) } : {}),
        ...(provenance ? { provenance: provenance.facts } : {}),
        ...(input.submittedVia ? { submittedVia: input.submittedVia } : {}),
      },
    },
    // A budget refusal keeps its own event: the plan view and the trace show its figures.
    ...(reserved && !reserved.ok
      ? [{ ...base, type: 'budget.refused' as const, refs: { plan: digest }, data: reserved.data }]
      : []),
    ...(input.shadow && deps.shadowPolicy
      ? shadowEvents(base, { digest, active: evaluation, shadow: input.shadow })
      : []),
  ]);
  // The kill switch on arrival, for the option the plan would run: a covered plan waits paused (`control.held`).
  const held =
    to === 'rejected'
      ? record
      : await pauseIfHeld(tx, {
          record,
          plan,
          optionId,
          step: { held: 'submission' },
          onPause: deps.onPause,
          atMs: now,
        });
  if (held !== record) return { record: held, view: await planView(tx, held) };
  record = held;
  // The view from what this transaction holds: nothing is read back.
  const view = planViewOf(record, {
    evaluation: evaluation.options[record.selectedOptionId ?? optionId],
    approvals: [],
    ledger: lines,
    budgetRefusal: reserved && !reserved.ok ? budgetRefusalFrom(reserved.data, toIso(now)) : null,
  });
  return { record, view };
}

/** A reservation line as `plan.received` records it: cap, period, amount (minor units of the option's currency). */
function reservationFacts(line: LedgerLine) {
  return { capId: line.capId, periodKey: line.periodKey, amountMinor: line.amountMinor };
}

function copilotKey(provenance: PlanProvenance): string {
  return keyName('copilot', '', provenance.verified.kid);
}
