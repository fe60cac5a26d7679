/**
 * The example copilot of the bank-campaign story: deterministic code standing in for an LLM copilot, built with
 * @handoff/copilot-adapter. It ranks the bank's clients with the propensity model, cuts segments from the ranking
 * and proposes plans, each with two or three strategy options: budgets from the stated cost per contact, forecasts
 * from the segments' holdout rates (80 % intervals), risk scores, evidence, and actions for HubSpot (enrol a call
 * list in a workflow), Customer.io (broadcast to a nurture segment) and the call centre's webhook.
 */
import type { Clock } from '@handoff/copilot-adapter';
import type { Action, HandoffPlan, Money, StrategyOption } from '@handoff/protocol';
import { type BankData, clientEmail } from '../shared/bank-data.js';
import {
  assemblePlan,
  bankInputs,
  riskOf,
  segmentEvidence,
  subscriptionsForecast,
} from '../shared/plan-parts.js';
import {
  type RankedClients,
  type Segment,
  segment,
  segmentWhere,
} from '../shared/ranked-clients.js';
import {
  CALL_CENTRE_HOOK,
  CALL_LIST_SIZE,
  COST_PER_CALL,
  COST_PER_EMAIL,
  CUSTOMERIO,
  EMAIL_RATE_FACTOR,
  HUBSPOT_CALL_LIST_WORKFLOW,
  HUBSPOT_WAVE_WORKFLOWS,
  NURTURE_SIZE,
  TENANT,
  WAVE_SIZE,
  WAVES,
} from './settings.js';

/** The plans of the story, by role in it. */
export interface BankCampaignPlans {
  /** EUR 540.00 of calls: needs finance and the marketing lead. */
  callList: HandoffPlan;
  /** A cheap nurture broadcast: passes on its own. */
  nurture: HandoffPlan;
  /** AI-led case-study content: denied by policy. */
  successStories: HandoffPlan;
  /** Three second-wave call lists submitted at once: the monthly cap holds two. */
  waves: HandoffPlan[];
}

const times = (unit: Money, count: number): Money => ({
  amountMinor: unit.amountMinor * count,
  currency: unit.currency,
});
const total = (actions: Action[]): Money => ({
  amountMinor: actions.reduce((sum, a) => sum + a.estimatedCost.amountMinor, 0),
  currency: 'EUR',
});

function audience(seg: Segment, description: string): StrategyOption['audience'] {
  return {
    segmentId: seg.segmentId,
    description,
    estimatedSize: seg.clients.length,
    criteria: [{ field: 'propensity_rank', op: 'between', value: [seg.fromRank, seg.toRank] }],
  };
}

/** Calling `seg` through a HubSpot call-list workflow, optionally telling the call centre by webhook. */
function callOption(
  seg: Segment,
  ranked: RankedClients,
  o: { optionId: string; title: string; rationale: string; workflowId: string; notify?: boolean },
): StrategyOption {
  const actions: Action[] = [
    {
      type: 'enroll_in_workflow',
      actionId: 'enroll-call-list',
      adapter: 'hubspot',
      description: `Enrol ${seg.clients.length} clients in HubSpot workflow ${o.workflowId}`,
      estimatedCost: times(COST_PER_CALL, seg.clients.length),
      params: {
        workflowId: o.workflowId,
        contacts: seg.clients.map((s) => ({
          email: clientEmail(s.client),
          externalId: `client-${s.client.clientId}`,
        })),
      },
    },
  ];
  if (o.notify) {
    actions.push({
      type: 'call_webhook',
      actionId: 'notify-call-centre',
      adapter: 'webhook',
      description: 'Tell the call centre the list is ready',
      estimatedCost: { amountMinor: 0, currency: 'EUR' },
      params: {
        url: CALL_CENTRE_HOOK,
        eventType: 'bank.call_list.ready',
        data: { workflowId: o.workflowId, contacts: seg.clients.length, segmentId: seg.segmentId },
      },
    });
  }
  return {
    optionId: o.optionId,
    title: o.title,
    rationale: o.rationale,
    channels: o.notify ? ['phone', 'webhook'] : ['phone'],
    audience: audience(seg, `Clients ranked ${seg.fromRank}-${seg.toRank} by propensity`),
    budget: { amount: total(actions), period: 'month' },
    forecast: subscriptionsForecast(seg.rate, seg.clients.length),
    risk: riskOf(seg, [{ code: 'phone_contact', weight: 0.05, note: 'outbound calls' }]),
    evidence: segmentEvidence(seg, ranked),
    contentKind: 'sales_script',
    actions,
  };
}

