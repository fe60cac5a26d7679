import type { HandoffPlan } from '@handoff/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import {
  createHarness,
  fixturePlan,
  type Harness,
  OTHER_TENANT,
  TENANT,
} from '../support/harness.js';
import {
  APPROVAL_WINDOW_MS,
  expectGatewayError,
  ledgerOf,
  lineage,
  OPTION_1_COST,
  planVariant,
  snapshot,
} from './helpers.js';

let h: Harness;
afterEach(async () => h?.close());

function cap(
  capId: string,
  scope: { type: string; value: string },
  amountMinor: number,
  extra = {},
) {
  return {
    capId,
    tenantId: TENANT,
    scope,
    period: 'month',
    limit: { amountMinor, currency: 'EUR' },
    timeZone: 'Europe/Lisbon',
    ...extra,
  };
}

/** Only the tenant cap: EUR 1,000.00 a month, so one option-1 plan (645.00) fits and two do not. */
const TENANT_ONLY = [cap('tenant-month', { type: 'tenant', value: TENANT }, 100_000)];

/** Option 1 with its single action (and budget) set to `amountMinor`. */
function costing(n: number, amountMinor: number): HandoffPlan {
  return planVariant(n, (p) => {
    const option = p.options[0];
    if (!option?.actions[0]) throw new Error('fixture changed');
    option.actions[0].estimatedCost = { amountMinor, currency: 'EUR' };
    option.budget.amount = { amountMinor, currency: 'EUR' };
  });
}

describe('reservations', () => {
  test('one line per cap the option touches, in its period, and none for caps it does not touch', async () => {
    h = await createHarness({
      caps: [
        cap('tenant-month', { type: 'tenant', value: TENANT }, 100_000),
        cap('hubspot-month', { type: 'adapter', value: 'hubspot' }, 70_000),
        cap('customerio-month', { type: 'adapter', value: 'customerio' }, 70_000),
        cap('email-week', { type: 'channel', value: 'email' }, 90_000, { period: 'week' }),
        cap('sms-day', { type: 'channel', value: 'sms' }, 90_000, { period: 'day' }),
        cap('workflow-total', { type: 'workflow', value: 'term-deposit-q4' }, 500_000, {
          period: 'total',
        }),
        cap('usd-month', { type: 'tenant', value: TENANT }, 100_000, {
          limit: { amountMinor: 1, currency: 'USD' },
        }),
      ],
    });
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, fixturePlan());
    expect(view.state).toBe('awaiting_approval');
    expect(
      ledgerOf(h, view.planId).map((l) => [
        l.cap_id,
        l.period_key,
        l.amount_minor,
        l.currency,
        l.status,
      ]),
    ).toEqual([
      ['email-week', 'week:2026-W47', OPTION_1_COST, 'EUR', 'reserved'],
      ['hubspot-month', 'month:2026-11', OPTION_1_COST, 'EUR', 'reserved'],
      ['tenant-month', 'month:2026-11', OPTION_1_COST, 'EUR', 'reserved'],
      ['workflow-total', 'total', OPTION_1_COST, 'EUR', 'reserved'],
    ]);
    // Awaiting approval, a reservation lapses with the approval window.
    expect(new Set(ledgerOf(h, view.planId).map((l) => l.expires_at))).toEqual(
      new Set([Date.parse(view.approvalDeadline)]),
    );
    const [reserved] = await lineage(h, { planId: view.planId, types: ['budget.reserved'] });
    expect(reserved?.data).toMatchObject({ optionId: 'call-prior-successes', currency: 'EUR' });
    expect(reserved?.data.lines).toHaveLength(4);
  });

  test('BUDGET_EXCEEDED: a second plan over the tenant cap is rejected, with budget.refused and no ledger rows', async () => {
    h = await createHarness({ caps: TENANT_ONLY });
    const { copilot } = h.callers;
    expect((await h.gateway.submitPlan(copilot.principal, planVariant(1))).state).toBe(
      'awaiting_approval',
    );
    const second = await h.gateway.submitPlan(copilot.principal, planVariant(2));
    expect(second).toMatchObject({ state: 'rejected', reasonCode: 'BUDGET_EXCEEDED', budget: [] });
    expect(ledgerOf(h, second.planId)).toEqual([]);
    const refused = await lineage(h, { planId: second.planId, types: ['budget.refused'] });
    expect(refused.map((e) => e.data)).toEqual([
      {
        code: 'BUDGET_EXCEEDED',
        optionId: 'call-prior-successes',
        capId: 'tenant-month',
        period: 'month',
        periodKey: 'month:2026-11',
        currency: 'EUR',
        limitMinor: 100_000,
        usedMinor: OPTION_1_COST,
        requestedMinor: OPTION_1_COST,
        headroomMinor: 100_000 - OPTION_1_COST,
      },
    ]);
  });

  test('reaching a cap exactly is allowed; one minor unit more is not', async () => {
    h = await createHarness({ caps: TENANT_ONLY });
    const { copilot } = h.callers;
    await h.gateway.submitPlan(copilot.principal, planVariant(1));
    const exact = await h.gateway.submitPlan(
      copilot.principal,
      costing(2, 100_000 - OPTION_1_COST),
    );
    expect(exact.state).not.toBe('rejected');
    const over = await h.gateway.submitPlan(copilot.principal, costing(3, 1));
    expect(over).toMatchObject({ state: 'rejected', reasonCode: 'BUDGET_EXCEEDED' });
  });

  test('BUDGET_CURRENCY_NOT_CONFIGURED: a USD plan when only EUR caps exist', async () => {
    h = await createHarness();
    const usd = planVariant(1, (p) => {
      for (const option of p.options) {
        option.budget.amount = { ...option.budget.amount, currency: 'USD' };
        for (const action of option.actions)
          action.estimatedCost = { ...action.estimatedCost, currency: 'USD' };
      }
    });
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, usd);
    expect(view).toMatchObject({ state: 'rejected', reasonCode: 'BUDGET_CURRENCY_NOT_CONFIGURED' });
    expect(ledgerOf(h, usd.planId)).toEqual([]);
    const refused = await lineage(h, { planId: usd.planId, types: ['budget.refused'] });
    expect(refused.map((e) => e.data)).toEqual([
      { code: 'BUDGET_CURRENCY_NOT_CONFIGURED', currency: 'USD', optionId: 'call-prior-successes' },
    ]);
  });
});

