import { type Actor, DispatchReceiptSchema } from '@handoff/protocol';
import { loadPlanDocument } from '../pipeline/deps.js';
import { toBudgetCap } from '../pipeline/reserve-budget.js';
import type { OutboxStatus, StoreTx } from '../store/store.js';
import { type ReversedAction, unspentCredits } from './unspent-budget.js';

/** Compensation statuses that still wait for the dispatcher or an operator. */
const OPEN: readonly OutboxStatus[] = ['pending', 'in_flight', 'dead', 'in_doubt'];

/**
 * Ends a plan's rollback once none of its compensations is pending, in flight, dead-lettered or in doubt (those
 * wait for an operator, as a plan's own dispatches do): in one transaction, the budget the reversed actions had
 * not spent yet is given back (`unspentCredits`: negative `committed` lines on the caps and periods their spend
 * was committed in, recorded as `budget.released` with reason `rollback`), then `rollback.completed` records how
 * many compensations succeeded and how many were abandoned. Runs once per plan (a second call finds
 * `rollback.completed` and does nothing). Returns true when it completed the rollback now.
 */
export async function settleRollbackIfDone(
  tx: StoreTx,
  tenantId: string,
  planId: string,
  atMs: number,
  actor: Actor,
): Promise<boolean> {
  // The plan first: on PostgreSQL `getPlan` locks it, so of two replicas settling one rollback the second reads
  // the first's `rollback.completed` below instead of crediting the budget again.
  const record = await tx.getPlan(tenantId, planId);
  if (!record) return false;
  const rows = (await tx.outboxForPlan(tenantId, planId)).filter((r) => r.reverses !== undefined);
  if (rows.length > 0 && rows.some((r) => OPEN.includes(r.status))) return false;
  if (await tx.lastPlanEvent(tenantId, planId, 'rollback.completed')) return false;
  const plan = await loadPlanDocument(tx, record);
  const optionId = record.selectedOptionId ?? record.recommendedOptionId;
  const option = plan.options.find((o) => o.optionId === optionId);
  if (!option) throw new Error(`Plan ${planId} has no option ${optionId}`);
  const succeeded = rows.filter((r) => r.status === 'succeeded');
  const reversed: ReversedAction[] = [];
  for (const row of succeeded) {
    const action = option.actions[row.actionIndex];
    const original = row.reverses === undefined ? undefined : await tx.getOutbox(row.reverses);
    const body = original?.receiptDigest ? await tx.getPayload(original.receiptDigest) : undefined;
    const actual = body ? DispatchReceiptSchema.parse(JSON.parse(body)).actualCost : undefined;
    if (!action) continue;
    const chargedMinor =
      actual?.currency === action.estimatedCost.currency
        ? actual.amountMinor
        : action.estimatedCost.amountMinor;
    reversed.push({ action, chargedMinor });
  }
  const committed = (await tx.ledgerForPlan(tenantId, planId)).filter(
    (l) => l.status === 'committed',
  );
  const credits = unspentCredits({
    plan,
    option,
    reversed,
    caps: (await tx.getCaps(tenantId)).map(toBudgetCap),
    committed,
    atMs,
  });
  const refs = { plan: record.digest };
  if (credits.length > 0) {
    await tx.insertLedger(credits);
    await tx.appendLineage([
      {
        tenantId,
        planId,
        type: 'budget.released',
        actor,
        occurredAt: atMs,
        refs,
        data: {
          reason: 'rollback',
          lines: credits.map((l) => ({
            capId: l.capId,
            periodKey: l.periodKey,
            amountMinor: -l.amountMinor,
          })),
        },
      },
    ]);
  }
  await tx.appendLineage([
    {
      tenantId,
      planId,
      type: 'rollback.completed',
      actor,
      occurredAt: atMs,
      refs,
      data: {
        reversed: succeeded.map((r) => ({
          idempotencyKey: r.idempotencyKey,
          reverses: r.reverses,
        })),
        abandoned: rows.filter((r) => r.status === 'abandoned').length,
        releasedMinor: credits.reduce((sum, l) => sum - l.amountMinor, 0),
      },
    },
  ]);
  return true;
}
