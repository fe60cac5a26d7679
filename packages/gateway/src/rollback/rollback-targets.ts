import {
  ACTION_REVERSIBILITY,
  type ActionType,
  type HandoffPlan,
  type RollbackResult,
} from '@handoff/protocol';
import type { OutboxRow, StoreTx } from '../store/store.js';
import { capturedReversal } from './claim-compensation.js';
import { compensationIdempotencyKey } from './compensation.js';

/** What a rollback would do with each action of a plan: compensate it, list it irreversible, or leave it. */
export type RollbackTargets = Pick<RollbackResult, 'compensations' | 'irreversible' | 'untouched'>;

/**
 * Which action types an adapter can reverse (its manifest's `reversibleActionTypes`); undefined for an adapter
 * this gateway does not know.
 */
export type ReversibleTypes = (adapterId: string) => readonly ActionType[] | undefined;

/**
 * Sorts the plan's dispatched actions for a rollback at `atMs`. An action that did not succeed is `untouched`
 * (nothing to undo). A succeeded one is compensated when the contract says its type is reversible
 * (`ACTION_REVERSIBILITY`), its adapter implements the reversal, the adapter captured what the reversal needs at
 * dispatch (`captures`) and its condition still holds (a scheduled message before its `sendAt`); else it is
 * listed irreversible with the first reason that applies, never skipped.
 */
export async function rollbackTargets(
  tx: StoreTx,
  input: {
    plan: HandoffPlan;
    rows: readonly OutboxRow[];
    reversible: ReversibleTypes;
    atMs: number;
  },
): Promise<RollbackTargets> {
  const targets: RollbackTargets = { compensations: [], irreversible: [], untouched: [] };
  for (const row of input.rows) {
    if (row.status !== 'succeeded') {
      targets.untouched.push({ actionIndex: row.actionIndex, status: row.status });
      continue;
    }
    const action = input.plan.options.find((o) => o.optionId === row.optionId)?.actions[
      row.actionIndex
    ];
    if (!action) throw new Error(`Plan ${row.planId} has no action ${row.actionIndex}`);
    const contract = ACTION_REVERSIBILITY[action.type];
    const base = {
      reverses: row.idempotencyKey,
      actionIndex: row.actionIndex,
      actionId: row.actionId,
      type: action.type,
      adapter: row.adapter,
    };
    const irreversible = (
      reason: RollbackTargets['irreversible'][number]['reason'],
      message: string,
    ) => targets.irreversible.push({ ...base, reason, message });
    if (!contract.reversible) {
      irreversible('not_reversible', contract.summary);
      continue;
    }
    if (!input.reversible(row.adapter)?.includes(action.type)) {
      irreversible(
        'adapter_cannot_reverse',
        `Adapter ${row.adapter} cannot reverse ${action.type}`,
      );
      continue;
    }
    const reversal = (await capturedReversal(tx, row)) ?? {};
    const missing = contract.captures.filter((k) => !Object.hasOwn(reversal, k));
    if (missing.length > 0) {
      irreversible('no_reversal_captured', `The dispatch captured no ${missing.join(', ')}`);
      continue;
    }
    if (action.type === 'schedule_message' && Date.parse(action.params.sendAt) <= input.atMs) {
      irreversible('send_time_passed', `The message was due at ${action.params.sendAt}`);
      continue;
    }
    targets.compensations.push({
      ...base,
      idempotencyKey: compensationIdempotencyKey(row.idempotencyKey),
      method: contract.method,
    });
  }
  return targets;
}
