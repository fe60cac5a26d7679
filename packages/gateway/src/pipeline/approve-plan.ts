import { type ApprovalClaims, sumMinor } from '@handoff/protocol';
import { type VerifiedApproval, verifyApprovalToken } from '../approvals/verify-approval.js';
import type { Principal } from '../auth/principal.js';
import { GatewayError, type GatewayErrorCode, isGatewayError } from '../errors.js';
import type { PlanRecord, StoreTx } from '../store/store.js';
import { holdApprovedBudget, recordBudgetRefusal } from './approval-budget.js';
import { holdApproval } from './control-hold.js';
import { actorOf, evaluationOf, loadPlanDocument, type PipelineDeps } from './deps.js';
import { expirePlan } from './expire-plans.js';
import { type PlanView, planView } from './plan-view.js';
import { queueActions } from './queue-actions.js';
import { gateProgress, quorumMet } from './quorum.js';
import { releaseBudget } from './reserve-budget.js';
import { transitionPlan } from './transition.js';

/** What a verified approval did to its plan. */
export interface ApprovalResult {
  record: PlanRecord;
  /** True when this approval completed the quorum (or, for a rejection, stopped the plan). */
  decisive: boolean;
  /** The plan as the API shows it, read in the same transaction. */
  view: PlanView;
}

/**
 * Accepts a signed approval (compact JWS) for a plan awaiting approval.
 *
 * The token is verified first (pinned algorithms, approver JWKS, `aud` = this gateway, `exp`/`nbf` with the
 * configured tolerance). Then, in one transaction, it must match the plan exactly: plan id and tenant, plan
 * digest, policy version, an option that policy did not deny, a role one of that option's gates asks for, an
 * approver other than the principal that submitted the plan (separation of duties), a `maxSpend` covering the
 * option's cost in its currency, a token id never used before (even across restarts) and an approver who has not
 * approved this plan already. A signed rejection stops the plan and releases its budget; approvals that complete
 * every gate's quorum approve the plan (re-reserving budget when they chose another option than the recommended
 * one) and write its outbox rows. An approval whose option the caps cannot hold is not consumed: it is refused
 * `BUDGET_EXCEEDED` with the cap's figures, the plan keeps waiting (`reasonCode` `BUDGET_EXCEEDED`) and the same
 * approver may decide again once there is headroom (see `pipeline/approval-budget.ts`).
 *
 * Every refusal is recorded as `approval.refused` (committed) before the error is thrown.
 *
 * The kill switch is checked for the option approved, not only the recommended one, after the option checks: an
 * approval of an option an active control covers is refused `SCOPE_PAUSED` and recorded as `control.held`. Nothing
 * of it is accepted (its token is not spent, the plan keeps waiting with its budget), so the approver presents the
 * same token again once the scope is resumed. A signed rejection is never held.
 *
 * @throws GatewayError with an `APPROVAL_*` code, `KEY_SOURCE_UNAVAILABLE`, `NOT_FOUND`,
 *   `PLAN_NOT_AWAITING_APPROVAL`, `SCOPE_PAUSED`, or `BUDGET_EXCEEDED` (the approval was not used).
 */
export async function approvePlan(
  deps: PipelineDeps,
  principal: Principal,
  token: string,
): Promise<ApprovalResult> {
  let verified: VerifiedApproval;
  try {
    verified = await verifyApprovalToken(token, {
      keys: deps.approverKeys,
      audience: deps.gatewayId,
      clock: deps.clock,
      clockToleranceSec: deps.approvalClockToleranceSec,
    });
  } catch (error) {
    if (isGatewayError(error) && error.code.startsWith('APPROVAL_')) {
      await recordUnverifiedRefusal(deps, principal, error);
    }
    throw error;
  }
  const outcome = await deps.store
    .transaction(async (tx) => {
      const applied = await applyApproval(tx, deps, principal, verified, token);
      return 'refused' in applied
        ? applied
        : { ...applied, view: await planView(tx, applied.record) };
    })
    .catch((error: unknown) => recordBudgetRefusal(deps.store, error));
  if ('refused' in outcome) throw outcome.refused;
  return outcome;
}

