import type { Actor } from '@handoff/protocol';
import type { Principal } from '../auth/principal.js';
import { settlePlanIfDone } from '../dispatch/settle-plan.js';
import { GatewayError } from '../errors.js';
import { HOLDING_STATES, isTerminal } from '../plan-state.js';
import type { ControlRecord, PlanRecord, StoreTx } from '../store/store.js';
import { releaseOnPause } from './control-hold.js';
import { actorOf, loadPlanDocument, type PipelineDeps } from './deps.js';
import {
  assertControlTarget,
  type ControlTarget,
  controlCovers,
  coveringControls,
} from './kill-switch.js';
import { releaseBudget, reserveBudget } from './reserve-budget.js';
import { transitionPlan } from './transition.js';

/**
 * Cancels a plan that has not started dispatching (`awaiting_approval`, `approved`, `paused` from one of them),
 * releasing its budget. A copilot may cancel only the plans it submitted; an operator any plan of its tenant.
 *
 * @throws GatewayError `NOT_FOUND` (no such plan in the caller's tenant, or not the copilot's own),
 *   `ILLEGAL_TRANSITION` (dispatching, paused while dispatching, or finished).
 */
export async function cancelPlan(
  deps: PipelineDeps,
  principal: Principal,
  planId: string,
  reason: string,
): Promise<PlanRecord> {
  const now = deps.clock.now();
  const asOperator = principal.roles.includes('operator');
  return deps.store.transaction(async (tx) => {
    const record = await tx.getPlan(principal.tenantId, planId);
    if (
      !record ||
      record.tenantId !== principal.tenantId ||
      (!asOperator && record.submittedBy !== principal.id)
    ) {
      throw new GatewayError('NOT_FOUND', `No plan ${planId} for this caller`);
    }
    const actor = actorOf(principal, asOperator ? 'operator' : 'copilot');
    if (record.pausedFrom === 'dispatching') {
      // It has sent requests: it settles (and commits what they spent) once resumed, it is not cancelled.
      throw new GatewayError(
        'ILLEGAL_TRANSITION',
        'A plan paused while dispatching cannot be cancelled',
        {
          details: { from: record.state, to: 'cancelled' },
        },
      );
    }
    if (record.state !== 'dispatching' && !isTerminal(record.state)) {
      await releaseBudget(tx, { ...record, atMs: now, actor, reason: 'cancelled' });
    }
    return transitionPlan(tx, record, 'cancelled', {
      actor,
      atMs: now,
      reasonCode: 'CANCELLED',
      data: { reason },
    });
  });
}

/**
 * Pauses a scope (kill switch): records the control, then moves every plan of the tenant that it covers and that
 * still holds budget (`awaiting_approval`, `approved`, `dispatching`) to `paused`, keeping or releasing its budget
 * as configured (`releaseOnPause`: a dispatching plan always keeps it, it may still spend). The switch then holds
 * every path (see `control-hold.ts`): new plans in the scope are paused on arrival, an approval of an option it
 * covers is refused `SCOPE_PAUSED` (even when the plan's recommended option is not covered), and a dispatch claim
 * pauses a plan whose executed option it covers before any request is sent; each hold is recorded as
 * `control.held`. Returns the plans paused.
 *
 * @throws GatewayError `VALIDATION_FAILED` when the scope value cannot name such a scope (see
 *   `assertControlTarget`: e.g. a look-alike `example‑planner`), with nothing recorded.
 */
export async function pauseScope(
  deps: PipelineDeps,
  principal: Principal,
  target: ControlTarget,
  reason: string,
): Promise<PlanRecord[]> {
  assertControlTarget(target);
  const now = deps.clock.now();
  const actor = actorOf(principal, 'operator');
  return deps.store.transaction((tx) =>
    pauseScopeIn(tx, deps.onPause, {
      tenantId: principal.tenantId,
      target,
      reason,
      actor,
      atMs: now,
    }),
  );
}

/**
 * The work of {@link pauseScope} inside `tx`, for callers that pause on their own authority (the outcome
 * guardrail): records the control (paused by `actor.id`) and `control.paused`, then pauses every plan of the tenant
 * it covers that still holds budget. Returns the plans paused.
 */
