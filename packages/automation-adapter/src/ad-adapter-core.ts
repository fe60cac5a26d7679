import type { Action, ActionOf, ActionType } from '@handoff/protocol';
import { budgetReversalOf, reversedBudgetMove, statusReversalOf } from './ad-budget.js';
import type {
  AdapterManifest,
  AdapterValidation,
  AutomationAdapter,
  ExecuteContext,
  ExecuteReceipt,
} from './adapter.js';
import { AdapterError } from './adapter-error.js';

/** The action types the ad platform adapters execute, preflight and reverse. */
export const AD_ACTION_TYPES = [
  'set_campaign_budget',
  'pause_campaign',
  'resume_campaign',
] as const satisfies readonly ActionType[];

/**
 * What the Google Ads and Meta manifests share: the ad action types, all reversible; no idempotency key (a lost
 * answer is `IN_DOUBT`); a preflight; no status or cancel.
 */
export const AD_MANIFEST_BASE = {
  actionTypes: AD_ACTION_TYPES,
  reversibleActionTypes: AD_ACTION_TYPES,
  idempotency: 'none',
  supportsStatus: false,
  supportsCancel: false,
  supportsPreflight: true,
} as const satisfies Partial<AdapterManifest>;

/** A pause or resume action. */
export type StatusAction = ActionOf<'pause_campaign' | 'resume_campaign'>;

/** One ad platform's two writes and its names for the two statuses a pause/resume moves between. */
export interface AdPlatformWrites<S extends string> {
  /** Shown in errors, e.g. `Meta`. */
  platform: string;
  statuses: { active: S; paused: S };
  /** `validate` of the adapter; an action it refuses is thrown as `UNSUPPORTED_ACTION` before anything is sent. */
  validate(action: Action): AdapterValidation;
  setBudget(action: ActionOf<'set_campaign_budget'>, ctx: ExecuteContext): Promise<ExecuteReceipt>;
  setStatus(action: StatusAction, target: S, ctx: ExecuteContext): Promise<ExecuteReceipt>;
}

/** Throws `UNSUPPORTED_ACTION` (nothing sent) with every issue when `validation` refused the action. */
export function ensureValidAction(platform: string, validation: AdapterValidation): void {
  if (validation.ok) return;
  const summary = validation.issues.map((i) => `${i.path} ${i.code}: ${i.message}`).join('; ');
  throw new AdapterError('UNSUPPORTED_ACTION', `${platform} cannot run this action: ${summary}`);
}

/**
 * `execute` and `reverse` of an ad platform adapter from its two writes: a budget move is reversed by moving back
 * to the budget read at dispatch (`receipt.reversal.previousBudget`, through the same read-then-write, so a budget
 * changed since is a `CONFLICT`), a pause or resume by setting the status read at dispatch back.
 *
 * @throws AdapterError `UNSUPPORTED_ACTION` for an action `validate` refuses, a type it does not handle, or a
 *   reversal that holds nothing to restore; or whatever the writes throw.
 */
export function adExecuteAndReverse<S extends string>(
  writes: AdPlatformWrites<S>,
): Pick<Required<AutomationAdapter>, 'execute' | 'reverse'> {
  const ensureValid = (action: Action) =>
    ensureValidAction(writes.platform, writes.validate(action));
  const { active, paused } = writes.statuses;
  return {
    async execute(action, ctx) {
      ensureValid(action);
      if (action.type === 'set_campaign_budget') return writes.setBudget(action, ctx);
      if (action.type === 'pause_campaign') return writes.setStatus(action, paused, ctx);
      if (action.type === 'resume_campaign') return writes.setStatus(action, active, ctx);
      throw new AdapterError(
        'UNSUPPORTED_ACTION',
        `${writes.platform} does not execute ${action.type}`,
      );
    },
    async reverse(action, reversal, ctx) {
      ensureValid(action);
      if (action.type === 'set_campaign_budget')
        return writes.setBudget(reversedBudgetMove(action, budgetReversalOf(reversal)), ctx);
      if (action.type === 'pause_campaign' || action.type === 'resume_campaign') {
        const previous = statusReversalOf(reversal);
        if (previous !== active && previous !== paused)
          throw new AdapterError('UNSUPPORTED_ACTION', `Cannot restore a ${previous} status`);
        return writes.setStatus(action, previous as S, ctx);
      }
      throw new AdapterError(
        'UNSUPPORTED_ACTION',
        `${writes.platform} cannot reverse ${action.type}`,
      );
    },
  };
}
