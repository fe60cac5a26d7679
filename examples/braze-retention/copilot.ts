/**
 * The retention copilot (deterministic, standing in for an LLM). The bank data has no churn label, so the story
 * uses the nearest honest signal it has: clients whose previous campaign FAILED (`poutcome = failure`, 490
 * clients) are treated as at risk of drifting away. The copilot ranks them by the propensity model and proposes a
 * Braze win-back: a Canvas for the likeliest 50 and a reminder campaign scheduled three days later, or cheaper
 * variants; and a second plan, an SMS blast to every at-risk client, that the retention policy does not allow.
 */
import { type Clock, timestamp } from '@handoff/copilot-adapter';
import type { Action, HandoffPlan, StrategyOption } from '@handoff/protocol';
import type { BankData } from '../shared/bank-data.js';
import {
  assemblePlan,
  bankInputs,
  riskOf,
  segmentEvidence,
  subscriptionsForecast,
} from '../shared/plan-parts.js';
import { type RankedClients, type Segment, segmentWhere } from '../shared/ranked-clients.js';

export const TENANT = 'acme-bank';
/** Braze objects of the story (ids as Braze shows them). */
export const BRAZE = {
  winbackCanvas: '5f1e2d3c-4b5a-4e6f-8a9b-0c1d2e3f4a5b',
  reminderCampaign: '7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d',
  atRiskCampaign: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
} as const;
/** Assumed cost of one Braze message (email or push, sending and content): EUR 0.02. */
export const COST_PER_MESSAGE_MINOR = 2;
/** How many at-risk clients the Canvas takes (Braze trigger sends take 50 recipients a request). */
export const WINBACK_SIZE = 50;

const recipients = (seg: Segment) =>
  seg.clients.map((s) => ({ externalId: `client-${s.client.clientId}` }));
const cost = (messages: number) => ({
  amountMinor: messages * COST_PER_MESSAGE_MINOR,
  currency: 'EUR' as const,
});

function option(
  seg: Segment,
  ranked: RankedClients,
  o: {
    optionId: string;
    title: string;
    rationale: string;
    channels: StrategyOption['channels'];
    actions: Action[];
  },
): StrategyOption {
  return {
    optionId: o.optionId,
    title: o.title,
    rationale: o.rationale,
    channels: o.channels,
    audience: {
      segmentId: seg.segmentId,
      description: 'Clients whose previous campaign failed, ranked by propensity',
      estimatedSize: seg.clients.length,
      criteria: [{ field: 'poutcome', op: 'eq', value: 'failure' }],
    },
    budget: {
      amount: {
        amountMinor: o.actions.reduce((sum, a) => sum + a.estimatedCost.amountMinor, 0),
        currency: 'EUR',
      },
      period: 'month',
    },
    // Messages, not calls: the data measured phone campaigns, so the rate is assumed at a quarter.
    forecast: subscriptionsForecast(seg.rate, seg.clients.length, {
      rateFactor: 0.25,
      confidence: 0.5,
    }),
    risk: riskOf(seg, [
      { code: 'channel_not_in_data', weight: 0.1, note: 'message rate assumed at 1/4 of phone' },
    ]),
    evidence: segmentEvidence(seg, ranked),
    contentKind: 'email_copy',
    actions: o.actions,
  };
}

/** The win-back plan (three options) and the SMS blast the policy refuses. */
export function retentionPlans(
  data: BankData,
  ranked: RankedClients,
  clock: Clock,
): { winback: HandoffPlan; smsBlast: HandoffPlan; atRisk: Segment; top: Segment } {
  const atRisk = segmentWhere(
    ranked,
    'at-risk',
    'with poutcome = failure',
    (c) => c.poutcome === 'failure',
  );
  const best = new Set(atRisk.clients.slice(0, WINBACK_SIZE).map((s) => s.client.clientId));
  const top = segmentWhere(
    ranked,
    'at-risk-top-50',
    `with poutcome = failure, the ${WINBACK_SIZE} best ranked`,
    (c) => best.has(c.clientId),
  );
  const canvas: Action = {
    type: 'enroll_in_workflow',
    actionId: 'winback-canvas',
    adapter: 'braze',
    description: `Braze Canvas ${BRAZE.winbackCanvas} for the ${WINBACK_SIZE} likeliest at-risk clients`,
    estimatedCost: cost(WINBACK_SIZE * 2),
    params: { workflowId: BRAZE.winbackCanvas, contacts: recipients(top) },
  };
  const reminder: Action = {
    type: 'schedule_message',
    actionId: 'reminder',
    adapter: 'braze',
    description: 'A reminder campaign three days later',
    estimatedCost: cost(WINBACK_SIZE),
    params: {
      campaignId: BRAZE.reminderCampaign,
      sendAt: timestamp(Math.floor(clock.now() / 1000) * 1000 + 3 * 86_400_000),
      recipients: recipients(top),
    },
  };
  const broadcast: Action = {
    type: 'trigger_broadcast',
    actionId: 'at-risk-broadcast',
    adapter: 'braze',
    description: "One email to Braze's whole at-risk segment",
    estimatedCost: cost(atRisk.clients.length),
    params: { broadcastId: BRAZE.atRiskCampaign },
  };
  const workflow = (workflowId: string, name: string) => ({
    workflowId,
    name,
    cvjStage: 'ascend' as const,
    aiMode: 'ai_assisted' as const,
    owner: 'retention@bank.example',
  });
  const common = {
    clock,
    tenantId: TENANT,
    objective: {
      unit: 'count',
      kpi: 'retained_customers',
      direction: 'at_least',
      target: 5,
    } as const,
    inputs: bankInputs(data, ranked),
  };
  const winback = assemblePlan({
    ...common,
    workflow: workflow('winback-q4', 'Win back clients at risk'),
    options: [
      option(top, ranked, {
        optionId: 'canvas-and-reminder',
        title: 'Win-back Canvas, then a reminder three days later',
        rationale: 'The likeliest 50 of the at-risk clients get a two-step journey.',
        channels: ['email', 'push'],
        actions: [canvas, reminder],
      }),
      option(top, ranked, {
        optionId: 'canvas-only',
        title: 'Win-back Canvas only',
        rationale: 'One step, no reminder.',
        channels: ['email', 'push'],
        actions: [canvas],
      }),
      option(atRisk, ranked, {
        optionId: 'broadcast-all',
        title: 'One email to every at-risk client',
        rationale: 'Wider and cheaper per head, untargeted.',
        channels: ['email'],
        actions: [broadcast],
      }),
    ],
    recommendedOptionId: 'canvas-and-reminder',
  });
  const smsBlast = assemblePlan({
    ...common,
    workflow: workflow('winback-sms', 'SMS blast to clients at risk'),
    options: [
      {
        ...option(atRisk, ranked, {
          optionId: 'sms-all',
          title: 'SMS every at-risk client',
          rationale: 'Fast and direct.',
          channels: ['sms'],
          actions: [broadcast],
        }),
        contentKind: 'sms_copy',
      },
      {
        ...option(top, ranked, {
          optionId: 'sms-top',
          title: 'SMS the likeliest 50',
          rationale: 'Fewer messages.',
          channels: ['sms'],
          actions: [canvas],
        }),
        contentKind: 'sms_copy',
      },
    ],
    recommendedOptionId: 'sms-all',
  });
  return { winback, smsBlast, atRisk, top };
}
