/**
 * The story's ad platform: the automation-adapter package's fake of the Meta Marketing API, served over HTTP on
 * 127.0.0.1 with a token made at run time, and the package's Meta adapter pointed at it. The adapter reads each
 * campaign before it changes it (a preflight with the account's minimum budgets, then the write), so a budget
 * edited in Ads Manager since the copilot looked is refused before any spend.
 */
import { randomBytes } from 'node:crypto';
import { type AutomationAdapter, createMetaAdapter } from '@handoff/automation-adapter';
import {
  createMetaFake,
  type MetaFake,
  type ServedFake,
  serveFake,
} from '@handoff/automation-adapter/testing';
import type { Money } from '@handoff/protocol';

/** A Meta campaign of the story: its numeric id, a readable name, and its daily budget (integer minor units). */
export interface AdCampaign {
  campaignId: string;
  name: string;
  channel: 'paid_social';
  dailyBudget: Money;
}

/** The bank's Meta ad account (digits; the adapter's `act_` prefix is optional). */
export const AD_ACCOUNT = '7001002003';

/** The bank's four Meta campaigns, one per client group, with their daily budgets before the story. */
export function bankCampaigns(): AdCampaign[] {
  const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' as const });
  return [
    {
      campaignId: '120210000000101',
      name: 'social-retired',
      channel: 'paid_social',
      dailyBudget: eur(40_000),
    },
    {
      campaignId: '120210000000102',
      name: 'social-students',
      channel: 'paid_social',
      dailyBudget: eur(30_000),
    },
    {
      campaignId: '120210000000103',
      name: 'social-management',
      channel: 'paid_social',
      dailyBudget: eur(50_000),
    },
    {
      campaignId: '120210000000104',
      name: 'social-blue-collar',
      channel: 'paid_social',
      dailyBudget: eur(60_000),
    },
  ];
}

/** Meta's minimum daily budget of the account, in the EUR offset (cents): EUR 1.00. */
export const MINIMUM_DAILY_CENTS = 100;

/** The running fake, its adapter, and reads of what the platform holds now. */
export interface MetaPlatform {
  fake: MetaFake;
  adapter: AutomationAdapter;
  url: string;
  /** A campaign's daily budget on the platform, in minor units (throws for an unknown one). */
  budgetOf(campaignId: string): number;
  statusOf(campaignId: string): string | undefined;
  close(): Promise<void>;
}

/** Serves the Meta fake on a free 127.0.0.1 port with `campaigns` (all ACTIVE) and builds the Meta adapter. */
export async function startMetaPlatform(campaigns: readonly AdCampaign[]): Promise<MetaPlatform> {
  const accessToken = `EAAB${randomBytes(24).toString('base64url')}`;
  const fake = createMetaFake({
    accessToken,
    adAccountId: AD_ACCOUNT,
    currency: 'EUR',
    minimumDailyBudget: MINIMUM_DAILY_CENTS,
    objects: campaigns.map((c) => ({
      id: c.campaignId,
      kind: 'campaign' as const,
      status: 'ACTIVE' as const,
      daily_budget: c.dailyBudget.amountMinor,
    })),
  });
  const served: ServedFake = await serveFake(fake.handlers, fake.baseUrl);
  const adapter = createMetaAdapter({
    accessToken,
    adAccountId: `act_${AD_ACCOUNT}`,
    baseUrl: served.url,
  });
  return {
    fake,
    adapter,
    url: served.url,
    budgetOf(campaignId) {
      const budget = fake.object(campaignId)?.daily_budget;
      if (budget === undefined) throw new Error(`No campaign ${campaignId}`);
      return budget;
    },
    statusOf: (campaignId) => fake.object(campaignId)?.status,
    close: () => served.close(),
  };
}
