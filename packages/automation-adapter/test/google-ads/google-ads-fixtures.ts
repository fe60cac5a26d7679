import type { Action, ActionOf } from '@handoff/protocol';
import { createGoogleAdsAdapter } from '../../src/google-ads/google-ads-adapter.js';
import {
  createGoogleAdsFake,
  type GoogleAdsFakeOptions,
} from '../../src/google-ads/google-ads-fake.js';
import { CONFORMANCE_NOW_MS, type ConformanceSubject } from '../../src/testing/conformance.js';

export const CUSTOMER = '1234567890';
export const ACCESS_TOKEN = 'ya29.fake-access-token';
export const DEVELOPER_TOKEN = 'fake-developer-token';

/** Two campaigns: 111 on a USD 50.00 daily budget (budget 901), 222 paused, on a USD 1,000.00 total budget (902). */
export const SEED: GoogleAdsFakeOptions = {
  accessToken: ACCESS_TOKEN,
  developerToken: DEVELOPER_TOKEN,
  customerId: CUSTOMER,
  currency: 'USD',
  campaigns: [
    {
      campaignId: '111',
      status: 'ENABLED',
      budgetId: '901',
      period: 'DAILY',
      micros: 50_000_000,
      adGroups: { '7001': 'ENABLED' },
    },
    {
      campaignId: '222',
      status: 'PAUSED',
      budgetId: '902',
      period: 'CUSTOM_PERIOD',
      micros: 1_000_000_000,
    },
  ],
};

export function googleFake(overrides: Partial<GoogleAdsFakeOptions> = {}) {
  return createGoogleAdsFake({ ...SEED, now: () => CONFORMANCE_NOW_MS, ...overrides });
}

export function googleAdapter(
  baseUrl: string,
  overrides: { accessToken?: string; timeoutMs?: number } = {},
) {
  return createGoogleAdsAdapter({
    customerId: '123-456-7890',
    developerToken: DEVELOPER_TOKEN,
    accessToken: overrides.accessToken ?? ACCESS_TOKEN,
    baseUrl,
    ...(overrides.timeoutMs === undefined ? {} : { timeoutMs: overrides.timeoutMs }),
  });
}

const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' as const });

/** A daily move of campaign 111 from `from` to `to` (minor units of USD). */
export function budgetMove(
  from: number,
  to: number,
  campaignId = '111',
  budgetType: 'daily' | 'lifetime' = 'daily',
): ActionOf<'set_campaign_budget'> {
  return {
    type: 'set_campaign_budget',
    actionId: `budget-${campaignId}-${to}`,
    adapter: 'google_ads',
    estimatedCost: usd(Math.max(0, to - from) * 30),
    params: { campaignId, budgetType, currentBudget: usd(from), newBudget: usd(to) },
  };
}

/** A pause of campaign 111 (or of its ad group 7001 at `level: 'ad_set'`), or a resume of the paused 222. */
export function statusChange(
  type: 'pause_campaign' | 'resume_campaign',
  level?: 'campaign' | 'ad_set',
): ActionOf<'pause_campaign' | 'resume_campaign'> {
  const campaignId = level === 'ad_set' ? '7001' : type === 'resume_campaign' ? '222' : '111';
  return {
    type,
    actionId: `${type}-${campaignId}`,
    adapter: 'google_ads',
    estimatedCost: usd(0),
    params: { campaignId, ...(level ? { level } : {}) },
  } as ActionOf<'pause_campaign' | 'resume_campaign'>;
}

export const UNSUPPORTED: Action = {
  type: 'call_webhook',
  actionId: 'hook',
  adapter: 'google_ads',
  estimatedCost: usd(0),
  params: { url: 'https://hooks.example.test/x', eventType: 'x', data: {} },
};

/** The conformance subject (see google-ads.conformance.test.ts). */
export const googleSubject: ConformanceSubject = {
  name: 'google-ads',
  makeFake: () => googleFake(),
  makeAdapter: (fake, { credentials, timeoutMs }) =>
    googleAdapter(fake.baseUrl, {
      timeoutMs,
      ...(credentials === 'invalid' ? { accessToken: 'ya29.revoked' } : {}),
    }),
  sampleActions: [
    budgetMove(5_000, 5_750),
    budgetMove(100_000, 90_000, '222', 'lifetime'),
    statusChange('pause_campaign'),
    statusChange('pause_campaign', 'ad_set'),
    statusChange('resume_campaign'),
  ],
  unsupportedAction: UNSUPPORTED,
  staleAction: budgetMove(4_000, 4_600),
};
