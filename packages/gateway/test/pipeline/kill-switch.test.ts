import type { HandoffPlan } from '@handoff/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import type { ControlTarget } from '../../src/pipeline/kill-switch.js';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { createHarness, type Harness, OTHER_TENANT, TENANT } from '../support/harness.js';
import {
  autoApprovablePlan,
  COPILOT_MODEL,
  expectGatewayError,
  ledgerOf,
  lineage,
  OPTION_2,
  planVariant,
  snapshot,
} from './helpers.js';

let h: Harness;
afterEach(async () => h?.close());

function tenantCap(tenantId: string, amountMinor: number) {
  return {
    capId: 'tenant-month',
    tenantId,
    scope: { type: 'tenant', value: tenantId },
    period: 'month',
    limit: { amountMinor, currency: 'EUR' },
  };
}

const CAPS = [tenantCap(TENANT, 1_000_000), tenantCap(OTHER_TENANT, 1_000_000)];

/**
 * Four plans of acme-bank and one of globex:
 * - A: option 1 (hubspot; phone + email), workflow term-deposit-q4, the fixture model: awaiting approval;
 * - B: option 2 (customerio; email), same workflow and model: approved on arrival;
 * - C: option 2, workflow win-back, the fixture model: awaiting approval;
 * - D: option 1, workflow term-deposit-q4, another model: awaiting approval;
 * - E: globex's copy of A: awaiting approval.
 */
const PLANS: Record<string, (n: number) => HandoffPlan> = {
  A: (n) => planVariant(n),
  B: (n) => autoApprovablePlan(n),
  C: (n) =>
    planVariant(n, (p) => {
      p.recommendedOptionId = OPTION_2;
      p.workflow.workflowId = 'win-back';
    }),
  D: (n) =>
    planVariant(n, (p) => {
      p.copilot.model = 'other-planner';
    }),
  E: (n) =>
    planVariant(n, (p) => {
      p.tenantId = OTHER_TENANT;
    }),
};

async function submitAll(): Promise<Record<string, PlanView>> {
  const views: Record<string, PlanView> = {};
  let n = 0;
  for (const [name, make] of Object.entries(PLANS)) {
    n += 1;
    const principal = name === 'E' ? h.callers.otherCopilot.principal : h.callers.copilot.principal;
    views[name] = await h.gateway.submitPlan(principal, make(n));
  }
  expect(Object.values(views).map((v) => v.state)).toEqual([
    'awaiting_approval',
    'approved',
    'awaiting_approval',
    'awaiting_approval',
    'awaiting_approval',
  ]);
  return views;
}

async function states(views: Record<string, PlanView>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, view] of Object.entries(views)) {
    const operator = name === 'E' ? h.callers.otherOperator : h.callers.operator;
    out[name] = (await h.gateway.getPlan(operator.principal, view.planId)).state;
  }
  return out;
}

const SCOPES: [ControlTarget, string[], keyof typeof PLANS][] = [
  [{ scopeType: 'tenant', scopeValue: TENANT }, ['A', 'B', 'C', 'D'], 'C'],
  [{ scopeType: 'workflow', scopeValue: 'term-deposit-q4' }, ['A', 'B', 'D'], 'A'],
  [{ scopeType: 'channel', scopeValue: 'phone' }, ['A', 'D'], 'D'],
  [{ scopeType: 'adapter', scopeValue: 'customerio' }, ['B', 'C'], 'B'],
  [{ scopeType: 'copilot_model', scopeValue: COPILOT_MODEL }, ['A', 'B', 'C'], 'A'],
];

