import type { Actor, HandoffPlan } from '@handoff/protocol';
import { rememberDispatchParent } from '../observability/tracing-dispatch.js';
import type { OutboxRow, PlanRecord, StoreTx } from '../store/store.js';
import { actionIdempotencyKey } from './idempotency-key.js';

/** An outbox row as the event of the approving transition lists it (`data.queued`). */
export function queuedFacts(row: OutboxRow) {
  return {
    actionIndex: row.actionIndex,
    actionId: row.actionId,
    adapter: row.adapter,
    idempotencyKey: row.idempotencyKey,
  };
}

/**
 * Writes one outbox row per action of the selected option, in the transaction that approves the plan, and
 * records `dispatch.queued` for each with its idempotency key (not when `silent`: the approving event lists them,
 * see {@link queuedFacts}). A dispatcher executes the rows; a crash between
 * approval and dispatch loses nothing, because the rows and the approval commit together.
 */
export async function queueActions(
  tx: StoreTx,
  input: {
    plan: HandoffPlan;
    record: PlanRecord;
    optionId: string;
    atMs: number;
    actor: Actor;
    silent?: boolean;
  },
): Promise<OutboxRow[]> {
  const { plan, record, optionId, atMs } = input;
  const option = plan.options.find((o) => o.optionId === optionId);
  if (!option) throw new Error(`Option ${optionId} is not in plan ${plan.planId}`);
  const rows: OutboxRow[] = option.actions.map((action, actionIndex) => ({
    idempotencyKey: actionIdempotencyKey(record.digest, optionId, actionIndex),
    planId: plan.planId,
    tenantId: plan.tenantId,
    optionId,
    actionIndex,
    actionId: action.actionId,
    adapter: action.adapter,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: atMs,
    lastError: null,
    receiptDigest: null,
    createdAt: atMs,
    updatedAt: atMs,
  }));
  await tx.insertOutbox(rows);
  rememberDispatchParent(rows.map((row) => row.idempotencyKey));
  if (input.silent) return rows;
  await tx.appendLineage(
    rows.map((row) => ({
      tenantId: plan.tenantId,
      planId: plan.planId,
      actor: input.actor,
      occurredAt: atMs,
      type: 'dispatch.queued' as const,
      refs: { plan: record.digest },
      data: { optionId, ...queuedFacts(row) },
    })),
  );
  return rows;
}
