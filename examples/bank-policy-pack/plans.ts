/**
 * The plans of the policy-pack story: call lists and a Customer Match upload cut from the bank's ranked clients,
 * built with the shared example copilot parts. Money is integer minor units (EUR cents).
 */
import type { Clock } from '@handoff/copilot-adapter';
import type { HandoffPlan } from '@handoff/protocol';
import { type BankData, clientEmail } from '../shared/bank-data.js';
import {
  assemblePlan,
  bankInputs,
  riskOf,
  segmentEvidence,
  subscriptionsForecast,
} from '../shared/plan-parts.js';
import type { RankedClients, Segment } from '../shared/ranked-clients.js';

export const TENANT = 'acme-bank';

/** What a plan of this story needs besides the segment. */
export interface StoryPlanInput {
  clock: Clock;
  data: BankData;
  ranked: RankedClients;
  segment: Segment;
  /** `hubspot` (a call list: enrol in a workflow) or `google_ads` (a Customer Match upload: add to a list). */
  destination: 'hubspot' | 'google_ads';
  /** The HubSpot workflow id, or the Customer Match list id. */
  targetId: string;
  costMinor: number;
  title: string;
}

/** One plan with one option: the segment's clients, by their (synthetic) emails, to one destination. */
export function storyPlan(input: StoryPlanInput): HandoffPlan {
  const { segment: seg, ranked } = input;
  const contacts = seg.clients.map((s) => ({ email: clientEmail(s.client) }));
  const cost = { amountMinor: input.costMinor, currency: 'EUR' } as const;
  const action =
    input.destination === 'hubspot'
      ? ({
          type: 'enroll_in_workflow',
          actionId: 'enroll-call-list',
          adapter: 'hubspot',
          estimatedCost: cost,
          params: { workflowId: input.targetId, contacts },
        } as const)
      : ({
          type: 'add_to_list',
          actionId: 'upload-customer-match',
          adapter: 'google_ads',
          estimatedCost: cost,
          params: { listId: input.targetId, contacts },
        } as const);
  return assemblePlan({
    clock: input.clock,
    tenantId: TENANT,
    workflow: {
      workflowId: `pack-${seg.segmentId}`,
      name: input.title,
      cvjStage: 'convert',
      aiMode: 'ai_assisted',
      owner: 'marketing-ops@bank.example',
    },
    objective: { unit: 'count', kpi: 'subscriptions', direction: 'at_least', target: 1 },
    inputs: bankInputs(input.data, ranked),
    options: [
      {
        optionId: seg.segmentId,
        title: input.title,
        rationale: `${seg.clients.length} clients cut from the propensity ranking (${seg.query ?? `ranks ${seg.fromRank}-${seg.toRank}`}).`,
        channels: input.destination === 'hubspot' ? ['phone', 'email'] : ['display'],
        audience: {
          segmentId: seg.segmentId,
          estimatedSize: seg.clients.length,
          criteria: [{ field: 'rank', op: 'between', value: [seg.fromRank, seg.toRank] }],
        },
        budget: { amount: cost, period: 'total' },
        forecast: subscriptionsForecast(seg.rate, seg.clients.length),
        risk: riskOf(seg),
        evidence: segmentEvidence(seg, ranked),
        actions: [action],
      },
    ],
    recommendedOptionId: seg.segmentId,
  });
}
