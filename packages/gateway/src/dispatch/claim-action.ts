import type { Action, HandoffPlan } from '@handoff/protocol';
import { dispatchStep, pauseIfHeld } from '../pipeline/control-hold.js';
import { loadPlanDocument, SYSTEM_ACTOR } from '../pipeline/deps.js';
import { expirePlan } from '../pipeline/expire-plans.js';
import { recordTransition, transitionPlan } from '../pipeline/transition.js';
import { isTerminal } from '../plan-state.js';
import type { Rule } from '../policy/rule.js';
import { attemptEventType, reversesData } from '../rollback/compensation.js';
import type { OutboxRow, PlanRecord, StoreTx } from '../store/store.js';
import { holdIfOutsideWindow } from './send-window-check.js';
import { type DispatchSuppression, stopIfSuppressed } from './suppression-check.js';

/** An outbox row claimed for one attempt, with what the adapter needs. */
export interface ClaimedAction {
  row: OutboxRow;
  record: PlanRecord;
  plan: HandoffPlan;
  action: Action;
  /** The attempt number this claim made (1 on the first try). */
  attempt: number;
  /**
   * On a compensation (`row.reverses`): what the adapter captured at dispatch for undoing the action (the
   * original receipt's `reversal`, `{}` when it captured nothing).
   */
  reversal?: Record<string, unknown>;
}

/** The outcome of {@link claimAction}: claimed, or left alone (with why, for the run summary). */
export type ClaimResult =
  | { kind: 'claimed'; claimed: ClaimedAction }
  | { kind: 'held'; reason: 'paused' | 'not_due' | 'changed' }
  | { kind: 'abandoned'; reason: string };

/**
 * A dispatcher replica's outbox lease (see `store/outbox-leases.ts`): its id (`lease_owner`) and how long a lease
 * lasts, ms (longer than a claim and its platform call).
 */
export interface OutboxLease {
  owner: string;
  ms: number;
}

/** Options of {@link claimAction}. */
export interface ClaimOptions {
  /** The claiming replica's lease: only a row it leased (`claimOutbox`) is claimed. */
  lease: OutboxLease;
  /** How long a held row waits before its next look, in ms. */
  holdMs: number;
  /** Whether a plan the kill switch pauses here keeps or releases its budget (the gateway's `killSwitch.onPause`). */
  onPause: 'keep' | 'release';
  /** The suppression check before the send (see `stopIfSuppressed`). Absent: none. */
  suppression?: DispatchSuppression;
  /**
   * The active policy's rules whose `send_window` rules a triggered send is checked against again at dispatch
   * (see `holdIfOutsideWindow`). Absent: none.
   */
  sendWindowRules?: readonly Rule[];
}

/**
 * The row `due` as it stands now, when it is still `pending`, due at `atMs` and leased by `lease.owner`; undefined
 * otherwise (another replica took it once this one's lease ended, or it changed since it was leased). The lease
 * is renewed (`lease.ms` from `atMs`) by an UPDATE whose condition is the row as read (still `pending`, the same
 * attempts, this owner): the row is then this transaction's until it ends (PostgreSQL holds its row lock, and
 * another replica's `claimOutbox` skips it), so nothing can take it between this check and the claim's writes.
 */
export async function leasedRow(
  tx: StoreTx,
  due: OutboxRow,
  atMs: number,
  lease: OutboxLease,
): Promise<OutboxRow | undefined> {
  const row = await tx.getOutbox(due.idempotencyKey);
  if (row?.status !== 'pending' || row.nextAttemptAt > atMs) return undefined;
  if (row.leaseOwner !== lease.owner) return undefined;
  const asRead = { status: 'pending' as const, attempts: row.attempts, leaseOwner: lease.owner };
  const renewed = { leaseUntil: atMs + lease.ms, updatedAt: atMs };
  return (await tx.updateOutbox(row.idempotencyKey, asRead, renewed))
    ? { ...row, ...renewed }
    : undefined;
}

/**
 * Moves a claimed row to `in_flight` with one more attempt, its lease renewed (`lease.ms` from `atMs`), and records its attempt (`dispatch.attempted`, or
 * `rollback.attempted` naming the row a compensation reverses), with `data.state` the state the plan entered by
 * this claim (`dispatching`, on its first action) when it entered one. Returns the attempt number.
 */
export async function startAttempt(
  tx: StoreTx,
  row: OutboxRow,
  record: PlanRecord,
  atMs: number,
  lease: OutboxLease,
  entered?: string,
): Promise<number> {
  const attempt = row.attempts + 1;
  await tx.updateOutbox(row.idempotencyKey, 'pending', {
    status: 'in_flight',
    attempts: attempt,
    leaseOwner: lease.owner,
    leaseUntil: atMs + lease.ms,
    updatedAt: atMs,
  });
  await tx.appendLineage([
    {
      tenantId: row.tenantId,
      planId: row.planId,
      type: attemptEventType(row, 'dispatch.attempted'),
      actor: SYSTEM_ACTOR,
      occurredAt: atMs,
      refs: { plan: record.digest },
      data: {
        idempotencyKey: row.idempotencyKey,
        ...reversesData(row),
        actionIndex: row.actionIndex,
        actionId: row.actionId,
        adapter: row.adapter,
        attempt,
        ...(entered ? { state: entered } : {}),
      },
    },
  ]);
  return attempt;
}

/**
 * Holds a row of a paused plan: its next look is `holdMs` later, by any replica (its lease is cleared); nothing
 * is recorded (no event per poll).
 */
