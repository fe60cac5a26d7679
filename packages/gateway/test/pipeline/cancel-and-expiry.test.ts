import { afterEach, describe, expect, test } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import {
  createHarness,
  fixturePlan,
  type Harness,
  OTHER_TENANT,
  TENANT,
} from '../support/harness.js';
import { sqliteOf } from '../support/sqlite-of.js';
import {
  APPROVAL_WINDOW_MS,
  approveByBoth,
  autoApprovablePlan,
  expectGatewayError,
  ledgerOf,
  lineage,
  planVariant,
  snapshot,
} from './helpers.js';

let h: Harness;
afterEach(async () => h?.close());

/** A second copilot of the same tenant. */
const SIBLING: Principal = {
  id: 'copilot-2',
  tenantId: TENANT,
  roles: ['copilot'],
  via: 'api_key',
};

/** Plenty of room, so several plans can wait at once. */
const ROOMY = [
  {
    capId: 'tenant-month',
    tenantId: TENANT,
    scope: { type: 'tenant', value: TENANT },
    period: 'month',
    limit: { amountMinor: 10_000_000, currency: 'EUR' },
  },
];

describe('cancel', () => {
  test('a copilot cancels its own plan: cancelled, budget released, reason in the lineage', async () => {
    h = await createHarness();
    const { copilot } = h.callers;
    const view = await h.gateway.submitPlan(copilot.principal, fixturePlan());
    const cancelled = await h.gateway.cancelPlan(copilot.principal, view.planId, 'superseded');
    expect(cancelled).toMatchObject({ state: 'cancelled', reasonCode: 'CANCELLED' });
    expect(ledgerOf(h, view.planId).map((l) => l.status)).toEqual(['released', 'released']);
    const [changed] = await lineage(h, { planId: view.planId, types: ['plan.state_changed'] }).then(
      (e) => e.slice(-1),
    );
    expect(changed).toMatchObject({
      actor: { type: 'copilot', id: 'copilot-1' },
      data: {
        from: 'awaiting_approval',
        to: 'cancelled',
        reasonCode: 'CANCELLED',
        reason: 'superseded',
      },
    });
    const [released] = await lineage(h, { planId: view.planId, types: ['budget.released'] });
    expect(released?.data.reason).toBe('cancelled');
  });

  test("a copilot cannot cancel another copilot's plan, nor see it: NOT_FOUND", async () => {
    h = await createHarness();
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, fixturePlan());
    const before = snapshot(h);
    await expectGatewayError(h.gateway.cancelPlan(SIBLING, view.planId, 'mine now'), 'NOT_FOUND');
    await expectGatewayError(h.gateway.getPlan(SIBLING, view.planId), 'NOT_FOUND');
    await expectGatewayError(
      h.gateway.cancelPlan(h.callers.otherCopilot.principal, view.planId, 'x'),
      'NOT_FOUND',
    );
    await expectGatewayError(
      h.gateway.cancelPlan(h.callers.copilot.principal, planVariant(99).planId, 'x'),
      'NOT_FOUND',
    );
    expect(snapshot(h)).toEqual(before);
  });

  test('an operator cancels any plan of its tenant (approved ones too), not another tenant’s', async () => {
    h = await createHarness({ caps: ROOMY });
    const { copilot, operator, otherOperator, approver, auditor } = h.callers;
    const waiting = await h.gateway.submitPlan(copilot.principal, planVariant(1));
    const sibling = await h.gateway.submitPlan(SIBLING, planVariant(2));
    const approved = await approveByBoth(
      h,
      await h.gateway.submitPlan(copilot.principal, planVariant(3)),
    );
    expect(approved.state).toBe('approved');

    const before = snapshot(h);
    await expectGatewayError(
      h.gateway.cancelPlan(otherOperator.principal, waiting.planId, 'x'),
      'NOT_FOUND',
    );
    await expectGatewayError(
      h.gateway.cancelPlan(approver.principal, waiting.planId, 'x'),
      'FORBIDDEN',
    );
    await expectGatewayError(
      h.gateway.cancelPlan(auditor.principal, waiting.planId, 'x'),
      'FORBIDDEN',
    );
    expect(snapshot(h)).toEqual(before);

    for (const view of [waiting, sibling, approved]) {
      const cancelled = await h.gateway.cancelPlan(
        operator.principal,
        view.planId,
        'campaign stopped',
      );
      expect(cancelled.state).toBe('cancelled');
      expect(ledgerOf(h, view.planId).every((l) => l.status === 'released')).toBe(true);
      const [last] = (await lineage(h, { planId: view.planId })).slice(-1);
      expect(last?.actor).toEqual({ type: 'operator', id: 'operator-1' });
    }
  });
});

