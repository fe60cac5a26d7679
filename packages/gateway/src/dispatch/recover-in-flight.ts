import { SYSTEM_ACTOR } from '../pipeline/deps.js';
import { attemptEventType, reversesData } from '../rollback/compensation.js';
import type { GatewayStore } from '../store/store.js';

/** How many in-flight rows one recovery transaction handles. */
const RECOVERY_BATCH = 500;

/**
 * Resolves the rows a dead dispatcher left `in_flight` (claimed, so a request may have left, with no outcome
 * recorded): those whose lease ended at `atMs` (`outboxLeaseExpired`; a row another live replica holds is never
 * touched), whichever replica claimed them. Where the adapter's platform dedupes on the idempotency key (`dedupes(adapterId)` is true), the row
 * goes back to `pending` and is re-sent with the same key: the platform applies it once, whatever happened
 * before the crash (`dispatch.retry_scheduled`, reason `recovered`). Where it does not, the row becomes `in_doubt`
 * for an operator to reconcile (`dispatch.in_doubt`): at-most-once, never a blind re-send. A rollback's
 * compensation follows the same rules, recorded as `rollback.retry_scheduled` / `rollback.in_doubt`.
 *
 * Every replica calls it when it starts and then periodically (the dispatcher's runs); each row is moved by a
 * compare-and-set on its status, so two replicas recovering at once move it once. Times are epoch milliseconds.
 * Returns the counts this call moved.
 */
export async function recoverInFlight(
  store: GatewayStore,
  atMs: number,
  dedupes: (adapterId: string) => boolean,
): Promise<{ requeued: number; inDoubt: number }> {
  const counts = { requeued: 0, inDoubt: 0 };
  for (;;) {
    const done = await store.transaction(async (tx) => {
      const rows = await tx.outboxLeaseExpired(atMs, RECOVERY_BATCH);
      for (const row of rows) {
        const requeue = dedupes(row.adapter);
        const moved = await tx.updateOutbox(row.idempotencyKey, 'in_flight', {
          status: requeue ? 'pending' : 'in_doubt',
          nextAttemptAt: atMs,
          lastError: 'RECOVERED_AFTER_CRASH',
          updatedAt: atMs,
        });
        if (!moved) continue;
        const plan = await tx.getPlan(row.tenantId, row.planId);
        await tx.appendLineage([
          {
            tenantId: row.tenantId,
            planId: row.planId,
            type: attemptEventType(row, requeue ? 'dispatch.retry_scheduled' : 'dispatch.in_doubt'),
            actor: SYSTEM_ACTOR,
            occurredAt: atMs,
            ...(plan ? { refs: { plan: plan.digest } } : {}),
            data: {
              idempotencyKey: row.idempotencyKey,
              ...reversesData(row),
              actionIndex: row.actionIndex,
              adapter: row.adapter,
              attempt: row.attempts,
              reason: 'recovered',
              code: 'RECOVERED_AFTER_CRASH',
            },
          },
        ]);
        if (requeue) counts.requeued += 1;
        else counts.inDoubt += 1;
      }
      return rows.length < RECOVERY_BATCH;
    });
    if (done) return counts;
  }
}
