import { PLAN_STATES, type PlanState } from '@handoff/protocol';
import { GatewayError } from './errors.js';

/**
 * The states of a plan in the gateway.
 *
 * - `received`: validated and recorded; policy and budget run in the same transaction, so no plan rests here.
 * - `awaiting_approval`: budget is reserved; the approval gates wait for their quorum.
 * - `approved`: every gate has its quorum (or none was needed); the outbox holds one row per action.
 * - `dispatching` -> `dispatched` | `partially_failed` | `failed`: actions are being sent to automation.
 * - `rejected` (policy denial, budget refusal, a signed rejection), `cancelled`, `expired`: terminal, budget released.
 * - `paused`: a kill switch holds the plan; it resumes only to the state it was paused from.
 */
export { PLAN_STATES, type PlanState };

/** The transition table: the only moves any API can make. */
export const PLAN_TRANSITIONS: Readonly<Record<PlanState, readonly PlanState[]>> = {
  received: ['awaiting_approval', 'approved', 'rejected', 'paused'],
  awaiting_approval: ['approved', 'rejected', 'cancelled', 'expired', 'paused'],
  approved: ['dispatching', 'cancelled', 'expired', 'paused'],
  dispatching: ['dispatched', 'partially_failed', 'failed', 'paused'],
  paused: ['awaiting_approval', 'approved', 'dispatching', 'cancelled', 'expired'],
  rejected: [],
  dispatched: [],
  partially_failed: [],
  failed: [],
  cancelled: [],
  expired: [],
};

/** States a plan never leaves. */
export const TERMINAL_STATES: readonly PlanState[] = PLAN_STATES.filter(
  (s) => PLAN_TRANSITIONS[s].length === 0,
);

/** States whose budget reservation is still held. */
export const HOLDING_STATES: readonly PlanState[] = [
  'awaiting_approval',
  'approved',
  'dispatching',
  'paused',
];

/** True when the table allows `from` -> `to` (for `paused`, see {@link assertTransition}). */
export function canTransition(from: PlanState, to: PlanState): boolean {
  return PLAN_TRANSITIONS[from].includes(to);
}

/**
 * Throws unless `from` -> `to` is allowed. A paused plan may only resume to the state it was paused from
 * (`pausedFrom`), or end as cancelled or expired.
 *
 * @throws GatewayError `ILLEGAL_TRANSITION` with `details: { from, to }`.
 */
export function assertTransition(
  from: PlanState,
  to: PlanState,
  pausedFrom?: PlanState | null,
): void {
  const resumesElsewhere =
    from === 'paused' && to !== 'cancelled' && to !== 'expired' && to !== (pausedFrom ?? undefined);
  if (!canTransition(from, to) || resumesElsewhere) {
    throw new GatewayError('ILLEGAL_TRANSITION', `A plan cannot move from ${from} to ${to}`, {
      details: { from, to },
    });
  }
}

/** True when a plan in `state` can no longer change. */
export function isTerminal(state: PlanState): boolean {
  return TERMINAL_STATES.includes(state);
}