describe('release', () => {
  const ways: [string, (h: Harness, planId: string) => Promise<unknown>, string][] = [
    [
      'a signed rejection',
      async (h, planId) => {
        const view = await h.gateway.getPlan(h.callers.operator.principal, planId);
        const token = await h.sign(view, {
          key: h.keys.finance,
          sub: 'fiona.finance',
          role: 'finance',
          decision: 'reject',
        });
        return h.gateway.submitApproval(h.callers.approver.principal, token);
      },
      'rejected',
    ],
    [
      'a cancel',
      (h, planId) => h.gateway.cancelPlan(h.callers.copilot.principal, planId, 'not needed'),
      'cancelled',
    ],
    [
      'expiry of the approval window',
      async (h) => {
        h.clock.advance(APPROVAL_WINDOW_MS);
        expect(await h.gateway.expireDue()).toBe(1);
      },
      'expired',
    ],
  ];

  test.each(ways)(
    'after %s the lines are released and the capacity is usable again',
    async (_, end, state) => {
      h = await createHarness({ caps: TENANT_ONLY });
      const { copilot, operator } = h.callers;
      const first = await h.gateway.submitPlan(copilot.principal, planVariant(1));
      await end(h, first.planId);
      expect((await h.gateway.getPlan(operator.principal, first.planId)).state).toBe(state);
      expect(ledgerOf(h, first.planId).map((l) => [l.status, l.expires_at])).toEqual([
        ['released', null],
      ]);
      const released = await lineage(h, { planId: first.planId, types: ['budget.released'] });
      expect(released).toHaveLength(1);
      const second = await h.gateway.submitPlan(copilot.principal, planVariant(2));
      expect(second.state).toBe('awaiting_approval');
      expect(second.budget).toEqual([
        expect.objectContaining({ capId: 'tenant-month', status: 'reserved' }),
      ]);
    },
  );

  test('an elapsed approval window stops counting: refused just before it, accepted after expireDue', async () => {
    h = await createHarness({ caps: TENANT_ONLY });
    const { copilot, operator } = h.callers;
    const first = await h.gateway.submitPlan(copilot.principal, planVariant(1));
    h.clock.advance(APPROVAL_WINDOW_MS - 1000);
    expect(await h.gateway.expireDue()).toBe(0);
    expect((await h.gateway.submitPlan(copilot.principal, planVariant(2))).reasonCode).toBe(
      'BUDGET_EXCEEDED',
    );
    h.clock.advance(1000);
    expect(await h.gateway.expireDue()).toBe(1);
    expect((await h.gateway.getPlan(operator.principal, first.planId)).state).toBe('expired');
    expect((await h.gateway.submitPlan(copilot.principal, planVariant(3))).state).toBe(
      'awaiting_approval',
    );
  });
});