export async function pauseScopeIn(
  tx: StoreTx,
  onPause: PipelineDeps['onPause'],
  input: {
    tenantId: string;
    target: ControlTarget;
    reason: string;
    actor: Actor;
    atMs: number;
    data?: Record<string, unknown>;
  },
): Promise<PlanRecord[]> {
  const { target, reason, actor, tenantId } = input;
  const now = input.atMs;
  const control: ControlRecord = {
    tenantId,
    ...target,
    reason,
    pausedBy: actor.id,
    pausedAt: now,
  };
  await tx.putControl(control);
  await tx.appendLineage([
    {
      tenantId,
      type: 'control.paused',
      actor,
      occurredAt: now,
      data: { ...target, reason, onPause, ...input.data },
    },
  ]);
  const candidates = await tx.listPlans({
    tenantId,
    states: HOLDING_STATES.filter((s) => s !== 'paused'),
    limit: Number.MAX_SAFE_INTEGER,
  });
  const paused: PlanRecord[] = [];
  for (const record of candidates) {
    const plan = await loadPlanDocument(tx, record);
    if (!controlCovers(target, plan, record.selectedOptionId ?? record.recommendedOptionId))
      continue;
    const moved = await transitionPlan(tx, record, 'paused', {
      actor,
      atMs: now,
      data: { control: `${target.scopeType}:${target.scopeValue}` },
    });
    await releaseOnPause(tx, record, onPause, { atMs: now, actor });
    paused.push(moved);
  }
  return paused;
}

/**
 * Lifts a pause: removes the control and resumes every paused plan it covered that no other control still
 * covers, back to the state it was paused from. Budget released by the pause is reserved again; when caps no
 * longer allow it, the plan stays paused and `budget.refused` says why. Returns the plans resumed.
 *
 * @throws GatewayError `NOT_FOUND` when the scope was not paused.
 */
export async function resumeScope(
  deps: PipelineDeps,
  principal: Principal,
  target: ControlTarget,
): Promise<PlanRecord[]> {
  const now = deps.clock.now();
  const actor = actorOf(principal, 'operator');
  return deps.store.transaction(async (tx) => {
    const removed = await tx.deleteControl(principal.tenantId, target.scopeType, target.scopeValue);
    if (!removed)
      throw new GatewayError('NOT_FOUND', `${target.scopeType} ${target.scopeValue} is not paused`);
    await tx.appendLineage([
      {
        tenantId: principal.tenantId,
        type: 'control.resumed',
        actor,
        occurredAt: now,
        data: { ...target },
      },
    ]);
    const remaining = await tx.listControls(principal.tenantId);
    const paused = await tx.listPlans({
      tenantId: principal.tenantId,
      states: ['paused'],
      limit: Number.MAX_SAFE_INTEGER,
    });
    const resumed: PlanRecord[] = [];
    for (const record of paused) {
      const plan = await loadPlanDocument(tx, record);
      const optionId = record.selectedOptionId ?? record.recommendedOptionId;
      if (
        !controlCovers(target, plan, optionId) ||
        coveringControls(remaining, plan, optionId).length > 0
      )
        continue;
      const to = record.pausedFrom;
      if (to === null) continue;
      const held = (await tx.ledgerForPlan(record.tenantId, record.planId)).some(
        (l) => l.status === 'reserved',
      );
      if (!held) {
        const expiresAtMs = to === 'awaiting_approval' ? record.approvalDeadline : record.expiresAt;
        const reserved = await reserveBudget(tx, {
          plan,
          digest: record.digest,
          optionId,
          expiresAtMs,
          atMs: now,
          actor,
        });
        if (!reserved.ok) continue;
      }
      const moved = await transitionPlan(tx, record, to, { actor, atMs: now });
      // Its last action may have finished while it was paused: a dispatching plan with nothing open settles now.
      resumed.push(
        (to === 'dispatching'
          ? await settlePlanIfDone(tx, record.tenantId, record.planId, now, actor)
          : undefined) ?? moved,
      );
    }
    return resumed;
  });
}
