import type { Action, HandoffPlan } from '@handoff/protocol';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  assertCostsDeclared,
  chargeableDays,
  chargedActionCost,
  computedActionCost,
  understatedCosts,
} from '../../src/budget/action-cost.js';
import type { BudgetPeriod } from '../../src/budget/period.js';
import { periodKey } from '../../src/budget/period.js';
import { capInput, makeCaps, makePlan, TENANT } from './fixtures.js';

/** 2026-11-21T09:30:00Z, a Saturday. */
const NOW = Date.parse('2026-11-21T09:30:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A `set_campaign_budget` move of a daily (or lifetime) budget from `from` to `to` minor units of USD. */
function move(
  from: number,
  to: number,
  declared: number,
  budgetType: 'daily' | 'lifetime' = 'daily',
) {
  return {
    type: 'set_campaign_budget',
    actionId: `move-${from}-${to}`,
    adapter: 'ads',
    estimatedCost: { amountMinor: declared, currency: 'USD' },
    params: {
      campaignId: 'search-retired',
      budgetType,
      currentBudget: { amountMinor: from, currency: 'USD' },
      newBudget: { amountMinor: to, currency: 'USD' },
    },
  } satisfies Action;
}

const cap = (period: BudgetPeriod, timeZone = 'UTC') => ({ period, timeZone });
const at = (period: BudgetPeriod, expiresAt: string, timeZone = 'UTC', atMs = NOW) => ({
  cap: cap(period, timeZone),
  atMs,
  planExpiresAtMs: Date.parse(expiresAt),
});

/** A plan whose only option holds `actions`, valid until `expiresAt`. */
function planWith(actions: Action[], expiresAt = '2026-11-28T12:00:00Z'): HandoffPlan {
  const plan = makePlan([{ optionId: 'opt', actions: [{ adapter: 'ads', costMinor: 0 }] }]);
  const option = plan.options[0];
  if (!option) throw new Error('fixture changed');
  option.actions = actions;
  option.budget.amount.amountMinor = actions.reduce((s, a) => s + a.estimatedCost.amountMinor, 0);
  return { ...plan, expiresAt };
}

const monthCap = (timeZone = 'UTC', extra: Partial<Parameters<typeof capInput>[0]> = {}) =>
  capInput({
    capId: 'tenant-month',
    scope: { type: 'tenant', value: TENANT },
    period: 'month',
    timeZone,
    ...extra,
  });

describe('the days a daily raise is charged for', () => {
  test('every local day the plan is valid inside the cap period, the first and last counted whole', () => {
    // Saturday 21 09:30 to Saturday 28 12:00: 21..28 November.
    expect(chargeableDays(at('month', '2026-11-28T12:00:00Z'))).toBe(8);
    // Valid into December: a November cap is charged for 21..30 only.
    expect(chargeableDays(at('month', '2026-12-10T00:00:00Z'))).toBe(10);
    // A day cap: today only. An ISO week cap: Saturday and Sunday. A total cap: the whole validity.
    expect(chargeableDays(at('day', '2026-11-28T12:00:00Z'))).toBe(1);
    expect(chargeableDays(at('week', '2026-11-28T12:00:00Z'))).toBe(2);
    expect(chargeableDays(at('total', '2026-12-10T00:00:00Z'))).toBe(19);
    // Expiring exactly at a midnight does not charge the day that begins then.
    expect(chargeableDays(at('total', '2026-11-23T00:00:00Z'))).toBe(2);
    // An expired plan runs on no day.
    expect(chargeableDays(at('month', '2026-11-21T09:30:00Z'))).toBe(0);
  });

  test('days and periods are the cap time zone’s', () => {
    const late = Date.parse('2026-11-30T20:00:00Z');
    const expiresAt = '2026-12-02T00:00:00Z';
    // UTC and New York: still 30 November, the month ends first. Tokyo: already 1 December (09:00 on the 2nd).
    expect(chargeableDays(at('month', expiresAt, 'UTC', late))).toBe(1);
    expect(chargeableDays(at('month', expiresAt, 'America/New_York', late))).toBe(1);
    expect(chargeableDays(at('month', expiresAt, 'Asia/Tokyo', late))).toBe(2);
  });

  test('property: a total cap is charged for exactly the local dates the validity touches', () => {
    fc.assert(
      fc.property(
        fc.integer({
          min: Date.parse('2026-01-01T00:00:00Z'),
          max: Date.parse('2027-01-01T00:00:00Z'),
        }),
        fc.integer({ min: 1, max: 12 * DAY }),
        fc.constantFrom(
          'UTC',
          'Europe/Lisbon',
          'America/New_York',
          'Asia/Tokyo',
          'Australia/Lord_Howe',
        ),
        (start, length, timeZone) => {
          // Every local day lasts more than 22 hours: sampling each hour (and the last instant) sees every one.
          const keys = new Set<string>();
          for (let t = start; t < start + length; t += HOUR)
            keys.add(periodKey('day', t, timeZone));
          keys.add(periodKey('day', start + length - 1, timeZone));
          const context = {
            cap: cap('total', timeZone),
            atMs: start,
            planExpiresAtMs: start + length,
          };
          expect(chargeableDays(context)).toBe(keys.size);
          // A shorter period never charges more days than the whole validity.
          for (const period of ['day', 'week', 'month'] as const)
            expect(chargeableDays({ ...context, cap: cap(period, timeZone) })).toBeLessThanOrEqual(
              keys.size,
            );
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('computed and charged costs', () => {
  test('a daily raise costs its increase per chargeable day; a lifetime raise its increase once', () => {
    // +20 % of USD 300.00 a day, 8 days.
    expect(computedActionCost(move(30_000, 36_000, 0), at('month', '2026-11-28T12:00:00Z'))).toBe(
      48_000n,
    );
    expect(
      computedActionCost(move(30_000, 36_000, 0, 'lifetime'), at('month', '2026-11-28T12:00:00Z')),
    ).toBe(6_000n);
  });

  test('a cut, no change, and other action types cost nothing computed', () => {
    const context = at('month', '2026-11-28T12:00:00Z');
    expect(computedActionCost(move(30_000, 10_000, 0), context)).toBe(0n);
    expect(computedActionCost(move(30_000, 30_000, 0), context)).toBe(0n);
    const webhook = makePlan([{ optionId: 'o', actions: [{ adapter: 'a1', costMinor: 5 }] }])
      .options[0]?.actions[0];
    if (!webhook) throw new Error('fixture changed');
    expect(computedActionCost(webhook, context)).toBe(0n);
    expect(
      computedActionCost(
        { adapter: 'x', estimatedCost: { amountMinor: 9, currency: 'USD' } },
        context,
      ),
    ).toBe(0n);
  });

  test('a pause or resume, of a campaign or an ad set, costs nothing computed; its declaration is charged', () => {
    const context = at('month', '2026-11-28T12:00:00Z');
    for (const type of ['pause_campaign', 'resume_campaign'] as const) {
      for (const level of ['campaign', 'ad_set', undefined] as const) {
        const action = {
          type,
          actionId: `${type}-${level}`,
          adapter: 'ads',
          estimatedCost: { amountMinor: 250, currency: 'USD' },
          params: { campaignId: 'retargeting', ...(level ? { level } : {}) },
        } satisfies Action;
        expect(computedActionCost(action, context)).toBe(0n);
        expect(chargedActionCost(action, context)).toBe(250n);
      }
    }
  });

  test('an ad-set budget raise is priced as a campaign budget raise', () => {
    const context = at('month', '2026-11-28T12:00:00Z');
    const adSet = move(30_000, 36_000, 0);
    const withLevel = { ...adSet, params: { ...adSet.params, level: 'ad_set' as const } };
    expect(computedActionCost(withLevel, context)).toBe(computedActionCost(adSet, context));
    expect(computedActionCost(withLevel, context)).toBe(48_000n);
  });

  test('the charge is the larger of the declared and the computed cost', () => {
    const context = at('month', '2026-11-28T12:00:00Z');
    expect(chargedActionCost(move(30_000, 36_000, 0), context)).toBe(48_000n);
    expect(chargedActionCost(move(30_000, 36_000, 180_000), context)).toBe(180_000n);
    expect(chargedActionCost(move(30_000, 10_000, 700), context)).toBe(700n);
  });

  test('a product past 2^53 - 1 minor units is refused, not rounded', () => {
    const huge = move(0, Number.MAX_SAFE_INTEGER, 0);
    expect(() => computedActionCost(huge, at('month', '2026-11-28T12:00:00Z'))).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});

describe('declared costs below the computed ones', () => {
  const caps = makeCaps(
    monthCap(),
    monthCap('UTC', { capId: 'ads-day', scope: { type: 'adapter', value: 'ads' }, period: 'day' }),
  );

  test('a raise declared at 0 is found, with both figures and the path of its estimatedCost', () => {
    const plan = planWith([move(30_000, 10_000, 0), move(30_000, 36_000, 0)]);
    expect(understatedCosts(plan, caps, NOW)).toEqual([
      {
        path: '/options/0/actions/1/estimatedCost',
        optionId: 'opt',
        actionId: 'move-30000-36000',
        capId: 'tenant-month',
        currency: 'USD',
        declaredMinor: 0,
        computedMinor: 48_000,
      },
    ]);
    expect(() => assertCostsDeclared(plan, caps, NOW)).toThrow(
      expect.objectContaining({
        code: 'BUDGET_COST_UNDERSTATED',
        message: expect.stringContaining(
          'declares 0 USD minor units; the gateway computes 48000 USD minor units',
        ),
        issues: [
          expect.objectContaining({
            path: '/options/0/actions/1/estimatedCost',
            code: 'BUDGET_COST_UNDERSTATED',
          }),
        ],
      }),
    );
  });

  test('a cut never offsets a raise; a declaration covering the computation passes', () => {
    // The cut frees 20,000 a day, but the raise is still priced on its own.
    expect(
      understatedCosts(
        planWith([move(30_000, 36_000, 47_999), move(50_000, 30_000, 0)]),
        caps,
        NOW,
      ),
    ).toHaveLength(1);
    expect(() =>
      assertCostsDeclared(
        planWith([move(30_000, 36_000, 48_000), move(50_000, 30_000, 0)]),
        caps,
        NOW,
      ),
    ).not.toThrow();
  });

  test('only caps that bound the action count: another currency, tenant or adapter does not', () => {
    const others = makeCaps(
      monthCap('UTC', { capId: 'eur', limit: { amountMinor: 1, currency: 'EUR' } }),
      monthCap('UTC', {
        capId: 'other-adapter',
        scope: { type: 'adapter', value: 'mail' },
        period: 'total',
      }),
    );
    expect(
      understatedCosts(planWith([move(30_000, 36_000, 0)]), others, NOW).map((u) => u.capId),
    ).toEqual([]);
  });
});