describe('pause and resume of each scope', () => {
  test.each(SCOPES)(
    '%o pauses exactly %o, holds new arrivals, and resume restores them',
    async (target, covered, arrival) => {
      h = await createHarness({ caps: CAPS });
      const views = await submitAll();
      const before = await states(views);
      const ledgerBefore = snapshot(h).ledger;

      const paused = await h.gateway.pause(h.callers.operator.principal, target, 'incident 42');
      const ids = (names: string[]) => names.map((n) => views[n]?.planId).sort();
      expect(paused.map((p) => p.planId).sort()).toEqual(ids(covered));
      const during = await states(views);
      for (const name of Object.keys(views)) {
        expect(during[name], name).toBe(covered.includes(name) ? 'paused' : before[name]);
      }
      for (const view of paused)
        expect(view.pausedFrom).toBe(
          before[Object.keys(views).find((n) => views[n]?.planId === view.planId) ?? ''],
        );
      // onPause 'keep': the paused plans still hold their budget.
      expect(snapshot(h).ledger).toEqual(ledgerBefore);
      const [listed, ...more] = await h.gateway.listControls(h.callers.operator.principal);
      expect(more).toEqual([]);
      expect(listed).toMatchObject({ ...target, reason: 'incident 42', pausedBy: 'operator-1' });
      // What the switch holds: exactly the plans it paused, each with the state it left.
      expect(listed?.holding.map((held) => held.planId).sort()).toEqual(ids(covered));
      for (const held of listed?.holding ?? [])
        expect(held.pausedFrom).toBe(paused.find((p) => p.planId === held.planId)?.pausedFrom);
      expect(await h.gateway.listControls(h.callers.otherOperator.principal)).toEqual([]);
      const [pausedEvent] = await lineage(h, { types: ['control.paused'] });
      expect(pausedEvent).toMatchObject({
        actor: { type: 'operator', id: 'operator-1' },
        data: { ...target, reason: 'incident 42', onPause: 'keep' },
      });

      const make = PLANS[arrival];
      const late = await h.gateway.submitPlan(
        h.callers.copilot.principal,
        (make as (n: number) => HandoffPlan)(50),
      );
      expect(late).toMatchObject({ state: 'paused', pausedFrom: before[arrival] });

      const resumed = await h.gateway.resume(h.callers.operator.principal, target);
      expect(resumed.map((p) => p.planId).sort()).toEqual([...ids(covered), late.planId].sort());
      expect(await states(views)).toEqual(before);
      expect((await h.gateway.getPlan(h.callers.operator.principal, late.planId)).state).toBe(
        before[arrival],
      );
      expect(resumed.every((p) => p.pausedFrom === null)).toBe(true);
      expect(await h.gateway.listControls(h.callers.operator.principal)).toEqual([]);
      const [resumedEvent] = await lineage(h, { types: ['control.resumed'] });
      expect(resumedEvent).toMatchObject({ data: { ...target } });
    },
  );
});