/** Records a token that failed verification: no claim of it is trusted, so it names no plan. */
async function recordUnverifiedRefusal(
  deps: PipelineDeps,
  principal: Principal,
  error: GatewayError,
) {
  const now = deps.clock.now();
  await deps.store.transaction((tx) =>
    tx.appendLineage([
      {
        tenantId: principal.tenantId,
        type: 'approval.refused',
        actor: actorOf(principal, 'approver'),
        occurredAt: now,
        data: { code: error.code, verified: false, presentedBy: principal.id },
      },
    ]),
  );
}

type Applied = Omit<ApprovalResult, 'view'> | { refused: GatewayError };

async function applyApproval(
  tx: StoreTx,
  deps: PipelineDeps,
  principal: Principal,
  verified: VerifiedApproval,
  token: string,
): Promise<Applied> {
  const { claims } = verified;
  const now = deps.clock.now();
  const actor = { type: 'approver' as const, id: claims.sub };
  const found = await tx.getPlan(principal.tenantId, claims.planId);
  // A plan of another tenant is not named in this tenant's lineage (nor is an unknown one).
  const known = found && found.tenantId === principal.tenantId ? found : undefined;
  const refuse = async (code: GatewayErrorCode, message: string): Promise<Applied> => {
    await tx.appendLineage([
      {
        tenantId: principal.tenantId,
        ...(known ? { planId: known.planId, refs: { plan: known.digest } } : {}),
        type: 'approval.refused',
        actor,
        occurredAt: now,
        data: {
          code,
          verified: true,
          kid: verified.header.kid,
          jti: claims.jti,
          role: claims.role,
          optionId: claims.optionId,
        },
      },
    ]);
    return { refused: new GatewayError(code, message) };
  };
  if (!known) return refuse('NOT_FOUND', `No plan ${claims.planId} in this tenant`);
  let record = known;

  if (record.state === 'awaiting_approval' && now >= record.approvalDeadline) {
    await expirePlan(tx, record, now, 'APPROVAL_WINDOW_ELAPSED');
    return refuse('PLAN_NOT_AWAITING_APPROVAL', 'The approval window of this plan has elapsed');
  }
  if (record.state !== 'awaiting_approval') {
    return refuse(
      'PLAN_NOT_AWAITING_APPROVAL',
      `The plan is ${record.state}, not awaiting approval`,
    );
  }
  if (claims.planDigest !== record.digest) {
    return refuse('APPROVAL_DIGEST_MISMATCH', 'The approval is for another version of this plan');
  }
  if (claims.policyVersion !== record.policyVersion) {
    return refuse(
      'APPROVAL_POLICY_MISMATCH',
      'The approval names another policy version than the plan was evaluated under',
    );
  }
  const evaluation = (await evaluationOf(tx, record)).options[claims.optionId];
  if (!evaluation || evaluation.outcome === 'deny') {
    return refuse(
      'APPROVAL_OPTION_INVALID',
      `Option ${claims.optionId} is not in the plan or was denied by policy`,
    );
  }
  if (!evaluation.gates.some((gate) => gate.roles.includes(claims.role))) {
    return refuse(
      'APPROVAL_ROLE_NOT_REQUIRED',
      `No approval gate of option ${claims.optionId} asks for role ${claims.role}`,
    );
  }
  if (claims.sub === record.submittedBy) {
    return refuse(
      'APPROVAL_SELF_APPROVAL',
      'The approver submitted this plan (separation of duties)',
    );
  }
  const plan = await loadPlanDocument(tx, record);
  const option = plan.options.find((o) => o.optionId === claims.optionId);
  const cost = sumMinor(option?.actions.map((a) => a.estimatedCost.amountMinor) ?? []);
  if (
    !option ||
    claims.maxSpend.currency !== option.budget.amount.currency ||
    BigInt(claims.maxSpend.amountMinor) < cost
  ) {
    return refuse(
      'APPROVAL_SPEND_TOO_LOW',
      `maxSpend does not cover the option's cost of ${cost} minor units`,
    );
  }
  // The kill switch, for the option being approved: a held approval is refused, nothing of it recorded.
  const controlHold = await holdApproval(tx, { record, plan, claims, atMs: now });
  if (controlHold !== undefined) return refuse('SCOPE_PAUSED', controlHold);
  const previous = await tx.approvalsForPlan(record.tenantId, record.planId);
  // A replayed token is a replay, not merely a second decision of its approver: check its id first.
  if (previous.some((a) => a.jti === claims.jti)) {
    return refuse('APPROVAL_REPLAYED', 'This approval token was already used');
  }
  if (previous.some((a) => a.approver === claims.sub)) {
    return refuse('APPROVAL_DUPLICATE_APPROVER', 'This approver has already decided on this plan');
  }
  if (!(await tx.useToken(claims.jti, record.planId, now))) {
    return refuse('APPROVAL_REPLAYED', 'This approval token was already used');
  }

  await recordApproval(tx, record, verified, token, now);
  if (claims.decision === 'reject') {
    await releaseBudget(tx, { ...record, atMs: now, actor, reason: 'rejected_by_approver' });
    record = await transitionPlan(tx, record, 'rejected', {
      actor,
      atMs: now,
      reasonCode: 'APPROVAL_REJECTED',
    });
    return { record, decisive: true };
  }
  const approvals = [
    ...previous,
    {
      approver: claims.sub,
      role: claims.role,
      decision: claims.decision,
      optionId: claims.optionId,
    },
  ];
  if (!quorumMet(gateProgress(evaluation.gates, approvals, claims.optionId)))
    return { record, decisive: false };

  // Rolls this transaction back (token not burned, approval not recorded) when the caps cannot hold the option.
  await holdApprovedBudget(tx, {
    record,
    plan,
    optionId: claims.optionId,
    approval: { actor, atMs: now, facts: approvalFacts(claims, verified.header.kid) },
  });
  record = await transitionPlan(tx, record, 'approved', {
    actor,
    atMs: now,
    reasonCode: null,
    patch: { selectedOptionId: claims.optionId },
    data: { optionId: claims.optionId },
  });
  await tx.extendReservations(record.tenantId, record.planId, record.expiresAt, now);
  await queueActions(tx, { plan, record, optionId: claims.optionId, atMs: now, actor });
  return { record, decisive: true };
}

