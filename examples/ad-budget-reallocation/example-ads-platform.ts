/**
 * An in-memory stand-in for an ad platform, and an adapter for it written against the automation-adapter
 * interface: what an adapter author writes for a platform the package does not cover. A real one would call, for
 * instance, Google Ads' `CampaignBudgetService.MutateCampaignBudgets` or Meta's campaign `daily_budget` field; here
 * the "platform" is a map of campaign budgets in memory, so the story stays offline.
 */
import {
  AdapterError,
  type AdapterManifest,
  type AutomationAdapter,
} from '@handoff/automation-adapter';
import type { Action, Money } from '@handoff/protocol';

/** A campaign's daily budget on the example platform (integer minor units). */
export interface AdCampaign {
  campaignId: string;
  channel: 'paid_search' | 'paid_social' | 'display';
  dailyBudget: Money;
}

/** The example ad platform: campaigns by id, and every budget change it applied (by idempotency key). */
export class ExampleAdsPlatform {
  readonly campaigns = new Map<string, AdCampaign>();
  readonly applied = new Map<string, { campaignId: string; from: Money; to: Money }>();

  constructor(campaigns: readonly AdCampaign[]) {
    for (const c of campaigns) this.campaigns.set(c.campaignId, structuredClone(c));
  }

  /** The daily budget of a campaign, in minor units (throws for an unknown one). */
  budgetOf(campaignId: string): number {
    const campaign = this.campaigns.get(campaignId);
    if (!campaign) throw new Error(`No campaign ${campaignId}`);
    return campaign.dailyBudget.amountMinor;
  }
}

const MANIFEST: AdapterManifest = {
  id: 'example-ads',
  platform: 'Example ad platform (in memory)',
  actionTypes: ['set_campaign_budget'],
  reversibleActionTypes: ['set_campaign_budget'],
  idempotency: 'platform_key',
  supportsDryRun: false,
  supportsStatus: false,
  supportsCancel: false,
  rateLimits: [],
  docs: ['examples/ad-budget-reallocation/README.md'],
};

/**
 * The adapter: `set_campaign_budget` on a daily budget. It refuses (`CONFLICT`) when the platform's budget is not
 * the plan's `currentBudget` (someone changed it since the copilot looked), and applies each idempotency key once.
 */
export function createExampleAdsAdapter(platform: ExampleAdsPlatform): AutomationAdapter {
  const validate: AutomationAdapter['validate'] = (action: Action) => {
    if (action.type !== 'set_campaign_budget' || action.params.budgetType !== 'daily') {
      return {
        ok: false,
        issues: [{ path: '/type', code: 'UNSUPPORTED_ACTION', message: 'Daily budgets only' }],
      };
    }
    return { ok: true };
  };
  return {
    manifest: MANIFEST,
    validate,
    async execute(action, ctx) {
      if (action.type !== 'set_campaign_budget' || !validate(action).ok) {
        throw new AdapterError(
          'UNSUPPORTED_ACTION',
          'The example platform sets daily budgets only',
        );
      }
      const done = platform.applied.get(ctx.idempotencyKey);
      if (done)
        return { status: 'succeeded', platformRef: ctx.idempotencyKey, details: { replay: true } };
      const { campaignId, currentBudget, newBudget } = action.params;
      const campaign = platform.campaigns.get(campaignId);
      if (!campaign) throw new AdapterError('NOT_FOUND', `No campaign ${campaignId}`);
      if (campaign.dailyBudget.amountMinor !== currentBudget.amountMinor) {
        throw new AdapterError(
          'CONFLICT',
          `Campaign ${campaignId} has a daily budget of ${campaign.dailyBudget.amountMinor}, not ${currentBudget.amountMinor}`,
        );
      }
      platform.applied.set(ctx.idempotencyKey, { campaignId, from: currentBudget, to: newBudget });
      const previousBudget = { ...campaign.dailyBudget };
      campaign.dailyBudget = { ...newBudget };
      return {
        status: 'succeeded',
        platformRef: ctx.idempotencyKey,
        details: { campaignId, dailyBudgetMinor: newBudget.amountMinor },
        // What a rollback needs: the budget read just before the change.
        reversal: { previousBudget },
      };
    },
    // A rollback's compensation: the budget goes back to what it was, if nobody changed it since.
    async reverse(action, reversal, ctx) {
      const previous = reversal.previousBudget as Money | undefined;
      if (action.type !== 'set_campaign_budget' || !previous) {
        throw new AdapterError('UNSUPPORTED_ACTION', 'Only a budget move with its previousBudget');
      }
      if (platform.applied.has(ctx.idempotencyKey)) return { status: 'succeeded' };
      const { campaignId, newBudget } = action.params;
      const campaign = platform.campaigns.get(campaignId);
      if (!campaign) throw new AdapterError('NOT_FOUND', `No campaign ${campaignId}`);
      if (campaign.dailyBudget.amountMinor !== newBudget.amountMinor) {
        throw new AdapterError('CONFLICT', `Campaign ${campaignId} was changed since the move`);
      }
      platform.applied.set(ctx.idempotencyKey, { campaignId, from: newBudget, to: previous });
      campaign.dailyBudget = { ...previous };
      return { status: 'succeeded', platformRef: ctx.idempotencyKey };
    },
  };
}
