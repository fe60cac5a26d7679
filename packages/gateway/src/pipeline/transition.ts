import type { Actor, LineageEventType } from '@handoff/protocol';
import { GatewayError } from '../errors.js';
import { assertTransition, type PlanState } from '../plan-state.js';
import type { LineageDraft, PlanPatch, PlanRecord, StoreTx } from '../store/store.js';

/** Options of {@link transitionPlan}. */
export interface TransitionOptions {
  actor: Actor;
  atMs: number;
  reasonCode?: string | null;
  patch?: Omit<PlanPatch, 'state' | 'updatedAt'>;
  /** Further lineage events to record with the state change, in the same transaction. */
  events?: readonly Omit<LineageDraft, 'tenantId' | 'planId' | 'actor' | 'occurredAt'>[];
  data?: Record<string, unknown>;
  /**
   * True when the caller's own event of this transition records the state entered (`plan.received`,
   * `approval.accepted`, `dispatch.attempted`, `plan.settled`: one event per transition, lineage format 2): no
   * `plan.state_changed` is written, nor `events`.
   */
  recordedByCaller?: boolean;
}

/**
 * Moves a plan to `to` inside `tx`: checks the transition table, updates the row only if it is still in the state
 * read (so two racing changes cannot both win), and appends `plan.state_changed` (plus `options.events`) to the
 * lineage in the same transaction, unless `recordedByCaller` (the caller's event names the state entered).
 * Returns the updated record.
 *
 * @throws GatewayError `ILLEGAL_TRANSITION` when the table forbids the move or the plan changed under us.
 */
export async function transitionPlan(
  tx: StoreTx,
  plan: PlanRecord,
  to: PlanState,
  options: TransitionOptions,
): Promise<PlanRecord> {
  assertTransition(plan.state, to, plan.pausedFrom);
  const patch: PlanPatch = {
    ...options.patch,
    state: to,
    updatedAt: options.atMs,
    ...(options.reasonCode === undefined ? {} : { reasonCode: options.reasonCode }),
    ...(to === 'paused'
      ? { pausedFrom: plan.state }
      : plan.state === 'paused'
        ? { pausedFrom: null }
        : {}),
  };
  const changed = await tx.updatePlan(plan.tenantId, plan.planId, plan.state, patch);
  if (!changed) {
    throw new GatewayError(
      'ILLEGAL_TRANSITION',
      `Plan ${plan.planId} changed while moving to ${to}`,
      {
        details: { from: plan.state, to },
      },
    );
  }
  if (!options.recordedByCaller) await recordTransition(tx, plan, to, options);
  return { ...plan, ...patch } as PlanRecord;
}

/**
 * Appends the `plan.state_changed` event of a move of `plan` (as it was) to `to`, plus `options.events`: what
 * {@link transitionPlan} records, for a caller whose own event did not record the move after all (a dispatch
 * claim that ended without an attempt).
 */
export async function recordTransition(
  tx: StoreTx,
  plan: PlanRecord,
  to: PlanState,
  options: TransitionOptions,
): Promise<void> {
  const base = {
    tenantId: plan.tenantId,
    planId: plan.planId,
    actor: options.actor,
    occurredAt: options.atMs,
  };
  const stateChanged: LineageDraft = {
    ...base,
    type: 'plan.state_changed' satisfies LineageEventType,
    refs: { plan: plan.digest },
    data: {
      from: plan.state,
      to,
      ...(options.reasonCode ? { reasonCode: options.reasonCode } : {}),
      ...options.data,
    },
  };
  await tx.appendLineage([...(options.events ?? []).map((e) => ({ ...base, ...e })), stateChanged]);
}
