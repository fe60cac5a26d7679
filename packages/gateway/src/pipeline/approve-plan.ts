import { sumMinor } from '@handoff/protocol';
import type { Span } from '@opentelemetry/api';
import { NO_COPILOTS } from '../approvals/approver-registry.js';
import { type VerifiedApproval, verifyApprovalToken } from '../approvals/verify-approval.js';
import type { Principal } from '../auth/principal.js';
import { GatewayError, type GatewayErrorCode, isGatewayError } from '../errors.js';
import { ATTR, inSpan } from '../observability/tracing.js';
import { gatesAt } from '../policy/gate-escalation.js';
import { planSignerThumbprint } from '../provenance/plan-signer.js';
import type { LedgerLine, PlanRecord, StoreTx } from '../store/store.js';
import { approvalCost, holdApprovedBudget, recordBudgetRefusal } from './approval-budget.js';
import { claimRefusal, dutyRefusal, keyRefusal } from './approver-identity.js';
import { holdApproval } from './control-hold.js';
import { actorOf, loadPlanDocument, type PipelineDeps } from './deps.js';
import { expirePlan } from './expire-plans.js';
import { type PlanView, planViewOf } from './plan-view.js';
import { isStored, keyName, markStored } from './process-memo.js';
import { queueActions, queuedFacts } from './queue-actions.js';
import { gateProgress, quorumMet } from './quorum.js';
import {
  type ApprovalEffect,
  approvalFacts,
  approvalRecord,
  recordApproval,
  recordUnverifiedRefusal,
} from './record-approval.js';
import { evaluationOf, receivedEventOf } from './recorded-evaluation.js';
import { releaseBudget } from './reserve-budget.js';
import { spendTooLowMessage, spendWidenedMessage } from './spend-message.js';
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
 * The token is verified first (pinned algorithms, `aud` = this gateway, `exp`/`nbf` with the configured
 * tolerance) with the public key pinned for its `kid` in the approver registry of the presenting principal's
 * tenant (registrations are per tenant): a kid that tenant did not register is refused
 * `APPROVAL_KEY_NOT_REGISTERED`, whether or not another tenant registered it (no existence oracle across tenants),
 * a revoked one `APPROVAL_KEY_REVOKED`. Identity and roles come from that registration, never from the token
 * alone, and the tenant is the principal's. Then, in one transaction (the registration is read again there, so a
 * revocation that commits first always wins, before the plan is looked up, so a foreign plan id is never
 * revealed):
 * 1. `sub` is the registered subject (`APPROVAL_SUBJECT_MISMATCH`), `role` is one of the registered roles
 *    (`APPROVAL_ROLE_NOT_HELD`), and the presenting principal holds no `copilot` role (`APPROVAL_SELF_APPROVAL`);
 * 2. the plan exists in that tenant (`NOT_FOUND`, as for an unknown id), is awaiting approval, and the token
 *    matches it: plan digest, policy version, an option that policy did not deny, a role one of that option's
 *    gates asks for (for an option that needs no approval, such as a plan's cautious alternative: a role a gate
 *    of the recommended option asks for, so any approver the plan waits for may choose it, and that one approval
 *    decides the plan);
 * 3. separation of duties: neither the presenting principal nor the registered subject submitted the plan, the
 *    subject is not a copilot principal of the tenant, and the approver key is not the key material that signed
 *    the plan's provenance (`APPROVAL_SELF_APPROVAL`);
 * 4. a `maxSpend` covering the option's cost in its currency and not above the option's budget (the plan's declared
 *    maximum: an approver may narrow it, never widen it, `APPROVAL_SPEND_WIDENED` at `/maxSpend/amountMinor`), an option the gateway would not charge more than
 *    that declared cost (`BUDGET_COST_UNDERSTATED`: a daily raise approved after a cap's period rolled over can
 *    cost more days than when it was policed, see `approvalCost`), a token id never used before (even across
 *    restarts) and a registered subject that has not decided on this plan already.
 * Any approver-role principal of the key's tenant may present a token (a courier such as an approvals app): the
 * signature proves who approved; the presenter is recorded as `presentedBy`. The approval's approver is the
 * registered subject. A signed rejection stops the plan and releases its budget; approvals that complete every
 * gate's quorum (distinct registered subjects, see `gateProgress`) approve the plan (re-reserving budget when they
 * chose another option than the recommended one) and write its outbox rows. An approval whose option the caps
 * cannot hold is not consumed: it is refused `BUDGET_EXCEEDED` with the cap's figures, the plan keeps waiting
 * (`reasonCode` `BUDGET_EXCEEDED`) and the same approver may decide again once there is headroom (see
 * `pipeline/approval-budget.ts`).
 *
 * Every refusal is recorded as `approval.refused` (committed) before the error is thrown.
 *
 * The kill switch is checked for the option approved, not only the recommended one, after the option checks: an
 * approval of an option an active control covers is refused `SCOPE_PAUSED` and recorded as `control.held`. Nothing
 * of it is accepted (its token is not spent, the plan keeps waiting with its budget), so the approver presents the
 * same token again once the scope is resumed. A signed rejection is never held.
 *
 * @throws GatewayError with an `APPROVAL_*` code (`APPROVAL_SPEND_WIDENED` included), `KEY_SOURCE_UNAVAILABLE`, `NOT_FOUND`,
 *   `PLAN_NOT_AWAITING_APPROVAL`, `SCOPE_PAUSED`, `BUDGET_COST_UNDERSTATED` or `BUDGET_EXCEEDED` (the approval
 *   was not used).
 */
