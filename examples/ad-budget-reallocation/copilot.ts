/**
 * The ad-budget copilot (deterministic, standing in for an LLM): it reads which client groups subscribed most on the
 * bank data's holdout and proposes moving the daily budgets of the ad campaigns aimed at them, from the weakest
 * group's campaign towards the strongest. Each move is a `set_campaign_budget` action; its estimated cost is the
 * extra spend over 30 days (a cut costs nothing).
 */
import type { Clock } from '@handoff/copilot-adapter';
import {
  type Action,
  type Forecast,
  type HandoffPlan,
  PROTOCOL_VERSION_1_1,
  type StrategyOption,
} from '@handoff/protocol';
import type { BankData } from '../shared/bank-data.js';
import { round4 } from '../shared/forecast.js';
import { assemblePlan, bankInputs, riskOf, segmentEvidence } from '../shared/plan-parts.js';
import { type RankedClients, type Segment, segmentWhere } from '../shared/ranked-clients.js';
import { announce } from './announcement.js';
import type { AdCampaign } from './meta-platform.js';
import { mixChangeForecast } from './mix-forecast.js';

export const TENANT = 'acme-bank';
/** Days of extra spend a daily-budget increase is priced over. */
export const PRICING_DAYS = 30;

/** Which client group each campaign reaches (job in the bank data), by campaign name. */
export const CAMPAIGN_AUDIENCE: Readonly<Record<string, string>> = {
  'social-retired': 'retired',
  'social-students': 'student',
  'social-management': 'management',
  'social-blue-collar': 'blue-collar',
};

/** A campaign with the holdout rate of the group it reaches. */
interface Ranked {
  campaign: AdCampaign;
  segment: Segment;
}

/** A campaign's daily budget moved by `percent` (integer minor units, rounded down). */
function moved(target: Ranked, percent: number): number {
  return Math.max(0, Math.floor((target.campaign.dailyBudget.amountMinor * (100 + percent)) / 100));
}

/** One move: a campaign's daily budget from its current amount by `percent` (integer minor units, rounded down). */
function move(target: Ranked, percent: number, actionId: string): Action {
  const current = target.campaign.dailyBudget;
  const next = moved(target, percent);
  const extra = Math.max(0, next - current.amountMinor) * PRICING_DAYS;
  return {
    type: 'set_campaign_budget',
    actionId,
    adapter: 'meta',
    description: `${target.campaign.name}: daily budget ${percent > 0 ? '+' : ''}${percent} %`,
    estimatedCost: { amountMinor: extra, currency: current.currency },
    params: {
      campaignId: target.campaign.campaignId,
      budgetType: 'daily',
      currentBudget: current,
      newBudget: { amountMinor: next, currency: current.currency },
    },
  };
}

/** Pausing a campaign: it spends nothing while paused (the gateway prices it at 0). */
function pause(target: Ranked, actionId: string): Action {
  return {
    type: 'pause_campaign',
    actionId,
    adapter: 'meta',
    description: `${target.campaign.name}: pause`,
    estimatedCost: { amountMinor: 0, currency: target.campaign.dailyBudget.currency },
    params: { campaignId: target.campaign.campaignId },
  };
}