async function recordApproval(
  tx: StoreTx,
  record: PlanRecord,
  verified: VerifiedApproval,
  token: string,
  now: number,
) {
  const { claims, header, tokenDigest } = verified;
  await tx.rememberKey('approver', header.kid, JSON.stringify(verified.publicJwk), now);
  await tx.putPayload(tokenDigest, 'ApprovalJws', token, now);
  await tx.insertApproval({
    jti: claims.jti,
    tenantId: record.tenantId,
    planId: record.planId,
    optionId: claims.optionId,
    approver: claims.sub,
    role: claims.role,
    decision: claims.decision,
    kid: header.kid,
    tokenDigest,
    maxSpendMinor: claims.maxSpend.amountMinor,
    currency: claims.maxSpend.currency,
    receivedAt: now,
  });
  await tx.appendLineage([
    {
      tenantId: record.tenantId,
      planId: record.planId,
      type: 'approval.accepted',
      actor: { type: 'approver', id: claims.sub },
      occurredAt: now,
      refs: { plan: record.digest, approval: tokenDigest },
      data: approvalFacts(claims, header.kid),
    },
  ]);
}

function approvalFacts(claims: ApprovalClaims, kid: string): Record<string, unknown> {
  return {
    approver: claims.sub,
    role: claims.role,
    decision: claims.decision,
    optionId: claims.optionId,
    kid,
    jti: claims.jti,
    maxSpend: claims.maxSpend,
    issuedAt: claims.iat,
    expiresAt: claims.exp,
  };
}
