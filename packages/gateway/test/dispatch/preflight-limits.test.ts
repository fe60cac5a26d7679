import type { AdapterManifest, AutomationAdapter } from '@handoff/automation-adapter';
import type { ActionOf, CurrencyCode } from '@handoff/protocol';
import { describe, expect, test } from 'vitest';
import { manifestLimitIssues, runPreflightStage } from '../../src/dispatch/preflight-stage.js';
import { scriptedAdapter } from './scripted-adapter.js';

const move = (
  to: number,
  currency: CurrencyCode = 'TWD',
  budgetType: 'daily' | 'lifetime' = 'daily',
) =>
  ({
    type: 'set_campaign_budget',
    actionId: 'move',
    adapter: 'ads',
    estimatedCost: { amountMinor: 0, currency },
    params: {
      campaignId: '1',
      budgetType,
      currentBudget: { amountMinor: 50_000, currency },
      newBudget: { amountMinor: to, currency },
    },
  }) satisfies ActionOf<'set_campaign_budget'>;

/** A scripted adapter (no preflight of its own) stating Meta-like limits: TWD in whole dollars, EUR 1.00 a day. */
function limited(): AutomationAdapter {
  const { adapter } = scriptedAdapter('ads');
  const manifest: AdapterManifest = {
    ...adapter.manifest,
    platform: 'Ads',
    budgetLimits: {
      granularityMinor: { default: 1, byCurrency: { TWD: 100 } },
      minimumDailyMinor: { EUR: 100 },
      notes: 'test',
      source: 'https://docs.example/limits',
    },
  };
  return { ...adapter, manifest };
}

const ctx = {
  idempotencyKey: 'k',
  attempt: 1,
  signal: new AbortController().signal,
  fetch,
  now: () => 0,
  queuedAt: 0,
};

describe('platform limits stated in the manifest, checked at the preflight stage', () => {
  test('a budget off the currency unit or under the daily minimum is an issue with the platform figure', () => {
    const { manifest } = limited();
    expect(manifestLimitIssues(manifest, move(55_050))).toEqual([
      expect.objectContaining({
        code: 'BUDGET_GRANULARITY',
        path: '/params/newBudget/amountMinor',
      }),
    ]);
    expect(manifestLimitIssues(manifest, move(55_000))).toEqual([]);
    const [below] = manifestLimitIssues(manifest, move(8, 'EUR'));
    expect(below).toMatchObject({ code: 'BELOW_PLATFORM_MINIMUM' });
    expect(below?.message).toMatch(/minimum daily budget of 100 minor units of EUR/);
    expect(manifestLimitIssues(manifest, move(8, 'EUR', 'lifetime'))).toEqual([]);
  });

  test('the stage refuses before execute even for an adapter without a preflight; no limits: skipped', async () => {
    const refused = await runPreflightStage(limited(), move(8, 'EUR'), ctx);
    expect(refused).toMatchObject({
      kind: 'refused',
      error: { code: 'INVALID_REQUEST', retryable: false },
    });
    expect(await runPreflightStage(limited(), move(200, 'EUR'), ctx)).toEqual({ kind: 'skipped' });
    expect(await runPreflightStage(scriptedAdapter('ads').adapter, move(8, 'EUR'), ctx)).toEqual({
      kind: 'skipped',
    });
  });
});
