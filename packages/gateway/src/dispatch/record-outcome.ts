import type { AdapterError } from '@handoff/automation-adapter';
import {
  canonicalJson,
  type DispatchReceipt,
  DispatchReceiptSchema,
  HANDOFF_PROTOCOL_VERSION,
  LIMITS,
  sha256Digest,
} from '@handoff/protocol';
import { toIso } from '../clock.js';
import { SYSTEM_ACTOR } from '../pipeline/deps.js';
import { type AttemptEventType, attemptEventType, reversesData } from '../rollback/compensation.js';
import type { LineageDraft, OutboxPatch, StoreTx } from '../store/store.js';
import type { ClaimedAction } from './claim-action.js';
import { type AttemptOutcome, errorFacts } from './dispatch-outcome.js';
import { preflightFacts } from './preflight-stage.js';
import { receiptChange } from './receipt-change.js';
import { canRetry, type RetryOptions, retryDelayMs } from './retry-schedule.js';
import { sendRecordsOf } from './sends-record.js';

/** Where a row went after one attempt. */
export type RowFate = 'succeeded' | 'retry_scheduled' | 'dead' | 'in_doubt' | 'requeued';

/** Times (epoch ms), retry policy and lease owner (the replica that claimed the row) of one recorded attempt. */
export interface OutcomeContext {
  startedAtMs: number;
  atMs: number;
  retry: RetryOptions;
  leaseOwner: string;
}

function receiptOf(
  claimed: ClaimedAction,
  outcome: AttemptOutcome,
  ctx: OutcomeContext,
): DispatchReceipt {
  const { row, record } = claimed;
  const base = {
    protocolVersion: HANDOFF_PROTOCOL_VERSION,
    kind: 'DispatchReceipt' as const,
    planId: row.planId,
    planDigest: record.digest,
    optionId: row.optionId,
    actionId: row.actionId,
    actionIndex: row.actionIndex,
    adapter: row.adapter,
    idempotencyKey: row.idempotencyKey,
    attempt: claimed.attempt,
    startedAt: toIso(ctx.startedAtMs),
    completedAt: toIso(ctx.atMs),
    ...reversesData(row),
  };
  if (outcome.kind === 'succeeded') {
    const { receipt } = outcome;
    const change = receiptChange(claimed.action, receipt.reversal);
    return DispatchReceiptSchema.parse({
      ...base,
      status: receipt.status,
      // What undoing it needs, kept with the receipt (a compensation's own receipt keeps none).
      ...(receipt.reversal && row.reverses === undefined ? { reversal: receipt.reversal } : {}),
      ...(receipt.platformRef
        ? { platformRef: receipt.platformRef.slice(0, LIMITS.MAX_NAME_LENGTH) }
        : {}),
      ...(receipt.actualCost ? { actualCost: receipt.actualCost } : {}),
      ...(change ? { change } : {}),
    });
  }
  const { error } = outcome;
  return DispatchReceiptSchema.parse({
    ...base,
    status: error.code === 'IN_DOUBT' ? 'in_doubt' : 'failed',
    error: {
      code: error.code,
      message: (error.message || error.code).slice(0, LIMITS.MAX_TEXT_LENGTH),
      retryable: error.retryable,
      ...(error.platform.status && error.platform.status >= 100 && error.platform.status <= 599
        ? { platformStatus: error.platform.status }
        : {}),
    },
  });
}

function fateOf(error: AdapterError, attempt: number, retry: RetryOptions): RowFate {
  if (error.code === 'ABORTED') return 'requeued';
  if (error.code === 'IN_DOUBT') return 'in_doubt';
  return error.retryable && canRetry(attempt, retry) ? 'retry_scheduled' : 'dead';
}

/**
 * Records what one attempt came to, inside `tx`: the {@link DispatchReceipt} is stored once by digest and the
 * lineage refers to it (`refs.receipt`), never to the platform payload. A success marks the row `succeeded`
 * (`dispatch.succeeded`) and, for a message send, records its recipients (hashed) for the frequency caps. A failure is recorded as `dispatch.failed` with the adapter's code and the platform's
 * facts, then: a retryable one with attempts left goes back to `pending` after a backoff that honours
 * `Retry-After` (`dispatch.retry_scheduled`); `IN_DOUBT` parks the row for an operator (`dispatch.in_doubt`); any
 * other becomes a dead letter (`dispatch.dead_lettered`). A refusal by the adapter's preflight is recorded as
 * `dispatch.preflight_failed` (its issues and the platform's figures) instead of `dispatch.failed`, and, being
 * never retryable, becomes a dead letter: the action never reached the platform's write. `ABORTED` (never sent: shutdown or kill switch) returns
 * the row to `pending` at once without counting the attempt.
 */