describe('controls', () => {
  test('a plan still covered by another control stays paused when one is lifted', async () => {
    h = await createHarness({ caps: CAPS });
    const views = await submitAll();
    const { operator } = h.callers;
    await h.gateway.pause(
      operator.principal,
      { scopeType: 'workflow', scopeValue: 'term-deposit-q4' },
      'a',
    );
    expect(
      await h.gateway.pause(operator.principal, { scopeType: 'channel', scopeValue: 'phone' }, 'b'),
    ).toEqual([]);
    const resumed = await h.gateway.resume(operator.principal, {
      scopeType: 'workflow',
      scopeValue: 'term-deposit-q4',
    });
    expect(resumed.map((p) => p.planId)).toEqual([views.B?.planId]);
    expect((await states(views)).A).toBe('paused');
    // The channel switch paused nothing itself, yet it is what now holds plans A and D (phone, same workflow).
    const [phone, ...more] = await h.gateway.listControls(operator.principal);
    expect(more).toEqual([]);
    expect(phone).toMatchObject({ scopeType: 'channel', scopeValue: 'phone' });
    expect(phone?.holding.map((held) => held.planId).sort()).toEqual(
      [views.A?.planId, views.D?.planId].sort(),
    );
    expect(phone?.holding.every((held) => held.pausedFrom === 'awaiting_approval')).toBe(true);
    await h.gateway.resume(operator.principal, { scopeType: 'channel', scopeValue: 'phone' });
    expect((await states(views)).A).toBe('awaiting_approval');
  });

  test('a paused plan cannot be approved', async () => {
    h = await createHarness({ caps: CAPS });
    const views = await submitAll();
    const a = views.A as PlanView;
    await h.gateway.pause(
      h.callers.operator.principal,
      { scopeType: 'tenant', scopeValue: TENANT },
      'x',
    );
    const token = await h.sign(a, { key: h.keys.finance, sub: 'fiona.finance', role: 'finance' });
    await expectGatewayError(
      h.gateway.submitApproval(h.callers.approver.principal, token),
      'PLAN_NOT_AWAITING_APPROVAL',
    );
    expect((await h.gateway.getPlan(h.callers.operator.principal, a.planId)).approvals).toEqual([]);
  });

  test('resuming a scope that is not paused is NOT_FOUND, including one paused by another tenant', async () => {
    h = await createHarness({ caps: CAPS });
    await submitAll();
    const { operator, otherOperator } = h.callers;
    await h.gateway.pause(
      otherOperator.principal,
      { scopeType: 'tenant', scopeValue: OTHER_TENANT },
      'theirs',
    );
    const before = snapshot(h);
    await expectGatewayError(
      h.gateway.resume(operator.principal, { scopeType: 'channel', scopeValue: 'sms' }),
      'NOT_FOUND',
    );
    await expectGatewayError(
      h.gateway.resume(operator.principal, { scopeType: 'tenant', scopeValue: OTHER_TENANT }),
      'NOT_FOUND',
    );
    await expectGatewayError(
      h.gateway.pause(
        h.callers.auditor.principal,
        { scopeType: 'tenant', scopeValue: TENANT },
        'no',
      ),
      'FORBIDDEN',
    );
    expect(snapshot(h)).toEqual(before);
  });
});

