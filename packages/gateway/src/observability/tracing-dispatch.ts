import type { Attributes, SpanContext } from '@opentelemetry/api';
import type { AttemptOutcome } from '../dispatch/dispatch-outcome.js';
import type { RowFate } from '../dispatch/record-outcome.js';
import type { OutboxRow } from '../store/store.js';
import { ATTR, activeSpanContext } from './tracing.js';

/**
 * Which trace each queued outbox row belongs to, so its dispatch attempts are children of the request that
 * approved it (the submission's, or the approval's): one trace from the copilot's `traceparent` to the adapter's
 * HTTP request.
 *
 * Kept in memory, not in the outbox table: a row dispatched after a restart (or after more than
 * {@link MAX_REMEMBERED} rows were queued since) starts a trace of its own. Storing the `traceparent` with the row
 * would need a migration for a diagnostic that is only useful while the trace is fresh; the lineage (`dispatch.*`
 * events by idempotency key) links the two anyway. Nothing is remembered while tracing is off.
 */
export const MAX_REMEMBERED = 10_000;

const parents = new Map<string, SpanContext>();

/** Remembers the active span as the parent of the dispatches of these rows (no-op with tracing off). */
export function rememberDispatchParent(idempotencyKeys: readonly string[]): void {
  const parent = activeSpanContext();
  if (!parent) return;
  for (const key of idempotencyKeys) {
    parents.delete(key);
    parents.set(key, parent);
  }
  // Oldest first: a Map iterates in insertion order.
  for (const key of parents.keys()) {
    if (parents.size <= MAX_REMEMBERED) break;
    parents.delete(key);
  }
}

/** The span a row's dispatch attempts are children of, if still remembered. */
export function dispatchParent(idempotencyKey: string): SpanContext | undefined {
  return parents.get(idempotencyKey);
}

/** Forgets a row once it will not be sent again (succeeded, dead letter, in doubt). */
export function forgetDispatchParent(idempotencyKey: string): void {
  parents.delete(idempotencyKey);
}

/**
 * A dispatch attempt's attributes. In the GenAI conventions' terms the gateway executes a tool call the copilot
 * proposed: `gen_ai.operation.name` `execute_tool`, `gen_ai.tool.name` the adapter id.
 */
export function dispatchAttributes(row: OutboxRow): Attributes {
  return {
    [ATTR.genAiOperation]: 'execute_tool',
    [ATTR.genAiToolName]: row.adapter,
    [ATTR.adapter]: row.adapter,
    [ATTR.tenant]: row.tenantId,
    [ATTR.planId]: row.planId,
    [ATTR.option]: row.optionId,
  };
}

/** What became of the attempt: the row's fate, and the adapter's error code when it failed. */
export function fateAttributes(fate: RowFate, outcome: AttemptOutcome): Attributes {
  return {
    [ATTR.outcome]: fate,
    ...(outcome.kind === 'failed' ? { [ATTR.errorType]: outcome.error.code } : {}),
  };
}