export async function approvePlan(
  deps: PipelineDeps,
  principal: Principal,
  token: string,
): Promise<ApprovalResult> {
  const attributes = { [ATTR.tenant]: principal.tenantId };
  return inSpan('handoff.approve', attributes, async (span) => {
    const result = await approveVerified(deps, principal, token, span);
    span?.setAttributes({
      [ATTR.outcome]: result.decisive ? result.record.state : 'awaiting_quorum',
    });
    return result;
  });
}

async function approveVerified(
  deps: PipelineDeps,
  principal: Principal,
  token: string,
  span: Span | undefined,
): Promise<ApprovalResult> {
  let verified: VerifiedApproval;
  try {
    verified = await verifyApprovalToken(token, {
      keys: deps.approverKeys(principal.tenantId),
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
  // Identifiers from the verified claims only (never the token).
  span?.setAttributes({
    [ATTR.planId]: verified.claims.planId,
    [ATTR.option]: verified.claims.optionId,
    [ATTR.decision]: verified.claims.decision,
  });
  return applyVerifiedApproval(deps, principal, verified, token);
}

/**
 * Applies an approval whose signature is already verified: every check of {@link approvePlan} after the
 * signature (registration, plan, digest, policy version, option, role, separation of duties, spend, kill switch,
 * replay, duplicate approver, quorum, budget) in one transaction, then the plan view. `token` is the evidence
 * stored by `verified.tokenDigest` (a compact JWS, or a passkey assertion's evidence, see
 * `console/passkey-approval.ts`).
 *
 * @throws GatewayError as {@link approvePlan}, but for the token verification codes.
 */
export async function applyVerifiedApproval(
  deps: PipelineDeps,
  principal: Principal,
  verified: VerifiedApproval,
  token: string,
): Promise<ApprovalResult> {
  const remembered: string[] = [];
  const outcome = await deps.store
    .transaction((tx) => applyApproval(tx, deps, principal, { verified, token, remembered }))
    .catch((error: unknown) => recordBudgetRefusal(deps.store, error));
  if ('refused' in outcome) throw outcome.refused;
  // The approver's key is not written again by this process once committed.
  markStored(deps.store, remembered);
  return outcome;
}

type Applied = ApprovalResult | { refused: GatewayError };

async function applyApproval(
  tx: StoreTx,
  deps: PipelineDeps,
  principal: Principal,
  input: { verified: VerifiedApproval; token: string; remembered: string[] },
): Promise<Applied> {
  const { verified, token } = input;
  const { claims } = verified;
  const now = deps.clock.now();
  const presenter = actorOf(principal, 'approver');
  // The presenting principal's tenant's registration: another tenant's kid is not registered here.
  const registration = await tx.getApproverKey(principal.tenantId, verified.header.kid);
  // Trusted once every identity check below has passed; refusals before that name the presenting principal.
  let actor = presenter;
  let known: PlanRecord | undefined;
  const refuse = async (
    code: GatewayErrorCode,
    message: string,
    issues?: GatewayError['issues'],
  ): Promise<Applied> => {
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
          presentedBy: principal.id,
        },
      },
    ]);
    return { refused: new GatewayError(code, message, issues ? { issues } : {}) };
  };
  const keyProblem = keyRefusal(registration);
  if (keyProblem || !registration) {
    return refuse(keyProblem?.code ?? 'APPROVAL_KEY_NOT_REGISTERED', keyProblem?.message ?? '');
  }
  // Plans are per tenant: a plan of another tenant is not found here, nor named in this tenant's lineage.
  known = await tx.getPlan(principal.tenantId, claims.planId);
  const claimProblem = claimRefusal(registration, principal, claims);
  if (claimProblem) return refuse(claimProblem.code, claimProblem.message);
  const approver = registration.subject;
  actor = { type: 'approver', id: approver };
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
  // What the plan's arrival decided (its `plan.received` event): the option's gates, the copilot's signer.
  const received = await receivedEventOf(tx, record);
  const plan = await loadPlanDocument(tx, record);
  const evaluated = await evaluationOf(tx, record, { received, plan });
  const evaluations = evaluated.options;
  const evaluation = evaluations[claims.optionId];
  if (!evaluation || evaluation.outcome === 'deny') {
    return refuse(
      'APPROVAL_OPTION_INVALID',
      `Option ${claims.optionId} is not in the plan or was denied by policy`,
    );
  }
  // An option that needs no approval may be chosen by any approver the plan waits for (a role a gate of the
  // recommended option asks for); an option with gates only by a role one of its own gates asks for.
  // Gates as they stand now: past an `escalate` deadline, a gate admits its backup roles too.
  const gates = gatesAt(evaluation.gates, record.receivedAt, now);
  const askedBy =
    gates.length > 0
      ? gates
      : gatesAt(evaluations[record.recommendedOptionId]?.gates ?? [], record.receivedAt, now);
  if (!askedBy.some((gate) => gate.roles.includes(claims.role))) {
    return refuse(
      'APPROVAL_ROLE_NOT_REQUIRED',
      `No approval gate of option ${claims.optionId} (or, for an option needing no approval, of the recommended option) asks for role ${claims.role}`,
    );
  }
  const copilots = deps.copilots ?? NO_COPILOTS;
  const signerThumbprint = await planSignerThumbprint(tx, record, received);
  const duty = dutyRefusal(registration, principal, record, copilots, signerThumbprint);
  if (duty) return refuse(duty.code, duty.message);
  const option = plan.options.find((o) => o.optionId === claims.optionId);
  const cost = sumMinor(option?.actions.map((a) => a.estimatedCost.amountMinor) ?? []);
  if (
    !option ||
    claims.maxSpend.currency !== option.budget.amount.currency ||
    BigInt(claims.maxSpend.amountMinor) < cost
  ) {
    return refuse('APPROVAL_SPEND_TOO_LOW', spendTooLowMessage(claims.maxSpend, option, cost));
  }
  // An approver may narrow the option's maximum spend (its budget), never widen it.
  if (BigInt(claims.maxSpend.amountMinor) > BigInt(option.budget.amount.amountMinor)) {
    const message = spendWidenedMessage(claims.maxSpend, option);
    return refuse('APPROVAL_SPEND_WIDENED', message, [
      { path: '/maxSpend/amountMinor', code: 'APPROVAL_SPEND_WIDENED', message },
    ]);
  }
  // Policy gates and approvals were decided on the declared cost: never hold more for the option than that. (A
  // rejection holds nothing: it is never refused for this.)
  // The plan's ledger, read once: nothing below writes it before `holdApprovedBudget` has used it.
  const ledger =
    claims.decision === 'approve' ? await tx.ledgerForPlan(record.tenantId, record.planId) : [];
  const charged =
    claims.decision === 'approve'
      ? await approvalCost(tx, { record, plan, option, atMs: now, ledger })
      : 0n;
  if (charged > cost) {
    return refuse(
      'BUDGET_COST_UNDERSTATED',
      `Option ${claims.optionId} would now be charged ${charged} minor units, more than the ${cost} it declares and was evaluated for: resubmit the plan declaring at least that`,
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
  if (previous.some((a) => a.approver === approver)) {
    return refuse('APPROVAL_DUPLICATE_APPROVER', 'This approver has already decided on this plan');
  }
  if (!(await tx.useToken(claims.jti, record.planId, now))) {
    return refuse('APPROVAL_REPLAYED', 'This approval token was already used');
  }

  const keyKnown = isStored(deps.store, keyName('approver', record.tenantId, verified.header.kid));
  if (!keyKnown) input.remembered.push(keyName('approver', record.tenantId, verified.header.kid));
  const approval = { verified, token, now, presentedBy: principal.id };
  const approvals = [...previous, approvalRecord(record, verified, now)];
  const done = async (
    effect: ApprovalEffect,
    decisive: boolean,
    /** The ledger read above, when nothing since changed what the view shows of it (cap, period, amount, status). */
    unchanged?: readonly LedgerLine[],
  ): Promise<ApprovalResult> => {
    await recordApproval(tx, record, approval, effect, !keyKnown);
    const optionId = record.selectedOptionId ?? record.recommendedOptionId;
    // The view from what this transaction holds; the ledger is read again only once its lines were moved.
    const view = planViewOf(record, {
      evaluation: evaluated.options[optionId],
      approvals,
      ledger: unchanged ?? (await tx.ledgerForPlan(record.tenantId, record.planId)),
      budgetRefusal: null,
    });
    return { record, decisive, view };
  };
  if (claims.decision === 'reject') {
    const released = await releaseBudget(tx, {
      ...record,
      atMs: now,
      actor,
      reason: 'rejected_by_approver',
      silent: true,
    });
    record = await transitionPlan(tx, record, 'rejected', {
      actor,
      atMs: now,
      reasonCode: 'APPROVAL_REJECTED',
      recordedByCaller: true,
    });
    return done(
      { state: 'rejected', reasonCode: 'APPROVAL_REJECTED', released: released.map(lineFacts) },
      true,
    );
  }
  if (!quorumMet(gateProgress(gates, approvals, claims.optionId)))
    return done({ state: record.state }, false, ledger);

  // Rolls this transaction back (token not burned, approval not recorded) when the caps cannot hold the option.
  const moved = await holdApprovedBudget(tx, {
    record,
    plan,
    optionId: claims.optionId,
    approval: { actor, atMs: now, facts: approvalFacts(claims, verified.header.kid) },
    silent: true,
    ledger,
  });
  record = await transitionPlan(tx, record, 'approved', {
    actor,
    atMs: now,
    reasonCode: null,
    patch: { selectedOptionId: claims.optionId },
    recordedByCaller: true,
  });
  // Only the reserved lines' expiry changes: the view of a ledger not moved is the one read above.
  await tx.extendReservations(record.tenantId, record.planId, record.expiresAt, now);
  const queued = await queueActions(tx, {
    plan,
    record,
    optionId: claims.optionId,
    atMs: now,
    actor,
    silent: true,
  });
  return done(
    {
      state: 'approved',
      queued: queued.map(queuedFacts),
      ...(moved
        ? { released: moved.released.map(lineFacts), reserved: moved.reserved.map(lineFacts) }
        : {}),
    },
    true,
    moved ? undefined : ledger,
  );
}

/** A ledger line as an event lists it: cap, period, amount (minor units). */
function lineFacts(line: LedgerLine) {
  return { capId: line.capId, periodKey: line.periodKey, amountMinor: line.amountMinor };
}