function option(
  ranked: RankedClients,
  channelOf: (campaignId: string) => AdCampaign['channel'],
  o: {
    optionId: string;
    title: string;
    rationale: string;
    boost: Ranked;
    actions: Action[];
    /** A 1.1 change forecast of the mix (mix-forecast.ts); absent: the boosted audience's rate (a level). */
    forecast?: Forecast;
  },
): StrategyOption {
  const { rate } = o.boost.segment;
  const biggest = Math.max(
    ...o.actions.map((a) =>
      a.type === 'set_campaign_budget'
        ? Math.abs(a.params.newBudget.amountMinor / a.params.currentBudget.amountMinor - 1)
        : 0,
    ),
  );
  return {
    optionId: o.optionId,
    title: o.title,
    rationale: o.rationale,
    channels: [
      ...new Set(
        // Campaign actions reach the campaign's channel; the only other action, the announcement, is email.
        o.actions.map((a) => ('campaignId' in a.params ? channelOf(a.params.campaignId) : 'email')),
      ),
    ],
    audience: {
      segmentId: o.boost.segment.segmentId,
      description: `Ad audience of ${o.boost.campaign.name}`,
      estimatedSize: o.boost.segment.clients.length,
      criteria: [{ field: 'job', op: 'eq', value: CAMPAIGN_AUDIENCE[o.boost.campaign.name] ?? '' }],
    },
    budget: {
      amount: {
        amountMinor: o.actions.reduce((s, a) => s + a.estimatedCost.amountMinor, 0),
        currency: 'EUR',
      },
      period: 'month',
    },
    forecast: o.forecast ?? {
      unit: 'ratio',
      kpi: 'conversion_rate',
      p10: round4(rate.p10),
      p50: round4(rate.p50),
      p90: round4(rate.p90),
      confidence: 0.8,
      horizonDays: PRICING_DAYS,
    },
    risk: riskOf(o.boost.segment, [
      {
        code: 'budget_move_size',
        weight: round4(Math.min(0.1, biggest / 10)),
        note: `largest move ${Math.round(biggest * 100)} %`,
      },
    ]),
    evidence: segmentEvidence(o.boost.segment, ranked),
    contentKind: o.actions.some((a) => a.type === 'trigger_broadcast')
      ? 'email_copy'
      : 'ad_creative',
    actions: o.actions,
  };
}

/**
 * The plans of the story: a small rebalance, a push that needs an override, an all-in that is denied, a pause of
 * the weakest audience's campaign, and a nudge of the third campaign whose budget someone edits in Ads Manager
 * before it is dispatched, and an email announcing the offer to the pushed audience (a Customer.io broadcast).
 */
