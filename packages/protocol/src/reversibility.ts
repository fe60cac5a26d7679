import type { ActionType } from './action.js';

/**
 * How the effect of a dispatched action is undone (its compensation):
 * - `restore_budget`: set the campaign budget back to the amount the adapter read from the platform just before it
 *   changed it (`reversal.previousBudget`, integer minor units with its currency);
 * - `restore_status`: set a paused or resumed campaign (or ad set) back to the delivery status the adapter read
 *   just before it changed it (`reversal.previousStatus`);
 * - `unenroll`: take the enrolled contacts out of the workflow again;
 * - `remove_from_list`: take the added contacts off the list again;
 * - `cancel_scheduled`: cancel a scheduled message, which only works before its send time;
 * - `none`: the effect cannot be undone (a message was sent, an event recorded, a webhook received).
 */
export type ReversalMethod =
  | 'restore_budget'
  | 'restore_status'
  | 'unenroll'
  | 'remove_from_list'
  | 'cancel_scheduled'
  | 'none';

/** Whether, and how, one action type's effect can be undone. */
export interface Reversibility {
  /** True when a compensation exists in principle; an adapter still has to implement it (see below). */
  readonly reversible: boolean;
  readonly method: ReversalMethod;
  /**
   * A reversible action's precondition: `before_send_time` (a scheduled message can be cancelled only while its
   * `sendAt` is still in the future), or `none`.
   */
  readonly condition: 'before_send_time' | 'none';
  /**
   * The facts an adapter captures at dispatch in `ExecuteReceipt.reversal` for the compensation (names of
   * members; small facts only, never contacts or payloads). Empty when the action itself holds all it needs.
   */
  readonly captures: readonly string[];
  /** One sentence: what the compensation does, or why there is none. */
  readonly summary: string;
}

/**
 * The contract's table of reversibility, keyed by every action type: a new action type without a row here is a
 * type error (`satisfies Record<ActionType, Reversibility>`), so no type is ever reversible by omission.
 *
 * Whether an action of a reversible type can be undone in a given gateway also depends on its adapter
 * (`AdapterManifest.reversibleActionTypes` of `@handoff/automation-adapter`) and on what it captured at dispatch;
 * a gateway's rollback lists every action it cannot undo, with why, and never skips one silently.
 */
export const ACTION_REVERSIBILITY = {
  enroll_in_workflow: {
    reversible: true,
    method: 'unenroll',
    condition: 'none',
    captures: [],
    summary:
      'The enrolled contacts are unenrolled from the workflow; messages the workflow already sent stay sent.',
  },
  add_to_list: {
    reversible: true,
    method: 'remove_from_list',
    condition: 'none',
    captures: [],
    summary: 'The added contacts are removed from the static list.',
  },
  trigger_broadcast: {
    reversible: false,
    method: 'none',
    condition: 'none',
    captures: [],
    summary:
      'A broadcast is sent to its whole audience at once; a sent message cannot be recalled.',
  },
  send_transactional: {
    reversible: false,
    method: 'none',
    condition: 'none',
    captures: [],
    summary: 'A transactional message is sent at once; a sent message cannot be recalled.',
  },
  track_event: {
    reversible: false,
    method: 'none',
    condition: 'none',
    captures: [],
    summary:
      'A recorded behavioural event stays in the platform history (and may have triggered automations).',
  },
  upsert_contacts: {
    reversible: false,
    method: 'none',
    condition: 'none',
    captures: [],
    summary:
      'Overwritten contact properties are not captured (they are personal data), so they cannot be put back.',
  },
  schedule_message: {
    reversible: true,
    method: 'cancel_scheduled',
    condition: 'before_send_time',
    captures: ['scheduledId'],
    summary:
      'The scheduled message is cancelled, which the platform allows only before its send time (sendAt).',
  },
  set_campaign_budget: {
    reversible: true,
    method: 'restore_budget',
    condition: 'none',
    captures: ['previousBudget'],
    summary:
      'The campaign budget is set back to the amount read from the platform at dispatch (previousBudget).',
  },
  pause_campaign: {
    reversible: true,
    method: 'restore_status',
    condition: 'none',
    captures: ['previousStatus'],
    summary:
      'The campaign (or ad set) is set back to the status read at dispatch (previousStatus); delivery lost while paused stays lost.',
  },
  resume_campaign: {
    reversible: true,
    method: 'restore_status',
    condition: 'none',
    captures: ['previousStatus'],
    summary:
      'The campaign (or ad set) is set back to the status read at dispatch (previousStatus); what it spent while running stays spent.',
  },
  call_webhook: {
    reversible: false,
    method: 'none',
    condition: 'none',
    captures: [],
    summary: "A delivered webhook's effect at its receiver is unknown to the gateway.",
  },
} as const satisfies Record<ActionType, Reversibility>;

/** The reversibility of one action type (see {@link ACTION_REVERSIBILITY}). */
export function reversibilityOf(type: ActionType): Reversibility {
  return ACTION_REVERSIBILITY[type];
}