describe('expireDue with the manual clock', () => {
  test('the approval window (approvalTtlSeconds 172800 s) ends an awaiting plan, to the millisecond', async () => {
    h = await createHarness();
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, fixturePlan());
    const start = h.clock.now();
    expect(Date.parse(view.approvalDeadline)).toBe(start + APPROVAL_WINDOW_MS);
    h.clock.advance(APPROVAL_WINDOW_MS - 1);
    expect(await h.gateway.expireDue()).toBe(0);
    expect((await h.gateway.getPlan(h.callers.operator.principal, view.planId)).state).toBe(
      'awaiting_approval',
    );
    h.clock.advance(1);
    expect(await h.gateway.expireDue()).toBe(1);
    expect(await h.gateway.expireDue()).toBe(0);
    const expired = await h.gateway.getPlan(h.callers.operator.principal, view.planId);
    expect(expired).toMatchObject({ state: 'expired', reasonCode: 'APPROVAL_WINDOW_ELAPSED' });
    expect(ledgerOf(h, view.planId).map((l) => l.status)).toEqual(['released', 'released']);
    const events = (await lineage(h, { planId: view.planId })).slice(-2);
    expect(events.map((e) => [e.type, e.actor.type, e.data.reason ?? e.data.to])).toEqual([
      ['budget.released', 'system', 'expired'],
      ['plan.state_changed', 'system', 'expired'],
    ]);
  });

  test("one sweep expires two tenants' plans of the same id, each for its own reason", async () => {
    const globexCap = {
      ...ROOMY[0],
      tenantId: OTHER_TENANT,
      scope: { type: 'tenant', value: OTHER_TENANT },
    };
    h = await createHarness({ caps: [...ROOMY, globexCap] });
    const { copilot, otherCopilot, operator, otherOperator } = h.callers;
    // acme's plan 5 waits for approvals; globex's plan 5 (its own plan, same id) is approved, valid one day.
    const acme = await h.gateway.submitPlan(copilot.principal, planVariant(5));
    const globexPlan = autoApprovablePlan(5);
    globexPlan.tenantId = OTHER_TENANT;
    globexPlan.expiresAt = '2026-11-22T09:30:00Z';
    const globex = await h.gateway.submitPlan(otherCopilot.principal, globexPlan);
    expect([acme.planId, acme.state, globex.state]).toEqual([
      globex.planId,
      'awaiting_approval',
      'approved',
    ]);
    // Past acme's approval window and globex's expiresAt: one sweep ends both.
    h.clock.advance(APPROVAL_WINDOW_MS);
    expect(await h.gateway.expireDue()).toBe(2);
    expect(await h.gateway.getPlan(operator.principal, acme.planId)).toMatchObject({
      state: 'expired',
      reasonCode: 'APPROVAL_WINDOW_ELAPSED',
    });
    expect(await h.gateway.getPlan(otherOperator.principal, globex.planId)).toMatchObject({
      state: 'expired',
      reasonCode: 'PLAN_EXPIRED',
    });
  });

  test('a plan expiring before the window ends has its deadline at its own expiresAt', async () => {
    h = await createHarness();
    const plan = planVariant(1, (p) => {
      p.expiresAt = '2026-11-22T09:30:00Z';
    });
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, plan);
    expect(view.approvalDeadline).toBe('2026-11-22T09:30:00.000Z');
    h.clock.set('2026-11-22T09:29:59.999Z');
    expect(await h.gateway.expireDue()).toBe(0);
    h.clock.set('2026-11-22T09:30:00Z');
    expect(await h.gateway.expireDue()).toBe(1);
  });

  test('approved and paused plans expire at the plan expiresAt and release their budget', async () => {
    h = await createHarness({ caps: ROOMY });
    const { copilot, operator } = h.callers;
    const approved = await h.gateway.submitPlan(copilot.principal, autoApprovablePlan(1));
    const paused = await h.gateway.submitPlan(copilot.principal, planVariant(2));
    await h.gateway.pause(
      operator.principal,
      { scopeType: 'channel', scopeValue: 'phone' },
      'hold',
    );
    expect((await h.gateway.getPlan(operator.principal, paused.planId)).state).toBe('paused');
    expect(approved.state).toBe('approved');

    // Past the approval window, only awaiting plans would go; these two wait for expiresAt.
    h.clock.set(Date.parse(fixturePlan().expiresAt) - 1);
    expect(await h.gateway.expireDue()).toBe(0);
    h.clock.advance(1);
    expect(await h.gateway.expireDue()).toBe(2);
    for (const view of [approved, paused]) {
      const after = await h.gateway.getPlan(operator.principal, view.planId);
      expect(after).toMatchObject({ state: 'expired', reasonCode: 'PLAN_EXPIRED' });
      expect(ledgerOf(h, view.planId).every((l) => l.status === 'released')).toBe(true);
    }
  });

  test('terminal and dispatching plans are never expired', async () => {
    h = await createHarness({ caps: ROOMY });
    const { copilot, operator } = h.callers;
    const cancelled = await h.gateway.submitPlan(copilot.principal, planVariant(1));
    await h.gateway.cancelPlan(copilot.principal, cancelled.planId, 'x');
    const dispatching = await h.gateway.submitPlan(copilot.principal, autoApprovablePlan(2));
    sqliteOf(h.runtime.store)
      .prepare("update plans set state = 'dispatching' where plan_id = ?")
      .run(dispatching.planId);
    h.clock.set(Date.parse(fixturePlan().expiresAt) + 1);
    const before = snapshot(h);
    expect(await h.gateway.expireDue()).toBe(0);
    expect(snapshot(h)).toEqual(before);
    expect((await h.gateway.getPlan(operator.principal, dispatching.planId)).state).toBe(
      'dispatching',
    );
  });

  test('expired budget is usable again by a new plan', async () => {
    h = await createHarness();
    const { copilot } = h.callers;
    await h.gateway.submitPlan(copilot.principal, planVariant(1));
    // Default caps: hubspot EUR 700.00 a month, so a second option-1 plan does not fit while the first waits.
    expect((await h.gateway.submitPlan(copilot.principal, planVariant(2))).reasonCode).toBe(
      'BUDGET_EXCEEDED',
    );
    h.clock.advance(APPROVAL_WINDOW_MS);
    expect(await h.gateway.expireDue()).toBe(1);
    expect((await h.gateway.submitPlan(copilot.principal, planVariant(3))).state).toBe(
      'awaiting_approval',
    );
  });
});