describe('setCaps', () => {
  test('invalid caps are BUDGET_CAP_INVALID with issues, and change nothing', async () => {
    h = await createHarness();
    const { operator } = h.callers;
    const before = snapshot(h);
    const bad = [
      cap('tenant-month', { type: 'tenant', value: TENANT }, 100_000, { timeZone: 'Mars/Olympus' }),
      cap('neg', { type: 'adapter', value: 'hubspot' }, -1),
    ];
    const err = await expectGatewayError(
      h.gateway.setCaps(operator.principal, bad),
      'BUDGET_CAP_INVALID',
    );
    expect(err.issues.map((i) => [i.path, i.code])).toEqual(
      expect.arrayContaining([['/0/timeZone', 'UNKNOWN_TIME_ZONE']]),
    );
    expect(err.issues.some((i) => i.path.startsWith('/1/limit/amountMinor'))).toBe(true);
    expect(snapshot(h)).toEqual(before);
  });

  test('caps naming another tenant are FORBIDDEN and change nothing; a valid replacement takes effect', async () => {
    h = await createHarness();
    const { operator, copilot, approver } = h.callers;
    const before = snapshot(h);
    const foreign = [
      { ...TENANT_ONLY[0], tenantId: OTHER_TENANT, scope: { type: 'tenant', value: OTHER_TENANT } },
    ];
    await expectGatewayError(h.gateway.setCaps(operator.principal, foreign), 'FORBIDDEN');
    await expectGatewayError(h.gateway.setCaps(approver.principal, TENANT_ONLY), 'FORBIDDEN');
    expect(snapshot(h)).toEqual(before);

    const lowered = [cap('tenant-month', { type: 'tenant', value: TENANT }, OPTION_1_COST - 1)];
    await h.gateway.setCaps(operator.principal, lowered);
    expect(await h.gateway.getCaps(operator.principal)).toEqual([
      expect.objectContaining({ capId: 'tenant-month' }),
    ]);
    const capsSet = await lineage(h, { types: ['control.caps_set'] });
    expect(capsSet.at(-1)).toMatchObject({
      actor: { type: 'operator', id: 'operator-1' },
      data: { count: 1 },
    });
    const refused = await h.gateway.submitPlan(copilot.principal, fixturePlan());
    expect(refused.reasonCode).toBe('BUDGET_EXCEEDED');
  });

  test('an empty list is BUDGET_CAPS_EMPTY and changes nothing; with force it removes every cap', async () => {
    h = await createHarness({ caps: TENANT_ONLY });
    const { operator, copilot } = h.callers;
    const before = snapshot(h);
    const err = await expectGatewayError(
      h.gateway.setCaps(operator.principal, []),
      'BUDGET_CAPS_EMPTY',
    );
    expect(err.issues).toEqual([expect.objectContaining({ path: '/caps', code: 'CAPS_EMPTY' })]);
    await expectGatewayError(
      h.gateway.setCaps(operator.principal, [], { force: false }),
      'BUDGET_CAPS_EMPTY',
    );
    expect(snapshot(h)).toEqual(before);
    expect(await h.gateway.getCaps(operator.principal)).toHaveLength(1);

    expect(await h.gateway.setCaps(operator.principal, [], { force: true })).toEqual([]);
    expect(await h.gateway.getCaps(operator.principal)).toEqual([]);
    expect((await h.gateway.submitPlan(copilot.principal, fixturePlan())).reasonCode).not.toBe(
      'BUDGET_EXCEEDED',
    );
  });
});
