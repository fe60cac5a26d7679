/** The ad story's example adapter and copilot: moves priced and bounded as the README says. */
import { AdapterError } from '@handoff/automation-adapter';
import { money, validatePlan } from '@handoff/copilot-adapter';
import { ManualClock } from '@handoff/gateway';
import type { ActionOf } from '@handoff/protocol';
import { describe, expect, it } from 'vitest';
import { loadBankData } from '../shared/bank-data.js';
import { rankClients } from '../shared/ranked-clients.js';
import { adBudgetPlans, PRICING_DAYS } from './copilot.js';
import { createExampleAdsAdapter, ExampleAdsPlatform } from './example-ads-platform.js';

const campaigns = () => [
  {
    campaignId: 'search-retired',
    channel: 'paid_search' as const,
    dailyBudget: money('400.00', 'EUR'),
  },
  {
    campaignId: 'social-students',
    channel: 'paid_social' as const,
    dailyBudget: money('300.00', 'EUR'),
  },
  {
    campaignId: 'display-management',
    channel: 'display' as const,
    dailyBudget: money('500.00', 'EUR'),
  },
  {
    campaignId: 'display-blue-collar',
    channel: 'display' as const,
    dailyBudget: money('600.00', 'EUR'),
  },
];
const setBudget = (from: string, to: string): ActionOf<'set_campaign_budget'> => ({
  type: 'set_campaign_budget',
  actionId: 'raise',
  adapter: 'example-ads',
  estimatedCost: money('0.00', 'EUR'),
  params: {
    campaignId: 'search-retired',
    budgetType: 'daily',
    currentBudget: money(from, 'EUR'),
    newBudget: money(to, 'EUR'),
  },
});
const ctx = (idempotencyKey: string) => ({
  idempotencyKey,
  attempt: 1,
  signal: new AbortController().signal,
  fetch,
  now: () => 0,
  queuedAt: 0,
});

describe('the example ad adapter', () => {
  it('applies a move once per idempotency key', async () => {
    const platform = new ExampleAdsPlatform(campaigns());
    const adapter = createExampleAdsAdapter(platform);
    await adapter.execute(setBudget('400.00', '460.00'), ctx('k1'));
    const again = await adapter.execute(setBudget('400.00', '460.00'), ctx('k1'));
    expect(platform.budgetOf('search-retired')).toBe(46_000);
    expect(again.details).toEqual({ replay: true });
  });

  it('refuses a move from a budget the platform no longer has', async () => {
    const platform = new ExampleAdsPlatform(campaigns());
    const adapter = createExampleAdsAdapter(platform);
    const error = await adapter.execute(setBudget('350.00', '460.00'), ctx('k2')).catch((e) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).code).toBe('CONFLICT');
    expect(platform.budgetOf('search-retired')).toBe(40_000);
  });
});

describe('the ad copilot', () => {
  const data = loadBankData();
  const plans = adBudgetPlans(data, rankClients(data), campaigns(), new ManualClock(0));

  it('proposes valid plans and prices increases over 30 days, cuts at zero', () => {
    for (const plan of [plans.rebalance, plans.push, plans.allIn]) {
      expect(validatePlan(plan)).toMatchObject({ ok: true });
    }
    const [raise, cut] = plans.rebalance.options[0]?.actions ?? [];
    if (raise?.type !== 'set_campaign_budget' || cut?.type !== 'set_campaign_budget') {
      throw new Error('expected two budget moves');
    }
    const delta = raise.params.newBudget.amountMinor - raise.params.currentBudget.amountMinor;
    expect(raise.estimatedCost.amountMinor).toBe(delta * PRICING_DAYS);
    expect(cut.estimatedCost.amountMinor).toBe(0);
    expect(cut.params.newBudget.amountMinor).toBeLessThan(cut.params.currentBudget.amountMinor);
  });

  it('moves budget towards the audience with the higher holdout rate', () => {
    const rates = plans.order.map((o) => o.segment.rate.p50);
    expect([...rates].sort((a, b) => b - a)).toEqual(rates);
  });
});
