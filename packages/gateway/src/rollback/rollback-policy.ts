import type { ActionType } from '@handoff/protocol';

/**
 * Whether a rollback needs approval before its compensations are queued (the gateway config's `rollback`
 * section). Deny by default: every rollback waits for `approvals` operators other than the one who asked (each
 * calls `plans.rollback` on the plan again), unless every compensation it would queue is of a type listed in
 * `withoutApproval` (e.g. `set_campaign_budget`, whose undo restores a figure the plan itself read). A rollback with
 * nothing to compensate (every action irreversible or never done) only records that, and needs no approval.
 */
export interface RollbackPolicy {
  /** Distinct operators, besides the requester, who must confirm a rollback. Default 1. */
  approvals: number;
  /** Action types whose compensations may be queued at once. Default none. */
  withoutApproval: readonly ActionType[];
}

/** The policy when the config says nothing: one more operator confirms every rollback. */
export const DEFAULT_ROLLBACK_POLICY: RollbackPolicy = { approvals: 1, withoutApproval: [] };

/** What the policy decided for one rollback, as recorded in `rollback.requested`. */
export interface RollbackApprovalDecision {
  required: number;
  /** Which part of the policy decided: `withoutApproval`, `approvals`, or `nothing_to_compensate`. */
  rule: 'withoutApproval' | 'approvals' | 'nothing_to_compensate';
}

/** How many operator approvals a rollback queuing compensations of `types` needs. */
export function rollbackApprovals(
  policy: RollbackPolicy,
  types: readonly ActionType[],
): RollbackApprovalDecision {
  if (types.length === 0) return { required: 0, rule: 'nothing_to_compensate' };
  if (types.every((t) => policy.withoutApproval.includes(t)))
    return { required: 0, rule: 'withoutApproval' };
  return { required: policy.approvals, rule: 'approvals' };
}
