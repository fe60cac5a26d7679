import type { FakePlatform } from '@handoff/automation-adapter/testing';
import { expect } from 'vitest';
import { ACTIONS_PER_PLAN, type ClientPlan } from './chaos-support.js';

/**
 * What a chaos run lost, from the plans the client holds, the stored plans (`states`) and dispatches (`k` the
 * idempotency key), and what the platform applied: plans not stored, actions applied twice (by webhook-id), and
 * dispatches never applied.
 */
export function losses(
  plans: readonly ClientPlan[],
  states: readonly { planId: string }[],
  dispatches: readonly { k: string }[],
  fake: FakePlatform,
): { lostPlans: number; appliedIds: string[]; twice: number; missing: number } {
  const lostPlans = plans.filter((p) => !states.some((s) => s.planId === p.view?.planId)).length;
  const appliedIds = fake.applied.map((c) => c.headers['webhook-id'] ?? '');
  const twice = appliedIds.length - new Set(appliedIds).size;
  const missing = dispatches.filter((d) => !appliedIds.includes(d.k)).length;
  return { lostPlans, appliedIds, twice, missing };
}

/** Every plan's actions dispatched, succeeded, and applied at the platform exactly once (`message` names the seed). */
export function expectAppliedOnce(
  plans: readonly ClientPlan[],
  dispatches: readonly { k: string; status: string }[],
  lost: { appliedIds: string[]; twice: number; missing: number },
  message: string,
): void {
  expect(dispatches).toHaveLength(plans.length * ACTIONS_PER_PLAN);
  expect(
    dispatches.filter((d) => d.status !== 'succeeded'),
    message,
  ).toEqual([]);
  expect([lost.twice, lost.missing], `${message}: applied twice, never applied`).toEqual([0, 0]);
  expect([...lost.appliedIds].sort()).toEqual(dispatches.map((d) => d.k).sort());
}