describe("onPause 'release'", () => {
  test('pause releases the budget and resume reserves it again', async () => {
    h = await createHarness({ caps: CAPS, onPause: 'release' });
    const views = await submitAll();
    const { operator } = h.callers;
    const a = views.A as PlanView;
    const b = views.B as PlanView;
    await h.gateway.pause(
      operator.principal,
      { scopeType: 'workflow', scopeValue: 'term-deposit-q4' },
      'x',
    );
    expect(ledgerOf(h, a.planId).map((l) => l.status)).toEqual(['released']);
    expect(ledgerOf(h, b.planId).map((l) => l.status)).toEqual(['released']);
    expect(ledgerOf(h, (views.C as PlanView).planId).map((l) => l.status)).toEqual(['reserved']);
    const released = await lineage(h, { planId: a.planId, types: ['budget.released'] });
    expect(released.map((e) => e.data.reason)).toEqual(['paused']);
    // A plan arriving in the paused scope holds nothing either.
    const late = await h.gateway.submitPlan(h.callers.copilot.principal, planVariant(60));
    expect(late).toMatchObject({ state: 'paused', pausedFrom: 'awaiting_approval' });
    expect(ledgerOf(h, late.planId).map((l) => l.status)).toEqual(['released']);

    await h.gateway.resume(operator.principal, {
      scopeType: 'workflow',
      scopeValue: 'term-deposit-q4',
    });
    expect((await states(views)).A).toBe('awaiting_approval');
    expect(ledgerOf(h, a.planId).map((l) => [l.status, l.expires_at])).toEqual([
      ['released', null],
      ['reserved', Date.parse(a.approvalDeadline)],
    ]);
    expect(ledgerOf(h, late.planId).map((l) => l.status)).toEqual(['released', 'reserved']);
    // An approved plan's reservation lasts until the plan expires.
    expect(ledgerOf(h, b.planId).map((l) => [l.status, l.expires_at])).toEqual([
      ['released', null],
      ['reserved', Date.parse(b.expiresAt)],
    ]);
  });

  test('a plan whose budget no longer fits stays paused on resume, with budget.refused', async () => {
    h = await createHarness({ caps: CAPS, onPause: 'release' });
    const views = await submitAll();
    const { operator } = h.callers;
    const a = views.A as PlanView;
    await h.gateway.pause(operator.principal, { scopeType: 'channel', scopeValue: 'phone' }, 'x');
    await h.gateway.setCaps(operator.principal, [tenantCap(TENANT, 50_000)]);
    const resumed = await h.gateway.resume(operator.principal, {
      scopeType: 'channel',
      scopeValue: 'phone',
    });
    expect(resumed).toEqual([]);
    expect(await h.gateway.getPlan(operator.principal, a.planId)).toMatchObject({
      state: 'paused',
      pausedFrom: 'awaiting_approval',
    });
    expect(ledgerOf(h, a.planId).map((l) => l.status)).toEqual(['released']);
    const refused = await lineage(h, { planId: a.planId, types: ['budget.refused'] });
    expect(refused.map((e) => e.data)).toEqual([
      expect.objectContaining({ code: 'BUDGET_EXCEEDED', capId: 'tenant-month' }),
    ]);
    // It can still be ended.
    expect((await h.gateway.cancelPlan(operator.principal, a.planId, 'over budget')).state).toBe(
      'cancelled',
    );
  });

  test('a resume never reserves more than the plan declared and was policed for', async () => {
    h = await createHarness({ caps: CAPS, onPause: 'release' });
    const { operator, copilot } = h.callers;
    // 30 November, 22:00 UTC: one day of the month cap's November left. A daily raise of EUR 80.00, declared at
    // that one day, valid until 10 December: policy allows it without approval.
    h.clock.set('2026-11-30T22:00:00Z');
    const plan = autoApprovablePlan(71);
    plan.expiresAt = '2026-12-10T12:00:00Z';
    const option = plan.options.find((o) => o.optionId === OPTION_2);
    if (!option) throw new Error('fixture changed');
    option.channels = ['paid_search'];
    option.budget.amount = { amountMinor: 8_000, currency: 'EUR' };
    option.actions = [
      {
        type: 'set_campaign_budget',
        actionId: 'raise-search-retired',
        adapter: 'google-ads',
        description: 'search-retired: daily budget +20 %',
        estimatedCost: { amountMinor: 8_000, currency: 'EUR' },
        params: {
          campaignId: 'search-retired',
          budgetType: 'daily',
          currentBudget: { amountMinor: 40_000, currency: 'EUR' },
          newBudget: { amountMinor: 48_000, currency: 'EUR' },
        },
      },
    ];
    const view = await h.gateway.submitPlan(copilot.principal, plan);
    expect(view.state).toBe('approved');
    const target: ControlTarget = { scopeType: 'adapter', scopeValue: 'google-ads' };
    await h.gateway.pause(operator.principal, target, 'x');
    expect(ledgerOf(h, view.planId).map((l) => l.status)).toEqual(['released']);

    // Resumed in December, the raise could run ten days of the new period: EUR 800.00, not what was policed.
    h.clock.set('2026-12-01T00:30:00Z');
    expect(await h.gateway.resume(operator.principal, target)).toEqual([]);
    expect(await h.gateway.getPlan(operator.principal, view.planId)).toMatchObject({
      state: 'paused',
      pausedFrom: 'approved',
    });
    expect(ledgerOf(h, view.planId).map((l) => l.status)).toEqual(['released']);
    const refused = await lineage(h, { planId: view.planId, types: ['budget.refused'] });
    expect(refused.map((e) => e.data)).toEqual([
      expect.objectContaining({
        code: 'BUDGET_COST_UNDERSTATED',
        declaredMinor: 8_000,
        chargedMinor: 80_000,
      }),
    ]);
  });
});