export async function holdRow(
  tx: StoreTx,
  row: OutboxRow,
  atMs: number,
  holdMs: number,
): Promise<ClaimResult> {
  await tx.updateOutbox(row.idempotencyKey, 'pending', {
    nextAttemptAt: atMs + holdMs,
    leaseOwner: null,
    leaseUntil: null,
    updatedAt: atMs,
  });
  return { kind: 'held', reason: 'paused' };
}

/**
 * Claims one due outbox row inside `tx`, just before its request is sent: a row this replica leased
 * (`options.lease`; else it is left alone as `changed`). The kill switch is checked here, before
 * every action: a row whose plan is `paused` is held (its next look is `holdMs` milliseconds later, nothing is
 * recorded); a row of an `approved` or `dispatching` plan that an active control covers, for the option the row
 * executes (its adapters, channels, workflow, tenant, copilot model), pauses its plan first, with one
 * `control.held` event (later looks find the plan paused and record nothing), and is held; a row whose plan has
 * ended (cancelled, expired, rejected) is `abandoned` with `dispatch.abandoned`; a row naming a contact now on a suppression list fails (`stopIfSuppressed`); a triggered send outside its send window is held until it opens (`holdIfOutsideWindow`); an `approved` plan past its
 * `expiresAt` is expired first. Otherwise the plan moves to `dispatching` (on its
 * first action), the row to `in_flight` with one more attempt, and `dispatch.attempted` is recorded, all in one
 * transaction: after a crash, an `in_flight` row is exactly a request that may have left.
 */
export async function claimAction(
  tx: StoreTx,
  due: OutboxRow,
  atMs: number,
  options: ClaimOptions,
): Promise<ClaimResult> {
  const row = await leasedRow(tx, due, atMs, options.lease);
  if (!row) return { kind: 'held', reason: 'changed' };
  let record = await tx.getPlan(row.tenantId, row.planId);
  if (!record) throw new Error(`Outbox row ${row.idempotencyKey} names unknown plan ${row.planId}`);
  if (record.state === 'approved' && atMs >= record.expiresAt) {
    record = await expirePlan(tx, record, atMs, 'PLAN_EXPIRED');
  }
  if (isTerminal(record.state)) {
    const reason = `plan_${record.state}`;
    await tx.updateOutbox(row.idempotencyKey, 'pending', {
      status: 'abandoned',
      lastError: reason,
      updatedAt: atMs,
    });
    await tx.appendLineage([
      {
        tenantId: row.tenantId,
        planId: row.planId,
        type: 'dispatch.abandoned',
        actor: SYSTEM_ACTOR,
        occurredAt: atMs,
        refs: { plan: record.digest },
        data: { idempotencyKey: row.idempotencyKey, actionIndex: row.actionIndex, reason },
      },
    ]);
    return { kind: 'abandoned', reason };
  }
  if (record.state !== 'approved' && record.state !== 'dispatching')
    return holdRow(tx, row, atMs, options.holdMs);
  const plan = await loadPlanDocument(tx, record);
  // The kill switch, for the option this row executes: a covered plan is paused (once, with `control.held`) and
  // its row held like any paused plan's; the request is never sent.
  const paused = await pauseIfHeld(tx, {
    record,
    plan,
    optionId: row.optionId,
    step: dispatchStep(row),
    onPause: options.onPause,
    atMs,
  });
  if (paused.state === 'paused') return holdRow(tx, row, atMs, options.holdMs);
  // The move to `dispatching` is recorded by this claim's `dispatch.attempted` (`data.state`), or, when the claim
  // ends without an attempt, by its own `plan.state_changed`.
  const approved = record.state === 'approved' ? record : undefined;
  const move = { actor: SYSTEM_ACTOR, atMs, data: { optionId: row.optionId } };
  if (approved) {
    record = await transitionPlan(tx, approved, 'dispatching', { ...move, recordedByCaller: true });
  }
  const entered = approved ? record.state : undefined;
  const noAttempt = async (result: ClaimResult): Promise<ClaimResult> => {
    if (approved) await recordTransition(tx, approved, 'dispatching', move);
    return result;
  };
  // A contact suppressed since approval is never sent to: the action fails with CONTACT_SUPPRESSED.
  if (options.suppression) {
    const { suppression } = options;
    if (await stopIfSuppressed(tx, { row, record, plan, atMs, suppression })) {
      return noAttempt({ kind: 'abandoned', reason: 'contact_suppressed' });
    }
  }
  // A triggered send whose dispatch time is outside its send window waits for the window (or dead-letters).
  if (options.sendWindowRules) {
    const rules = options.sendWindowRules;
    const fate = await holdIfOutsideWindow(tx, { row, record, plan, atMs, rules });
    if (fate === 'held') return noAttempt({ kind: 'held', reason: 'not_due' });
    if (fate === 'dead') return noAttempt({ kind: 'abandoned', reason: 'outside_send_window' });
  }
  const action = plan.options.find((o) => o.optionId === row.optionId)?.actions[row.actionIndex];
  if (!action) throw new Error(`Plan ${row.planId} has no action ${row.actionIndex}`);
  const attempt = await startAttempt(tx, row, record, atMs, options.lease, entered);
  return {
    kind: 'claimed',
    claimed: {
      row: { ...row, status: 'in_flight', attempts: attempt },
      record,
      plan,
      action,
      attempt,
    },
  };
}