/** Emailing `seg` through a Customer.io broadcast to a platform-side segment. */
function emailOption(
  seg: Segment,
  ranked: RankedClients,
  o: {
    optionId: string;
    title: string;
    rationale: string;
    broadcastId: string;
    cioSegment: string;
  },
): StrategyOption {
  const actions: Action[] = [
    {
      type: 'trigger_broadcast',
      actionId: 'broadcast',
      adapter: 'customerio',
      description: `Customer.io broadcast ${o.broadcastId} to segment ${o.cioSegment}`,
      estimatedCost: times(COST_PER_EMAIL, seg.clients.length),
      params: {
        broadcastId: o.broadcastId,
        segmentId: o.cioSegment,
        data: { offer: 'term-deposit', segment: seg.segmentId },
      },
    },
  ];
  return {
    optionId: o.optionId,
    title: o.title,
    rationale: o.rationale,
    channels: ['email'],
    audience: audience(seg, `Clients ranked ${seg.fromRank}-${seg.toRank} by propensity`),
    budget: { amount: total(actions), period: 'month' },
    forecast: subscriptionsForecast(seg.rate, seg.clients.length, {
      rateFactor: EMAIL_RATE_FACTOR,
      confidence: 0.5,
      horizonDays: 60,
    }),
    risk: riskOf(seg, [
      { code: 'channel_not_in_data', weight: 0.1, note: 'email rate assumed at 1/4 of phone' },
    ]),
    evidence: segmentEvidence(seg, ranked),
    contentKind: 'email_copy',
    actions,
  };
}

/** How many times the holdout base rate a segment's holdout rate is, to one decimal. */
function liftOf(seg: Segment, ranked: RankedClients): string {
  const base = ranked.holdoutBase.k / ranked.holdoutBase.n;
  return (seg.holdout.k / Math.max(1, seg.holdout.n) / base).toFixed(1);
}

const workflow = (id: string, name: string, extra: Partial<HandoffPlan['workflow']> = {}) => ({
  workflowId: id,
  name,
  cvjStage: 'convert' as const,
  aiMode: 'ai_assisted' as const,
  owner: 'growth-team@bank.example',
  ...extra,
});

