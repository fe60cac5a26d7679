import type { Clock } from '../clock.js';
import type { GatewayStore, PlanRecord, StoreTx } from '../store/store.js';
import { SYSTEM_ACTOR } from './deps.js';
import { releaseBudget } from './reserve-budget.js';
import { transitionPlan } from './transition.js';

/** Expires one plan inside `tx`: releases its budget and records why. */
export async function expirePlan(
  tx: StoreTx,
  record: PlanRecord,
  atMs: number,
  reasonCode: string,
): Promise<PlanRecord> {
  await releaseBudget(tx, { ...record, atMs, actor: SYSTEM_ACTOR, reason: 'expired' });
  return transitionPlan(tx, record, 'expired', { actor: SYSTEM_ACTOR, atMs, reasonCode });
}

/**
 * Expires every plan whose approval window has elapsed (`awaiting_approval` past its deadline) or whose own
 * `expiresAt` has passed before dispatch started (`awaiting_approval`, `approved`, `paused` unless paused while
 * dispatching). One transaction;
 * returns the plans expired. The server runs it on a timer; tests call it after moving a manual clock.
 */
export async function expireDuePlans(store: GatewayStore, clock: Clock): Promise<PlanRecord[]> {
  const now = clock.now();
  return store.transaction(async (tx) => {
    const windowElapsed = await tx.plansDue('approvalDeadline', ['awaiting_approval'], now);
    const planExpired = await tx.plansDue(
      'expiresAt',
      ['awaiting_approval', 'approved', 'paused'],
      now,
    );
    const expired: PlanRecord[] = [];
    const seen = new Set<string>();
    for (const [plans, reason] of [
      [windowElapsed, 'APPROVAL_WINDOW_ELAPSED'],
      [planExpired, 'PLAN_EXPIRED'],
    ] as const) {
      for (const plan of plans) {
        // A plan paused mid-dispatch has sent some actions: it settles when resumed, it does not expire.
        // Plan ids are per tenant: a plan is its tenant and id.
        const key = `${plan.tenantId}\n${plan.planId}`;
        if (seen.has(key) || plan.pausedFrom === 'dispatching') continue;
        seen.add(key);
        expired.push(await expirePlan(tx, plan, now, reason));
      }
    }
    return expired;
  });
}
