import {
  AdapterError,
  type AutomationAdapter,
  type ExecuteReceipt,
} from '@handoff/automation-adapter';
import { type Action, type LineageEventType, sha256Digest } from '@handoff/protocol';
import type { OutboxRow } from '../store/store.js';

/**
 * The idempotency key of the compensation of one dispatched action: derived only from the key of the action it
 * reverses, so a plan's rollback computes the same key on every request, retry, restart and replica, and an action
 * is compensated at most once (the outbox key is unique). Rendered like an action's key (`hof_` and 40 hex digits)
 * with a distinct derivation (`rollback\n` prefix), so it never equals one.
 */
export function compensationIdempotencyKey(reverses: string): string {
  return `hof_${sha256Digest(`rollback\n${reverses}`).slice('sha256:'.length, 47)}`;
}

/** The dispatch events an outbox attempt records, and their names for a compensation. */
const ROLLBACK_EVENT_TYPES = {
  'dispatch.attempted': 'rollback.attempted',
  'dispatch.succeeded': 'rollback.succeeded',
  'dispatch.failed': 'rollback.failed',
  'dispatch.retry_scheduled': 'rollback.retry_scheduled',
  'dispatch.in_doubt': 'rollback.in_doubt',
  'dispatch.dead_lettered': 'rollback.dead_lettered',
  // A compensation runs no preflight (see `Dispatcher`), so only a plan's own action records this type.
  'dispatch.preflight_failed': 'dispatch.preflight_failed',
} as const satisfies Record<string, LineageEventType>;

/** A dispatch event type an outbox attempt records. */
export type AttemptEventType = keyof typeof ROLLBACK_EVENT_TYPES;

/**
 * The lineage event type of an attempt on `row`: the `dispatch.*` type for a plan's own action, the matching
 * `rollback.*` type for a compensation, so the lineage tells an undo from a do.
 */
export function attemptEventType(
  row: Pick<OutboxRow, 'reverses'>,
  type: AttemptEventType,
): LineageEventType {
  return row.reverses === undefined ? type : ROLLBACK_EVENT_TYPES[type];
}

/** The `data` members linking a compensation's events to the action it reverses (none for a plan's own action). */
export function reversesData(row: Pick<OutboxRow, 'reverses'>): { reverses?: string } {
  return row.reverses === undefined ? {} : { reverses: row.reverses };
}

/**
 * Runs the compensation of `action` through its adapter's {@link AutomationAdapter.reverse}, with `reversal` as
 * the adapter captured it at dispatch.
 *
 * @throws AdapterError `UNSUPPORTED_ACTION` when the adapter implements no reversal of this action type (its
 *   manifest's `reversibleActionTypes`); whatever `reverse` throws.
 */
export function reverseAction(
  adapter: AutomationAdapter,
  action: Action,
  reversal: Record<string, unknown>,
  ctx: Parameters<AutomationAdapter['execute']>[1],
): Promise<ExecuteReceipt> {
  if (!adapter.reverse || !adapter.manifest.reversibleActionTypes?.includes(action.type)) {
    return Promise.reject(
      new AdapterError(
        'UNSUPPORTED_ACTION',
        `${adapter.manifest.id} cannot reverse ${action.type}`,
      ),
    );
  }
  return adapter.reverse(action, reversal, ctx);
}