/** Builds every plan of the story from the data and the ranking. Deterministic but for ids and timestamps. */
export function bankCampaignPlans(
  data: BankData,
  ranked: RankedClients,
  clock: Clock,
): BankCampaignPlans {
  const inputs = bankInputs(data, ranked);
  const objective = {
    unit: 'count',
    kpi: 'subscriptions',
    direction: 'at_least',
    target: 20,
  } as const;
  const top = segment(ranked, 'call-top-90', 1, CALL_LIST_SIZE);
  const topHalf = segment(ranked, 'call-top-45', 1, CALL_LIST_SIZE / 2);
  const callList = assemblePlan({
    clock,
    tenantId: TENANT,
    workflow: workflow('term-deposit-calls', 'Term deposit call list, this month'),
    objective,
    inputs,
    options: [
      callOption(top, ranked, {
        optionId: 'call-top-90',
        title: 'Call the 90 likeliest clients',
        rationale: `On the holdout, the top of the ranking subscribed at ${liftOf(top, ranked)} times the base rate.`,
        workflowId: HUBSPOT_CALL_LIST_WORKFLOW,
        notify: true,
      }),
      callOption(topHalf, ranked, {
        optionId: 'call-top-45',
        title: 'Call the 45 likeliest clients',
        rationale: 'Half the spend for the best-scored half of the list.',
        workflowId: HUBSPOT_CALL_LIST_WORKFLOW,
        notify: true,
      }),
      emailOption(top, ranked, {
        optionId: 'email-top-90',
        title: 'Email the 90 likeliest clients instead',
        rationale: 'Nearly free, but the data never measured email: a weak, assumed rate.',
        broadcastId: CUSTOMERIO.emailFirstBroadcast,
        cioSegment: CUSTOMERIO.emailFirstSegment,
      }),
    ],
    recommendedOptionId: 'call-top-90',
  });

  const warm = segment(ranked, 'nurture-warm-1000', 181, 180 + NURTURE_SIZE);
  const wide = segment(ranked, 'nurture-warm-2000', 181, 180 + 2 * NURTURE_SIZE);
  const nurture = assemblePlan({
    clock,
    tenantId: TENANT,
    workflow: workflow('term-deposit-nurture', 'Term deposit nurture emails', {
      cvjStage: 'engage',
    }),
    objective: { ...objective, target: 5 },
    inputs,
    options: [
      emailOption(warm, ranked, {
        optionId: 'nurture-1000',
        title: 'Nurture the next 1,000 clients by email',
        rationale: 'Warm clients below the call lists: keep the offer in view at a few cents each.',
        broadcastId: CUSTOMERIO.nurtureBroadcast,
        cioSegment: CUSTOMERIO.nurtureSegment,
      }),
      emailOption(wide, ranked, {
        optionId: 'nurture-2000',
        title: 'Nurture the next 2,000 clients by email',
        rationale: 'Twice the reach; the second thousand is barely above the base rate.',
        broadcastId: CUSTOMERIO.nurtureBroadcast,
        cioSegment: CUSTOMERIO.wideNurtureSegment,
      }),
    ],
    recommendedOptionId: 'nurture-1000',
  });

  const successStories = storiesPlan(data, ranked, clock);
  const waveBand = segment(
    ranked,
    'call-waves',
    CALL_LIST_SIZE + 1,
    CALL_LIST_SIZE + WAVES.length * WAVE_SIZE,
  );
  const waves = WAVES.map((wave, index) => {
    const from = CALL_LIST_SIZE + index * WAVE_SIZE + 1;
    // Each list alone has a handful of holdout clients; its rate comes from the three lists together.
    const seg = {
      ...segment(ranked, `call-wave-${wave}`, from, from + WAVE_SIZE - 1),
      holdout: waveBand.holdout,
      rate: waveBand.rate,
      query: `ranked ${waveBand.fromRank}-${waveBand.toRank} (the three second-wave lists together)`,
    };
    return assemblePlan({
      clock,
      tenantId: TENANT,
      workflow: workflow(
        `term-deposit-wave-${wave}`,
        `Second-wave call list ${wave.toUpperCase()}`,
      ),
      objective: { ...objective, target: 2 },
      inputs,
      options: [
        callOption(seg, ranked, {
          optionId: `call-wave-${wave}`,
          title: `Call second-wave list ${wave.toUpperCase()} (${WAVE_SIZE} clients)`,
          rationale: 'The next clients down the ranking, still well above the base rate.',
          workflowId: HUBSPOT_WAVE_WORKFLOWS[wave],
        }),
        emailOption(seg, ranked, {
          optionId: `email-wave-${wave}`,
          title: `Email second-wave list ${wave.toUpperCase()} instead`,
          rationale: 'Cheaper, with an assumed rate.',
          broadcastId: CUSTOMERIO.waveEmailBroadcast,
          cioSegment: String(710 + index),
        }),
      ],
      recommendedOptionId: `call-wave-${wave}`,
    });
  });
  return { callList, nurture, successStories, waves };
}

/** Clients whose previous campaign succeeded, told "people like you" stories written by the AI alone. */
function storiesPlan(data: BankData, ranked: RankedClients, clock: Clock): HandoffPlan {
  const seg = segmentWhere(ranked, 'prior-success', 'with poutcome = success', (c) => {
    return c.poutcome === 'success';
  });
  const option = (optionId: string, contentKind: 'case_study' | 'positioning'): StrategyOption => ({
    ...emailOption(seg, ranked, {
      optionId,
      title:
        contentKind === 'case_study'
          ? 'AI-written client success stories'
          : 'AI-written "why we beat other banks" email',
      rationale: 'Clients who said yes before respond to proof from peers.',
      broadcastId: CUSTOMERIO.storiesBroadcast,
      cioSegment: CUSTOMERIO.storiesSegment,
    }),
    audience: {
      segmentId: 'prior-success',
      description: 'Clients whose previous campaign succeeded',
      estimatedSize: seg.clients.length,
      criteria: [{ field: 'poutcome', op: 'eq', value: 'success' }],
    },
    contentKind,
  });
  return assemblePlan({
    clock,
    tenantId: TENANT,
    workflow: workflow('advocacy-stories', 'Client success stories', {
      cvjStage: 'advocate',
      aiMode: 'ai_led',
    }),
    objective: { unit: 'count', kpi: 'subscriptions', direction: 'at_least', target: 5 },
    inputs: bankInputs(data, ranked),
    options: [
      option('stories-case-study', 'case_study'),
      option('stories-positioning', 'positioning'),
    ],
    recommendedOptionId: 'stories-case-study',
  });
}
