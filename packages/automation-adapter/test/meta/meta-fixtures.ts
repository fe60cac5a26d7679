import type { Action, ActionOf, CurrencyCode } from '@handoff/protocol';
import { createMetaAdapter } from '../../src/meta/meta-adapter.js';
import { createMetaFake, type MetaFakeOptions } from '../../src/meta/meta-fake.js';
import { CONFORMANCE_NOW_MS, type ConformanceSubject } from '../../src/testing/conformance.js';

export const ACCOUNT = '5550001';
export const TOKEN = 'EAAB-fake-system-user-token';

/**
 * Campaign 100 with an Advantage campaign daily budget of USD 50.00, its ad set 200 (no budget of its own),
 * campaign 300 paused with a lifetime budget of USD 1,000.00, and ad set 400 with a daily budget of USD 20.00.
 */
export const SEED: MetaFakeOptions = {
  accessToken: TOKEN,
  adAccountId: ACCOUNT,
  currency: 'USD',
  minimumDailyBudget: 100,
  objects: [
    { id: '100', kind: 'campaign', status: 'ACTIVE', daily_budget: 5_000 },
    { id: '200', kind: 'ad_set', status: 'ACTIVE' },
    { id: '300', kind: 'campaign', status: 'PAUSED', lifetime_budget: 100_000 },
    { id: '400', kind: 'ad_set', status: 'ACTIVE', daily_budget: 2_000 },
  ],
};

export function metaFake(overrides: Partial<MetaFakeOptions> = {}) {
  return createMetaFake({ ...SEED, now: () => CONFORMANCE_NOW_MS, ...overrides });
}

export function metaAdapter(
  baseUrl: string,
  overrides: { accessToken?: string; timeoutMs?: number } = {},
) {
  return createMetaAdapter({
    accessToken: overrides.accessToken ?? TOKEN,
    adAccountId: `act_${ACCOUNT}`,
    baseUrl,
    ...(overrides.timeoutMs === undefined ? {} : { timeoutMs: overrides.timeoutMs }),
  });
}

/** A budget move of `id` from `from` to `to` minor units of `currency`. */
export function metaMove(
  id: string,
  from: number,
  to: number,
  options: {
    budgetType?: 'daily' | 'lifetime';
    level?: 'campaign' | 'ad_set';
    currency?: CurrencyCode;
  } = {},
): ActionOf<'set_campaign_budget'> {
  const currency = options.currency ?? 'USD';
  return {
    type: 'set_campaign_budget',
    actionId: `budget-${id}-${to}`,
    adapter: 'meta',
    estimatedCost: { amountMinor: Math.max(0, to - from) * 30, currency },
    params: {
      campaignId: id,
      budgetType: options.budgetType ?? 'daily',
      currentBudget: { amountMinor: from, currency },
      newBudget: { amountMinor: to, currency },
      ...(options.level ? { level: options.level } : {}),
    },
  };
}

export function metaStatus(
  type: 'pause_campaign' | 'resume_campaign',
  id: string,
  level?: 'campaign' | 'ad_set',
): ActionOf<'pause_campaign' | 'resume_campaign'> {
  return {
    type,
    actionId: `${type}-${id}`,
    adapter: 'meta',
    estimatedCost: { amountMinor: 0, currency: 'USD' },
    params: { campaignId: id, ...(level ? { level } : {}) },
  } as ActionOf<'pause_campaign' | 'resume_campaign'>;
}

const UNSUPPORTED: Action = {
  type: 'call_webhook',
  actionId: 'hook',
  adapter: 'meta',
  estimatedCost: { amountMinor: 0, currency: 'USD' },
  params: { url: 'https://hooks.example.test/x', eventType: 'x', data: {} },
};

/** The Meta conformance subject: a campaign raise first (the fault checks use it), ad set and lifetime moves, pause and resume. */
export const metaSubject: ConformanceSubject = {
  name: 'meta',
  makeFake: () => metaFake(),
  makeAdapter: (fake, { credentials, timeoutMs }) =>
    metaAdapter(fake.baseUrl, {
      timeoutMs,
      ...(credentials === 'invalid' ? { accessToken: 'EAAB-revoked' } : {}),
    }),
  sampleActions: [
    metaMove('100', 5_000, 5_750),
    metaMove('400', 2_000, 1_800, { level: 'ad_set' }),
    metaMove('300', 100_000, 90_000, { budgetType: 'lifetime' }),
    metaStatus('pause_campaign', '100'),
    metaStatus('pause_campaign', '400', 'ad_set'),
    metaStatus('resume_campaign', '300'),
  ],
  unsupportedAction: UNSUPPORTED,
  staleAction: metaMove('100', 4_000, 4_600),
};
