import { DispatchReceiptSchema } from '@handoff/protocol';
import {
  type ClaimResult,
  holdRow,
  leasedRow,
  type OutboxLease,
  startAttempt,
} from '../dispatch/claim-action.js';
import { loadPlanDocument } from '../pipeline/deps.js';
import type { OutboxRow, StoreTx } from '../store/store.js';

/** The plan states a compensation runs in: the plan's dispatch has settled (see `plans.rollback`). */
const SETTLED = ['dispatched', 'partially_failed'] as const;

/**
 * What the adapter captured at dispatch for undoing the action a compensation reverses: the `reversal` of the
 * original row's stored receipt (`{}` when it captured nothing).
 */
export async function capturedReversal(
  tx: StoreTx,
  original: OutboxRow | undefined,
): Promise<Record<string, unknown> | undefined> {
  if (original?.status !== 'succeeded' || original.receiptDigest === null) return undefined;
  const body = await tx.getPayload(original.receiptDigest);
  if (body === undefined) return undefined;
  return DispatchReceiptSchema.parse(JSON.parse(body)).reversal ?? {};
}

/**
 * Claims one due compensation row (`row.reverses` set) that this replica leased (`lease`) inside `tx`, just before its reversal is sent: the
 * counterpart of `claimAction` for a rollback. The row's plan has settled (`dispatched` or `partially_failed`),
 * so no plan state moves here. A kill switch on the row's own adapter holds it (the operator stopped all traffic
 * to that platform: nothing is sent, the next look is `holdMs` later); other scopes do not, since a compensation
 * undoes what they would stop. Otherwise the row goes `in_flight` with one more attempt and `rollback.attempted`
 * names the action it reverses, in one transaction: after a crash, an `in_flight` compensation is exactly a
 * reversal that may have left, and crash recovery treats it as any dispatch (re-sent with the same key where the
 * platform dedupes, else `in_doubt`): never a compensation twice.
 */
export async function claimCompensation(
  tx: StoreTx,
  due: OutboxRow,
  atMs: number,
  holdMs: number,
  lease: OutboxLease,
): Promise<ClaimResult> {
  const row = await leasedRow(tx, due, atMs, lease);
  if (row?.reverses === undefined) return { kind: 'held', reason: 'changed' };
  const record = await tx.getPlan(row.tenantId, row.planId);
  if (!record || !(SETTLED as readonly string[]).includes(record.state))
    throw new Error(`Compensation ${row.idempotencyKey} names no settled plan ${row.planId}`);
  const controls = await tx.listControls(row.tenantId);
  if (controls.some((c) => c.scopeType === 'adapter' && c.scopeValue === row.adapter))
    return holdRow(tx, row, atMs, holdMs);
  const reversal = await capturedReversal(tx, await tx.getOutbox(row.reverses));
  if (reversal === undefined)
    throw new Error(`Compensation ${row.idempotencyKey} reverses no succeeded dispatch`);
  const plan = await loadPlanDocument(tx, record);
  const action = plan.options.find((o) => o.optionId === row.optionId)?.actions[row.actionIndex];
  if (!action) throw new Error(`Plan ${row.planId} has no action ${row.actionIndex}`);
  const attempt = await startAttempt(tx, row, record, atMs, lease);
  return {
    kind: 'claimed',
    claimed: {
      row: { ...row, status: 'in_flight', attempts: attempt },
      record,
      plan,
      action,
      attempt,
      reversal,
    },
  };
}