export async function recordOutcome(
  tx: StoreTx,
  claimed: ClaimedAction,
  outcome: AttemptOutcome,
  ctx: OutcomeContext,
  /** Filled with the receipt written, by digest (for `settlePlanIfDone` in the same transaction). */
  written?: Map<string, DispatchReceipt>,
): Promise<RowFate> {
  const { row, record } = claimed;
  const receipt = receiptOf(claimed, outcome, ctx);
  // Canonicalised once: stored in its RFC 8785 form, named by the SHA-256 of that text (`documentDigest`).
  const receiptText = canonicalJson(receipt);
  const receiptDigest = sha256Digest(receiptText);
  written?.set(receiptDigest, receipt);
  await tx.putPayload(receiptDigest, 'DispatchReceipt', receiptText, ctx.atMs);
  const event = (type: AttemptEventType, data: Record<string, unknown>): LineageDraft => ({
    tenantId: row.tenantId,
    planId: row.planId,
    // A compensation's events are `rollback.*`, naming the action they reverse.
    type: attemptEventType(row, type),
    actor: SYSTEM_ACTOR,
    occurredAt: ctx.atMs,
    refs: { plan: record.digest, receipt: receiptDigest },
    data: {
      idempotencyKey: row.idempotencyKey,
      ...reversesData(row),
      actionIndex: row.actionIndex,
      adapter: row.adapter,
      attempt: claimed.attempt,
      ...data,
    },
  });

  let fate: RowFate;
  let patch: OutboxPatch;
  const events: LineageDraft[] = [];
  if (outcome.kind === 'succeeded') {
    fate = 'succeeded';
    patch = { status: 'succeeded', receiptDigest, lastError: null, updatedAt: ctx.atMs };
    // What frequency caps count, in the transaction that records the send (an undo is not a send).
    if (row.reverses === undefined) await tx.recordSends(sendRecordsOf(claimed, ctx.atMs));
    events.push(
      event('dispatch.succeeded', {
        status: outcome.receipt.status,
        ...(outcome.preflight ? { preflight: outcome.preflight } : {}),
        ...(receipt.platformRef ? { platformRef: receipt.platformRef } : {}),
        ...(receipt.actualCost ? { actualCost: receipt.actualCost } : {}),
      }),
    );
  } else {
    const { error } = outcome;
    fate = fateOf(error, claimed.attempt, ctx.retry);
    const facts = errorFacts(error);
    const failed = { receiptDigest, lastError: error.code, updatedAt: ctx.atMs };
    if (outcome.preflight) {
      // Refused by the preflight: nothing reached the platform's write; the issues and its figures are recorded.
      events.push(
        event('dispatch.preflight_failed', { ...facts, ...preflightFacts(outcome.preflight) }),
      );
    } else if (fate !== 'requeued') events.push(event('dispatch.failed', facts));
    switch (fate) {
      case 'requeued':
        // Not sent: the attempt does not count. A short pause keeps a drain loop from spinning on it.
        patch = {
          ...failed,
          status: 'pending',
          attempts: row.attempts - 1,
          nextAttemptAt: ctx.atMs + ctx.retry.initialDelayMs,
        };
        events.push(
          event('dispatch.retry_scheduled', {
            code: error.code,
            delayMs: ctx.retry.initialDelayMs,
            counted: false,
          }),
        );
        break;
      case 'retry_scheduled': {
        const delayMs = retryDelayMs(claimed.attempt, error.retryAfterMs, ctx.retry);
        patch = { ...failed, status: 'pending', nextAttemptAt: ctx.atMs + delayMs };
        events.push(
          event('dispatch.retry_scheduled', {
            code: error.code,
            delayMs,
            nextAttemptAt: toIso(ctx.atMs + delayMs),
          }),
        );
        break;
      }
      case 'in_doubt':
        patch = { ...failed, status: 'in_doubt' };
        events.push(event('dispatch.in_doubt', { code: error.code }));
        break;
      default:
        patch = { ...failed, status: 'dead' };
        events.push(event('dispatch.dead_lettered', { code: error.code }));
    }
  }
  // Only over this replica's attempt: its lease may have ended while it waited on the platform (a stalled
  // process), and another replica may have recovered the row and hold it in flight on a later attempt. That
  // attempt's outcome is the one to record; the condition is in the UPDATE, so nothing committed since the row was
  // claimed can slip between a check and the write. Refused, the transaction rolls back: nothing is recorded.
  const expected = {
    status: 'in_flight' as const,
    attempts: claimed.attempt,
    leaseOwner: ctx.leaseOwner,
  };
  if (!(await tx.updateOutbox(row.idempotencyKey, expected, patch))) {
    throw new Error(
      `Outbox row ${row.idempotencyKey} is no longer in flight on attempt ${claimed.attempt} of this replica`,
    );
  }
  await tx.appendLineage(events);
  return fate;
}
