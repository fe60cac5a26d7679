import type { Principal } from '../auth/principal.js';
import { GatewayError } from '../errors.js';
import { actorOf, loadPlanDocument, type PipelineDeps } from '../pipeline/deps.js';
import { coveringControls } from '../pipeline/kill-switch.js';
import { reserveBudget } from '../pipeline/reserve-budget.js';
import { attemptEventType, reversesData } from '../rollback/compensation.js';
import { settleRollbackIfDone } from '../rollback/settle-rollback.js';
import type { OutboxRow, OutboxStatus, StoreTx } from '../store/store.js';
import { settlePlanIfDone } from './settle-plan.js';

/**
 * What an operator does with a dead letter or an in-doubt row:
 * - `retry`: send it again (dead letters; in-doubt rows only once the operator has checked the platform did NOT
 *   apply it). The row gets one more attempt, and automatic retries while it has attempts left;
 * - `abandon`: give it up; its cost is not committed when the plan settles;
 * - `confirm`: an in-doubt row the operator found applied at the platform: it counts as succeeded.
 */
export type DispatchResolution = 'retry' | 'abandon' | 'confirm';

const ALLOWED_FROM: Record<DispatchResolution, readonly OutboxStatus[]> = {
  retry: ['dead', 'in_doubt'],
  abandon: ['dead', 'in_doubt'],
  confirm: ['in_doubt'],
};

type Resolved = { row: OutboxRow } | { refused: GatewayError };

async function checkRetry(
  tx: StoreTx,
  deps: PipelineDeps,
  row: OutboxRow,
  now: number,
  principal: Principal,
): Promise<GatewayError | undefined> {
  const record = await tx.getPlan(row.tenantId, row.planId);
  if (!record) return new GatewayError('NOT_FOUND', `No plan ${row.planId}`);
  if (record.state !== 'dispatching') {
    const code = record.state === 'paused' ? 'SCOPE_PAUSED' : 'ILLEGAL_TRANSITION';
    return new GatewayError(code, `The plan is ${record.state}; only a dispatching plan sends`);
  }
  const plan = await loadPlanDocument(tx, record);
  const optionId = record.selectedOptionId ?? record.recommendedOptionId;
  const controls = coveringControls(await tx.listControls(record.tenantId), plan, optionId);
  if (controls.length > 0) {
    return new GatewayError('SCOPE_PAUSED', 'A kill switch covers this plan', {
      details: { controls: controls.map((c) => `${c.scopeType}:${c.scopeValue}`) },
    });
  }
  if (now >= record.expiresAt) {
    return new GatewayError('PLAN_EXPIRED', 'The plan has expired: its approvals no longer hold');
  }
  if (record.policyVersion !== deps.policy.version) {
    return new GatewayError(
      'APPROVAL_POLICY_MISMATCH',
      'The plan was approved under another policy version than the active one',
      { details: { approvedUnder: record.policyVersion, active: deps.policy.version } },
    );
  }
  const held = (await tx.ledgerForPlan(record.tenantId, record.planId)).some(
    (l) => l.status === 'reserved',
  );
  if (held) return undefined;
  const reserved = await reserveBudget(tx, {
    plan,
    digest: record.digest,
    optionId,
    expiresAtMs: record.expiresAt,
    atMs: now,
    actor: actorOf(principal, 'operator'),
  });
  return reserved.ok
    ? undefined
    : new GatewayError('BUDGET_EXCEEDED', reserved.message, { details: reserved.data });
}

/**
 * Resolves a dead letter or an in-doubt row (operator), in one transaction. A retry re-checks what the original
 * dispatch relied on: the plan is still dispatching and no kill switch covers it, it has not expired, the active
 * policy version is the one its approvals were bound to, and its budget is still reserved (or can be reserved
 * again within the caps); a refused retry changes nothing but the `budget.refused` record. Every resolution is a
 * lineage event (`dispatch.retried`, `dispatch.abandoned`, or `dispatch.succeeded` with `confirmedBy`), and a plan
 * whose last open row is resolved settles (see `settlePlanIfDone`). A rollback's compensation is resolved the same way
 * (its events name the row it `reverses`); its retry re-checks nothing of the plan, and its rollback completes
 * once its last compensation is resolved (`settleRollbackIfDone`).
 *
 * @throws GatewayError `NOT_FOUND` (no such row in the caller's tenant), `DISPATCH_STATE_CONFLICT` (the row is
 *   not dead / in doubt as the resolution needs), and for `retry`: `SCOPE_PAUSED`, `ILLEGAL_TRANSITION`,
 *   `PLAN_EXPIRED`, `APPROVAL_POLICY_MISMATCH`, `BUDGET_EXCEEDED`.
 */
