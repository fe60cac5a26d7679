/** The ad story's Meta platform and copilot: moves priced and bounded as the README says. */

import { validatePlan } from '@handoff/copilot-adapter';
import { ManualClock } from '@handoff/gateway';
import type { ActionOf } from '@handoff/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBankData } from '../shared/bank-data.js';
import { rankClients } from '../shared/ranked-clients.js';
import { ANNOUNCEMENT_BROADCAST, CUSTOMERIO_SEGMENTS } from './announcement.js';
import { adBudgetPlans, PRICING_DAYS } from './copilot.js';
import { bankCampaigns, type MetaPlatform, startMetaPlatform } from './meta-platform.js';

const ctx = (idempotencyKey: string) => ({
  idempotencyKey,
  attempt: 1,
  signal: new AbortController().signal,
  fetch,
  now: () => 0,
  queuedAt: 0,
});

let meta: MetaPlatform | undefined;
afterEach(async () => {
  await meta?.close();
  meta = undefined;
});

describe("the story's Meta platform", () => {
  const move = (from: number, to: number): ActionOf<'set_campaign_budget'> => ({
    type: 'set_campaign_budget',
    actionId: 'raise',
    adapter: 'meta',
    estimatedCost: { amountMinor: 0, currency: 'EUR' },
    params: {
      campaignId: '120210000000101',
      budgetType: 'daily',
      currentBudget: { amountMinor: from, currency: 'EUR' },
      newBudget: { amountMinor: to, currency: 'EUR' },
    },
  });

  it('applies a move over HTTP on 127.0.0.1 and refuses one from a budget Meta no longer holds', async () => {
    meta = await startMetaPlatform(bankCampaigns());
    expect(meta.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await meta.adapter.execute(move(40_000, 46_000), ctx('k1'));
    expect(meta.budgetOf('120210000000101')).toBe(46_000);
    await expect(meta.adapter.execute(move(35_000, 40_000), ctx('k2'))).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(meta.budgetOf('120210000000101')).toBe(46_000);
  });

  it("refuses at preflight a daily budget under the account's minimum (8 cents a day)", async () => {
    meta = await startMetaPlatform(bankCampaigns());
    const result = await meta.adapter.preflight?.(move(40_000, 8), ctx('k3'));
    expect(result).toMatchObject({ ok: false, issues: [{ code: 'BELOW_PLATFORM_MINIMUM' }] });
  });
});

describe('the ad copilot', () => {
  const data = loadBankData();
  const plans = adBudgetPlans(data, rankClients(data), bankCampaigns(), new ManualClock(0));

  it('proposes valid plans and prices increases over 30 days, cuts and pauses at zero', () => {
    for (const plan of [
      plans.rebalance,
      plans.push,
      plans.allIn,
      plans.pauseWeakest,
      plans.nudge,
      plans.announce,
    ]) {
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
    const [pause] = plans.pauseWeakest.options[0]?.actions ?? [];
    expect(pause).toMatchObject({ type: 'pause_campaign', estimatedCost: { amountMinor: 0 } });
  });

  it('moves budget towards the audience with the higher holdout rate and pauses the weakest', () => {
    const rates = plans.order.map((o) => o.segment.rate.p50);
    expect([...rates].sort((a, b) => b - a)).toEqual(rates);
    const [pause] = plans.pauseWeakest.options[0]?.actions ?? [];
    expect(pause?.type === 'pause_campaign' && pause.params.campaignId).toBe(
      plans.order.at(-1)?.campaign.campaignId,
    );
  });

  it("announces the offer by a Customer.io broadcast to the pushed audience's segment, as email", () => {
    const [push] = plans.push.options[0]?.actions ?? [];
    const [option] = plans.announce.options;
    const [broadcast] = option?.actions ?? [];
    const pushed = bankCampaigns().find(
      (c) => push?.type === 'set_campaign_budget' && c.campaignId === push.params.campaignId,
    );
    expect(option?.channels).toEqual(['email']);
    expect(broadcast).toMatchObject({
      type: 'trigger_broadcast',
      adapter: 'customerio',
      params: {
        broadcastId: ANNOUNCEMENT_BROADCAST,
        segmentId: CUSTOMERIO_SEGMENTS[pushed?.name ?? ''],
      },
    });
    expect(broadcast?.estimatedCost.amountMinor).toBe(option?.audience.estimatedSize);
  });

  it('forecasts the change of the mix, signed: up towards a stronger audience, down towards a weaker one', () => {
    const forecast = (planOptions: typeof plans.rebalance.options, id: string) =>
      planOptions.find((o) => o.optionId === id)?.forecast;
    const up = forecast(plans.rebalance.options, 'shift-15');
    const down = forecast(plans.rebalance.options, 'shift-to-third');
    expect(up).toMatchObject({ of: 'change', basis: { method: 'model' } });
    expect(up?.p10).toBeGreaterThan(0);
    expect(down?.p50).toBeLessThan(0);
    expect(down?.p10).toBeLessThan(down?.p50 ?? 0);
    expect(down?.p90).toBeGreaterThan(down?.p50 ?? 0);
    // Pausing the weakest audience lifts the mix's rate: it no longer dilutes it.
    expect(forecast(plans.pauseWeakest.options, 'pause-weakest')?.p50).toBeGreaterThan(0);
    for (const plan of [plans.rebalance, plans.pauseWeakest, plans.nudge]) {
      expect(plan.protocolVersion).toBe('1.1');
    }
  });
});
