import type { Actor, ApprovalClaims, HandoffPlan } from '@handoff/protocol';
import type { ControlRecord, OutboxRow, PlanRecord, StoreTx } from '../store/store.js';
import { controlNames, coveringControls } from './kill-switch.js';
import { releaseBudget } from './reserve-budget.js';
import { transitionPlan } from './transition.js';

/** The kill switch as a lineage actor: what pauses a plan on arrival or at a dispatch claim. */
export const KILL_SWITCH_ACTOR: Actor = { type: 'system', id: 'kill-switch' };

/**
 * What a kill switch held back: a plan's submission (it arrives paused), an approval of one of its options (refused
 * with `SCOPE_PAUSED`), or the dispatch of one of its actions (the plan is paused before the request is sent).
 */
export type HeldStep =
  | { held: 'submission' }
  | { held: 'approval'; approver: string; jti: string }
  | {
      held: 'dispatch';
      idempotencyKey: string;
      actionIndex: number;
      actionId: string;
      adapter: string;
    };

/**
 * The `control.held` lineage event: which controls (`scopeType`, `scopeValue`) held which step of which plan and
 * option. Written once per hold (a submission, an approval refused, a plan paused at a claim), never per poll.
 */
function heldEvent(
  record: PlanRecord,
  optionId: string,
  controls: readonly ControlRecord[],
  step: HeldStep,
) {
  return {
    type: 'control.held' as const,
    refs: { plan: record.digest },
    data: {
      ...step,
      optionId,
      controls: controls.map((c) => ({ scopeType: c.scopeType, scopeValue: c.scopeValue })),
    },
  };
}

/**
 * Pauses a plan that a kill switch covers as it arrives (submission) or as one of its actions is claimed
 * (dispatch), for the option it runs: moves it to `paused` (from `awaiting_approval`, `approved` or
 * `dispatching`) with `control.held`; its budget follows {@link releaseOnPause}.
 * `resumeScope` resumes it like any plan that scope paused. Returns the plan unchanged when nothing covers it.
 */
export async function pauseIfHeld(
  tx: StoreTx,
  input: {
    record: PlanRecord;
    plan: HandoffPlan;
    optionId: string;
    step: HeldStep;
    onPause: 'keep' | 'release';
    atMs: number;
  },
): Promise<PlanRecord> {
  const { record, plan, optionId, step, atMs } = input;
  const controls = coveringControls(await tx.listControls(record.tenantId), plan, optionId);
  if (controls.length === 0) return record;
  const paused = await transitionPlan(tx, record, 'paused', {
    actor: KILL_SWITCH_ACTOR,
    atMs,
    data: { controls: controlNames(controls) },
    events: [heldEvent(record, optionId, controls, step)],
  });
  await releaseOnPause(tx, record, input.onPause, { atMs, actor: KILL_SWITCH_ACTOR });
  return paused;
}

/**
 * What a pause does to a plan's budget, the one rule for every pause (`pauseScope` and {@link pauseIfHeld}):
 * with `onPause: 'release'` the reservation of a plan paused from `awaiting_approval` or `approved` is released;
 * a plan that had started dispatching keeps it whatever `onPause` says, since requests already sent (and their
 * retries) may still spend. `record` is the plan as it was before the pause.
 */
export async function releaseOnPause(
  tx: StoreTx,
  record: PlanRecord,
  onPause: 'keep' | 'release',
  at: { atMs: number; actor: Actor },
): Promise<void> {
  if (onPause !== 'release' || record.state === 'dispatching') return;
  await releaseBudget(tx, { ...record, ...at, reason: 'paused' });
}

/**
 * The kill switch at approval, for the option being approved (not only the recommended one): when a control
 * covers it, records `control.held` and returns the refusal message (the caller refuses with `SCOPE_PAUSED`);
 * otherwise returns undefined. Nothing else changes: the approval is not recorded, its token is not spent, the
 * plan keeps waiting in `awaiting_approval` with its budget, and the approver may present the same token again
 * once the scope is resumed. A rejection is never held (it stops the plan, which a kill switch never prevents).
 */
export async function holdApproval(
  tx: StoreTx,
  input: { record: PlanRecord; plan: HandoffPlan; claims: ApprovalClaims; atMs: number },
): Promise<string | undefined> {
  const { record, plan, claims, atMs } = input;
  if (claims.decision !== 'approve') return undefined;
  const controls = coveringControls(await tx.listControls(record.tenantId), plan, claims.optionId);
  if (controls.length === 0) return undefined;
  const step: HeldStep = { held: 'approval', approver: claims.sub, jti: claims.jti };
  await tx.appendLineage([
    {
      tenantId: record.tenantId,
      planId: record.planId,
      actor: KILL_SWITCH_ACTOR,
      occurredAt: atMs,
      ...heldEvent(record, claims.optionId, controls, step),
    },
  ]);
  return `Option ${claims.optionId} is held by a kill switch (${controlNames(controls).join(', ')}); present the approval again once it is resumed`;
}

/** The step a dispatch claim of `row` is, for {@link pauseIfHeld}. */
export function dispatchStep(row: OutboxRow): HeldStep {
  return {
    held: 'dispatch',
    idempotencyKey: row.idempotencyKey,
    actionIndex: row.actionIndex,
    actionId: row.actionId,
    adapter: row.adapter,
  };
}