export async function resolveDispatch(
  deps: PipelineDeps,
  principal: Principal,
  input: { idempotencyKey: string; resolution: DispatchResolution; reason: string },
): Promise<OutboxRow> {
  const now = deps.clock.now();
  const actor = actorOf(principal, 'operator');
  const outcome = await deps.store.transaction(async (tx): Promise<Resolved> => {
    const row = await tx.getOutbox(input.idempotencyKey);
    if (!row || row.tenantId !== principal.tenantId) {
      throw new GatewayError('NOT_FOUND', `No dispatch ${input.idempotencyKey} in this tenant`);
    }
    if (!ALLOWED_FROM[input.resolution].includes(row.status)) {
      throw new GatewayError(
        'DISPATCH_STATE_CONFLICT',
        `A ${row.status} dispatch cannot be resolved with ${input.resolution}`,
        { details: { status: row.status, resolution: input.resolution } },
      );
    }
    // A compensation's plan has settled: its retry relies on the rollback already allowed, not on the plan's approvals.
    if (input.resolution === 'retry' && row.reverses === undefined) {
      const refused = await checkRetry(tx, deps, row, now, principal);
      if (refused) return { refused };
    }
    const status: OutboxStatus =
      input.resolution === 'retry'
        ? 'pending'
        : input.resolution === 'confirm'
          ? 'succeeded'
          : 'abandoned';
    await tx.updateOutbox(row.idempotencyKey, row.status, {
      status,
      nextAttemptAt: now,
      updatedAt: now,
    });
    const record = await tx.getPlan(row.tenantId, row.planId);
    await tx.appendLineage([
      {
        tenantId: row.tenantId,
        planId: row.planId,
        type:
          input.resolution === 'retry'
            ? 'dispatch.retried'
            : input.resolution === 'confirm'
              ? attemptEventType(row, 'dispatch.succeeded')
              : 'dispatch.abandoned',
        actor,
        occurredAt: now,
        ...(record ? { refs: { plan: record.digest } } : {}),
        data: {
          idempotencyKey: row.idempotencyKey,
          ...reversesData(row),
          actionIndex: row.actionIndex,
          adapter: row.adapter,
          from: row.status,
          reason: input.reason,
          ...(input.resolution === 'confirm' ? { confirmedBy: principal.id } : {}),
        },
      },
    ]);
    if (input.resolution !== 'retry')
      await (row.reverses === undefined ? settlePlanIfDone : settleRollbackIfDone)(
        tx,
        row.tenantId,
        row.planId,
        now,
        actor,
      );
    return { row: { ...row, status, nextAttemptAt: now, updatedAt: now } };
  });
  if ('refused' in outcome) throw outcome.refused;
  return outcome.row;
}

/**
 * Outbox rows of the caller's tenant: one plan's rows in action order, or every row in the given statuses
 * (e.g. `dead`, `in_doubt` for an operator's queue), oldest first, at most `limit`.
 */
export async function listDispatches(
  deps: PipelineDeps,
  principal: Principal,
  filter: { planId?: string; statuses?: readonly OutboxStatus[]; limit: number },
): Promise<OutboxRow[]> {
  return deps.store.transaction(async (tx) => {
    if (!filter.planId) {
      const statuses = filter.statuses ?? ['dead', 'in_doubt'];
      return tx.outboxByStatus(statuses, filter.limit, principal.tenantId);
    }
    return (await tx.outboxForPlan(principal.tenantId, filter.planId))
      .filter((r) => !filter.statuses || filter.statuses.includes(r.status))
      .slice(0, filter.limit);
  });
}
