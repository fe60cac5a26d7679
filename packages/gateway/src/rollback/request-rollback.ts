import type { RollbackResult } from '@handoff/protocol';
import type { Principal } from '../auth/principal.js';
import { GatewayError } from '../errors.js';
import { actorOf, loadPlanDocument, type PipelineDeps } from '../pipeline/deps.js';
import type { LineageDraft, OutboxRow } from '../store/store.js';
import { OUTCOME_GUARDRAIL_ACTOR } from './outcome-guardrail.js';
import { DEFAULT_ROLLBACK_POLICY, rollbackApprovals } from './rollback-policy.js';
import { rollbackTargets } from './rollback-targets.js';
import { settleRollbackIfDone } from './settle-rollback.js';

/** The plan states a rollback applies to: its dispatch has settled with at least one action done. */
const ROLLBACK_STATES: readonly string[] = ['dispatched', 'partially_failed'];

/**
 * Rolls a dispatched plan back (operator), in one transaction. The first call records `rollback.requested` (who,
 * why, and what the rollback policy decided: `rollback-policy.ts`); while the policy asks for approvals, each
 * further call by another operator of the tenant records `rollback.approved` (the approvers so far). Once enough
 * have approved (at once when none is needed), every compensation is written to the outbox, each under its own
 * deterministic idempotency key (`compensationIdempotencyKey`) and naming the row it reverses, and the dispatcher
 * runs them like any action (same retries, rate limits, circuit breaker, in-doubt rules); `rollback.queued` lists
 * each compensation with the action it reverses, and one `rollback.irreversible` event per action that cannot be
 * undone says why. A rollback with nothing to compensate completes at once (`rollback.completed`). A rollback the
 * outcome guardrail opened (`outcome-guardrail.ts`) counts every operator's call as an approval, at least one.
 *
 * @throws GatewayError `NOT_FOUND` (no such plan in the caller's tenant), `PLAN_NOT_DISPATCHED` (not `dispatched`
 *   or `partially_failed`; `details.state`), `ROLLBACK_ALREADY_REQUESTED` (already queued, or this operator
 *   already asked for or approved it; `details`). Nothing is written on a refusal.
 */
export async function rollbackPlan(
  deps: PipelineDeps,
  principal: Principal,
  planId: string,
  reason: string,
): Promise<RollbackResult> {
  const now = deps.clock.now();
  const actor = actorOf(principal, 'operator');
  const { tenantId } = principal;
  const result = await deps.store.transaction(async (tx): Promise<RollbackResult> => {
    const record = await tx.getPlan(tenantId, planId);
    if (!record) throw new GatewayError('NOT_FOUND', `No plan ${planId} in this tenant`);
    if (!ROLLBACK_STATES.includes(record.state)) {
      throw new GatewayError(
        'PLAN_NOT_DISPATCHED',
        `A ${record.state} plan cannot be rolled back; only a dispatched or partially_failed one`,
        { details: { state: record.state } },
      );
    }
    if (await tx.lastPlanEvent(tenantId, planId, 'rollback.queued')) {
      throw new GatewayError(
        'ROLLBACK_ALREADY_REQUESTED',
        `Plan ${planId} is already rolled back`,
        {
          details: { queued: true },
        },
      );
    }
    const plan = await loadPlanDocument(tx, record);
    const rows = (await tx.outboxForPlan(tenantId, planId)).filter((r) => r.reverses === undefined);
    const targets = await rollbackTargets(tx, {
      plan,
      rows,
      reversible: deps.reversibleTypes ?? (() => undefined),
      atMs: now,
    });
    const requested = await tx.lastPlanEvent(tenantId, planId, 'rollback.requested');
    const decided = rollbackApprovals(
      deps.rollback ?? DEFAULT_ROLLBACK_POLICY,
      targets.compensations.map((c) => c.type),
    );
    // A rollback the outcome guardrail opened waits for at least one operator, whatever the policy allows.
    const policy =
      requested?.actor.id === OUTCOME_GUARDRAIL_ACTOR.id && requested.actor.type === 'system'
        ? { ...decided, required: Math.max(1, decided.required) }
        : decided;
    const refs = { plan: record.digest };
    const event = (type: LineageDraft['type'], data: Record<string, unknown>): LineageDraft => ({
      tenantId,
      planId,
      type,
      actor,
      occurredAt: now,
      refs,
      data,
    });
    const requestedBy = requested?.actor.id ?? principal.id;
    const before = await tx.lastPlanEvent(tenantId, planId, 'rollback.approved');
    let approvedBy = (before?.data.approvedBy as string[] | undefined) ?? [];
    if (!requested) {
      await tx.appendLineage([
        event('rollback.requested', {
          reason,
          approvalsRequired: policy.required,
          rule: policy.rule,
          compensations: targets.compensations.length,
          irreversible: targets.irreversible.length,
        }),
      ]);
    } else {
      if (requestedBy === principal.id || approvedBy.includes(principal.id)) {
        throw new GatewayError(
          'ROLLBACK_ALREADY_REQUESTED',
          `${principal.id} already asked for or approved this rollback; another operator must approve it`,
          { details: { requestedBy, approvedBy, approvalsRequired: policy.required } },
        );
      }
      approvedBy = [...approvedBy, principal.id];
      await tx.appendLineage([event('rollback.approved', { reason, approvedBy })]);
    }
    const answer = {
      planId,
      requestedBy,
      approvals: { required: policy.required, approvedBy },
      ...targets,
    };
    if (approvedBy.length < policy.required) return { ...answer, status: 'awaiting_approval' };

    const queued: OutboxRow[] = targets.compensations.map((c) => ({
      idempotencyKey: c.idempotencyKey,
      planId,
      tenantId,
      optionId: record.selectedOptionId ?? record.recommendedOptionId,
      actionIndex: c.actionIndex,
      actionId: c.actionId,
      adapter: c.adapter,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      lastError: null,
      receiptDigest: null,
      reverses: c.reverses,
      createdAt: now,
      updatedAt: now,
    }));
    await tx.insertOutbox(queued);
    await tx.appendLineage([
      event('rollback.queued', {
        compensations: targets.compensations.map((c) => ({
          idempotencyKey: c.idempotencyKey,
          reverses: c.reverses,
          actionIndex: c.actionIndex,
          adapter: c.adapter,
          method: c.method,
        })),
        irreversible: targets.irreversible.length,
      }),
      ...targets.irreversible.map((i) =>
        event('rollback.irreversible', {
          reverses: i.reverses,
          actionIndex: i.actionIndex,
          actionId: i.actionId,
          type: i.type,
          adapter: i.adapter,
          reason: i.reason,
        }),
      ),
    ]);
    if (queued.length === 0) await settleRollbackIfDone(tx, tenantId, planId, now, actor);
    return { ...answer, status: 'queued' };
  });
  if (result.status === 'queued' && result.compensations.length > 0) deps.onActionsQueued?.();
  return result;
}
