import { HandoffPlanSchema } from '@handoff/protocol';
import { describe, expect, test } from 'vitest';
import { planReservations, type ReservationLine } from '../../src/budget/reservation-plan.js';
import { GatewayError } from '../../src/errors.js';
import {
  capInput,
  makeCaps,
  makePlan,
  NOW_MS,
  type OptionSpec,
  TENANT,
  WORKFLOW,
} from './fixtures.js';

const OPTION: OptionSpec = {
  optionId: 'opt-a',
  channels: ['email', 'sms'],
  actions: [
    { adapter: 'hubspot', costMinor: 1_000 },
    { adapter: 'twilio', costMinor: 250 },
    { adapter: 'hubspot', costMinor: 500 },
  ],
};

/** The lines of a successful plan, as `[capId, amountMinor]` pairs. */
function amounts(result: ReturnType<typeof planReservations>): [string, number][] {
  if (!result.ok) throw new Error(`expected lines, got ${result.code}`);
  return result.lines.map((line) => [line.capId, line.amountMinor]);
}

describe('planReservations', () => {
  test('the fixture plan is a valid HandoffPlan', () => {
    expect(HandoffPlanSchema.safeParse(makePlan([OPTION])).success).toBe(true);
  });

  test('tenant scope reserves the sum of the action costs, with the full line shape', () => {
    const result = planReservations({
      plan: makePlan([OPTION]),
      optionId: 'opt-a',
      caps: makeCaps(capInput()),
      nowMs: NOW_MS,
    });
    expect(result).toEqual({
      ok: true,
      lines: [
        {
          capId: 'cap-tenant',
          scopeType: 'tenant',
          scopeValue: TENANT,
          period: 'month',
          periodKey: 'month:2026-11',
          currency: 'USD',
          amountMinor: 1_750,
          limitMinor: 100_000,
        } satisfies ReservationLine,
      ],
    });
  });

  test('a workflow cap applies only to its own workflow', () => {
    const caps = makeCaps(
      capInput(),
      capInput({ capId: 'cap-wf', scope: { type: 'workflow', value: WORKFLOW } }),
      capInput({ capId: 'cap-wf-other', scope: { type: 'workflow', value: 'onboarding' } }),
    );
    const result = planReservations({
      plan: makePlan([OPTION]),
      optionId: 'opt-a',
      caps,
      nowMs: NOW_MS,
    });
    expect(amounts(result)).toEqual([
      ['cap-tenant', 1_750],
      ['cap-wf', 1_750],
    ]);
  });

  test('every listed channel with a cap gets the full sum (conservative), others are skipped', () => {
    const caps = makeCaps(
      capInput(),
      capInput({ capId: 'cap-email', scope: { type: 'channel', value: 'email' } }),
      capInput({ capId: 'cap-sms', scope: { type: 'channel', value: 'sms' } }),
      capInput({ capId: 'cap-push', scope: { type: 'channel', value: 'push' } }),
    );
    const result = planReservations({
      plan: makePlan([OPTION]),
      optionId: 'opt-a',
      caps,
      nowMs: NOW_MS,
    });
    expect(amounts(result)).toEqual([
      ['cap-email', 1_750],
      ['cap-sms', 1_750],
      ['cap-tenant', 1_750],
    ]);
  });

  test('an adapter cap reserves only the costs of that adapter’s actions; unused adapters get no line', () => {
    const caps = makeCaps(
      capInput(),
      capInput({ capId: 'cap-hubspot', scope: { type: 'adapter', value: 'hubspot' } }),
      capInput({ capId: 'cap-twilio', scope: { type: 'adapter', value: 'twilio' }, period: 'day' }),
      capInput({ capId: 'cap-braze', scope: { type: 'adapter', value: 'braze' } }),
    );
    const result = planReservations({
      plan: makePlan([OPTION]),
      optionId: 'opt-a',
      caps,
      nowMs: NOW_MS,
    });
    expect(amounts(result)).toEqual([
      ['cap-hubspot', 1_500],
      ['cap-tenant', 1_750],
      ['cap-twilio', 250],
    ]);
    if (result.ok) expect(result.lines[2]?.periodKey).toBe('day:2026-11-21');
  });

  test('only caps of the plan’s tenant and the option’s currency apply', () => {
    const caps = makeCaps(
      capInput({ capId: 'cap-usd' }),
      capInput({ capId: 'cap-eur', limit: { amountMinor: 9, currency: 'EUR' } }),
      capInput({
        capId: 'cap-eur-email',
        scope: { type: 'channel', value: 'email' },
        limit: { amountMinor: 9, currency: 'EUR' },
      }),
      capInput({
        capId: 'cap-usd',
        tenantId: 'other-co',
        scope: { type: 'tenant', value: 'other-co' },
      }),
    );
    const eurPlan = makePlan([{ ...OPTION, currency: 'EUR' }]);
    expect(
      amounts(planReservations({ plan: eurPlan, optionId: 'opt-a', caps, nowMs: NOW_MS })),
    ).toEqual([
      ['cap-eur', 1_750],
      ['cap-eur-email', 1_750],
    ]);
    const usdPlan = makePlan([OPTION]);
    expect(
      amounts(planReservations({ plan: usdPlan, optionId: 'opt-a', caps, nowMs: NOW_MS })),
    ).toEqual([['cap-usd', 1_750]]);
  });

  test('without a tenant-scope cap in the option’s currency, spend is refused (deny by default)', () => {
    const caps = makeCaps(
      capInput({ capId: 'cap-usd' }),
      capInput({
        capId: 'cap-gbp-email',
        scope: { type: 'channel', value: 'email' },
        limit: { amountMinor: 1e6, currency: 'GBP' },
      }),
      capInput({
        capId: 'cap-gbp-other',
        tenantId: 'other-co',
        scope: { type: 'tenant', value: 'other-co' },
        limit: { amountMinor: 1e6, currency: 'GBP' },
      }),
    );
    const result = planReservations({
      plan: makePlan([{ ...OPTION, currency: 'GBP' }]),
      optionId: 'opt-a',
      caps,
      nowMs: NOW_MS,
    });
    expect(result).toEqual({
      ok: false,
      code: 'BUDGET_CURRENCY_NOT_CONFIGURED',
      currency: 'GBP',
      message: expect.stringContaining('GBP'),
    });
    expect(
      planReservations({ plan: makePlan([OPTION]), optionId: 'opt-a', caps: [], nowMs: NOW_MS }).ok,
    ).toBe(false);
  });

  test('a zero-cost option still gets lines of 0, and still needs its currency configured', () => {
    const free: OptionSpec = { optionId: 'free', actions: [{ adapter: 'hubspot', costMinor: 0 }] };
    const caps = makeCaps(
      capInput(),
      capInput({ capId: 'cap-hubspot', scope: { type: 'adapter', value: 'hubspot' } }),
    );
    expect(
      amounts(planReservations({ plan: makePlan([free]), optionId: 'free', caps, nowMs: NOW_MS })),
    ).toEqual([
      ['cap-hubspot', 0],
      ['cap-tenant', 0],
    ]);
    const jpy = makePlan([{ ...free, currency: 'JPY' }]);
    const refused = planReservations({ plan: jpy, optionId: 'free', caps, nowMs: NOW_MS });
    expect(refused).toMatchObject({
      ok: false,
      code: 'BUDGET_CURRENCY_NOT_CONFIGURED',
      currency: 'JPY',
    });
  });

  test('picks the requested option and keys each cap in its own time zone', () => {
    const plan = makePlan([
      OPTION,
      { optionId: 'opt-b', actions: [{ adapter: 'braze', costMinor: 7 }] },
    ]);
    const caps = makeCaps(
      capInput({ period: 'day', timeZone: 'Asia/Tokyo' }),
      capInput({ capId: 'cap-wf', scope: { type: 'workflow', value: WORKFLOW }, period: 'day' }),
    );
    const late = Date.parse('2026-11-21T20:00:00Z');
    const result = planReservations({ plan, optionId: 'opt-b', caps, nowMs: late });
    if (!result.ok) throw new Error('expected lines');
    expect(result.lines.map((l) => [l.capId, l.amountMinor, l.periodKey])).toEqual([
      ['cap-tenant', 7, 'day:2026-11-22'],
      ['cap-wf', 7, 'day:2026-11-21'],
    ]);
  });

  test('an unknown option and a mixed-currency option are validation failures', () => {
    const caps = makeCaps(capInput());
    const plan = makePlan([OPTION]);
    expect(() => planReservations({ plan, optionId: 'nope', caps, nowMs: NOW_MS })).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        issues: [expect.objectContaining({ path: '/optionId', code: 'OPTION_NOT_FOUND' })],
      }),
    );
    const mixed = structuredClone(plan);
    const action = mixed.options[0]?.actions[1];
    if (action) action.estimatedCost.currency = 'EUR';
    try {
      planReservations({ plan: mixed, optionId: 'opt-a', caps, nowMs: NOW_MS });
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).issues[0]).toMatchObject({
        path: '/options/0/actions/1/estimatedCost/currency',
        code: 'CURRENCY_MISMATCH',
      });
    }
  });

  test('a budget raise is charged its computed cost per cap when it declares less, a cut nothing', () => {
    const plan = makePlan([{ optionId: 'ads', actions: [{ adapter: 'ads', costMinor: 0 }] }]);
    const option = plan.options[0];
    if (!option) throw new Error('fixture changed');
    const budgetMove = (actionId: string, from: number, to: number) => ({
      type: 'set_campaign_budget' as const,
      actionId,
      adapter: 'ads',
      estimatedCost: { amountMinor: 0, currency: 'USD' as const },
      params: {
        campaignId: actionId,
        budgetType: 'daily' as const,
        currentBudget: { amountMinor: from, currency: 'USD' as const },
        newBudget: { amountMinor: to, currency: 'USD' as const },
      },
    });
    option.actions = [budgetMove('raise', 30_000, 36_000), budgetMove('cut', 30_000, 0)];
    const caps = makeCaps(
      capInput(),
      capInput({ capId: 'cap-ads-day', scope: { type: 'adapter', value: 'ads' }, period: 'day' }),
    );
    // NOW_MS is Saturday 21 November 14:00 UTC; the plan runs to the 28th 12:00: 8 days on the month, 1 on the day.
    expect(amounts(planReservations({ plan, optionId: 'ads', caps, nowMs: NOW_MS }))).toEqual([
      ['cap-ads-day', 6_000],
      ['cap-tenant', 48_000],
    ]);
  });
});