export function adBudgetPlans(
  data: BankData,
  ranked: RankedClients,
  campaigns: readonly AdCampaign[],
  clock: Clock,
): {
  rebalance: HandoffPlan;
  push: HandoffPlan;
  allIn: HandoffPlan;
  pauseWeakest: HandoffPlan;
  nudge: HandoffPlan;
  announce: HandoffPlan;
  order: Ranked[];
} {
  const channelOf = (id: string) =>
    campaigns.find((c) => c.campaignId === id)?.channel ?? 'paid_social';
  const order = campaigns
    .map((campaign) => {
      const job = CAMPAIGN_AUDIENCE[campaign.name] ?? '';
      return {
        campaign,
        segment: segmentWhere(ranked, `job-${job}`, `with job = ${job}`, (c) => c.job === job),
      };
    })
    .sort((a, b) => b.segment.rate.p50 - a.segment.rate.p50);
  const [first, second, third, last] = order;
  if (!first || !second || !third || !last) throw new Error('The story needs four campaigns');
  const inputs = bankInputs(data, ranked);
  const plan = (id: string, name: string, options: StrategyOption[]) =>
    assemblePlan({
      clock,
      tenantId: TENANT,
      workflow: {
        workflowId: id,
        name,
        cvjStage: 'aware',
        aiMode: 'ai_assisted',
        owner: 'paid-media@bank.example',
      },
      objective: { unit: 'ratio', kpi: 'conversion_rate', direction: 'at_least', target: 0.12 },
      inputs,
      options,
      recommendedOptionId: options[0]?.optionId ?? '',
      protocolVersion: PROTOCOL_VERSION_1_1,
    });
  /** The mix's change forecast when `changes` set some campaigns' daily budgets (0: paused). */
  const mix = (...changes: [Ranked, number][]) =>
    mixChangeForecast(
      order.map((o) => ({
        campaign: o.campaign,
        segment: o.segment,
        after: changes.find(([r]) => r === o)?.[1] ?? o.campaign.dailyBudget.amountMinor,
      })),
      PRICING_DAYS,
    );
  const weakest = last.campaign.name;
  return {
    order,
    rebalance: plan('ads-rebalance', 'Rebalance daily ad budgets', [
      option(ranked, channelOf, {
        optionId: 'shift-15',
        title: `+15 % ${second.campaign.name}, -15 % ${weakest}`,
        rationale: `Move spend from the weakest audience (${weakest}) to a strong one.`,
        boost: second,
        actions: [move(second, 15, 'raise'), move(last, -15, 'cut')],
        forecast: mix([second, moved(second, 15)], [last, moved(last, -15)]),
      }),
      option(ranked, channelOf, {
        optionId: 'shift-10',
        title: `+10 % ${second.campaign.name}, -10 % ${weakest}`,
        rationale: 'The same direction, more cautiously.',
        boost: second,
        actions: [move(second, 10, 'raise'), move(last, -10, 'cut')],
        forecast: mix([second, moved(second, 10)], [last, moved(last, -10)]),
      }),
      option(ranked, channelOf, {
        optionId: 'shift-to-third',
        title: `+15 % ${third.campaign.name}, -15 % ${first.campaign.name}`,
        rationale:
          'Considered and not recommended: it moves spend towards an audience converting below the mix, so the ' +
          'forecast change is negative.',
        boost: third,
        actions: [move(third, 15, 'raise'), move(first, -15, 'cut')],
        forecast: mix([third, moved(third, 15)], [first, moved(first, -15)]),
      }),
    ]),
    push: plan('ads-push-strongest', 'Push the strongest audience', [
      option(ranked, channelOf, {
        optionId: 'raise-35',
        title: `+35 % ${first.campaign.name}`,
        rationale: 'The highest holdout rate of any audience; worth a bigger step.',
        boost: first,
        actions: [move(first, 35, 'raise')],
      }),
      option(ranked, channelOf, {
        optionId: 'raise-20',
        title: `+20 % ${first.campaign.name}`,
        rationale: 'As far as the guardrail allows without an override.',
        boost: first,
        actions: [move(first, 20, 'raise')],
      }),
    ]),
    allIn: plan('ads-all-in', 'All in on one audience', [
      option(ranked, channelOf, {
        optionId: 'all-in',
        title: `+300 % ${second.campaign.name}, -100 % ${weakest}`,
        rationale: 'Concentrate everything where it converts.',
        boost: second,
        actions: [move(second, 300, 'raise'), move(last, -100, 'cut')],
      }),
      option(ranked, channelOf, {
        optionId: 'double',
        title: `+100 % ${second.campaign.name}`,
        rationale: 'Double the strong audience, keep the rest.',
        boost: second,
        actions: [move(second, 100, 'raise')],
      }),
    ]),
    pauseWeakest: plan('ads-pause-weakest', 'Stop spending on the weakest audience', [
      option(ranked, channelOf, {
        optionId: 'pause-weakest',
        title: `Pause ${weakest}`,
        rationale: `The lowest holdout rate of any audience (${weakest}): stop its spend, keep the campaign.`,
        boost: last,
        actions: [pause(last, 'pause')],
        forecast: mix([last, 0]),
      }),
      option(ranked, channelOf, {
        optionId: 'halve-weakest',
        title: `-50 % ${weakest}`,
        rationale: 'Keep some reach while spending half.',
        boost: last,
        actions: [move(last, -50, 'cut')],
        forecast: mix([last, moved(last, -50)]),
      }),
    ]),
    nudge: plan('ads-nudge-third', 'Nudge the third audience', [
      option(ranked, channelOf, {
        optionId: 'raise-10',
        title: `+10 % ${third.campaign.name}`,
        rationale: 'A small step for an audience converting above the blue-collar one.',
        boost: third,
        actions: [move(third, 10, 'raise')],
        forecast: mix([third, moved(third, 10)]),
      }),
    ]),
    announce: plan('ads-announce-strongest', 'Announce the offer to the pushed audience', [
      option(ranked, channelOf, {
        optionId: 'announce',
        title: `Email the audience of ${first.campaign.name}`,
        rationale: 'The audience whose budget was pushed also hears of the offer by email.',
        boost: first,
        actions: [announce(first.campaign, first.segment.clients.length)],
      }),
    ]),
  };
}
