/**
 * The example copilot of the outcomes story (deterministic code standing in for an LLM copilot): it forecasts how
 * many held-out clients of each job segment will subscribe, from the subscription rate of that job in the HISTORY
 * half of the data only, and hands one plan per segment to the gateway.
 *
 * The honest variant's interval is the 80 % credible interval of the segment's rate (Beta posterior, see
 * `rateInterval`) times the held-out segment's size. It covers the uncertainty of the rate, not the chance of which
 * clients happen to subscribe, so it is narrower than a predictive interval: the calibration report shows how that
 * turns out. The overconfident variant keeps the same p50 and only {@link OVERCONFIDENT_WIDTH} of the width.
 */
import { type Clock, datasetReference, planId, planTimestamps } from '@handoff/copilot-adapter';
import {
  type AiMode,
  type Forecast,
  HANDOFF_PROTOCOL_VERSION,
  type HandoffPlan,
  type StrategyOption,
} from '@handoff/protocol';
import { BANK_DOI, type BankClient, type BankData } from '../shared/bank-data.js';
import { rateInterval } from '../shared/forecast.js';
import {
  CAMPAIGN_COST,
  CAMPAIGN_HOOK,
  COPILOTS,
  type CopilotVariant,
  HORIZON_DAYS,
  isHeldOut,
  OVERCONFIDENT_WIDTH,
  TENANT,
} from './settings.js';

/** One job segment: its history (k of n subscribed) and its held-out clients. */
export interface JobSegment {
  job: string;
  segmentId: string;
  history: { k: number; n: number };
  heldOut: BankClient[];
}

/** The job segments with at least `minHeldOut` held-out clients, in the order of the data's first appearance. */
export function jobSegments(data: BankData, minHeldOut = 20): JobSegment[] {
  const byJob = new Map<string, JobSegment>();
  for (const client of data.clients) {
    const segment = byJob.get(client.job) ?? {
      job: client.job,
      segmentId: `job-${client.job.replace(/[^a-z0-9]+/g, '-')}`,
      history: { k: 0, n: 0 },
      heldOut: [],
    };
    if (isHeldOut(client)) segment.heldOut.push(client);
    else {
      segment.history.n += 1;
      if (client.subscribed) segment.history.k += 1;
    }
    byJob.set(client.job, segment);
  }
  return [...byJob.values()].filter((s) => s.heldOut.length >= minHeldOut);
}

/** The variant's `conversions` forecast for a segment (whole clients, p10 <= p50 <= p90). */
export function conversionsForecast(
  segment: JobSegment,
  variant: CopilotVariant,
): Extract<Forecast, { unit: 'count' }> {
  const rate = rateInterval(segment.history);
  const size = segment.heldOut.length;
  const p50 = Math.round(rate.p50 * size);
  const honest = { p10: Math.round(rate.p10 * size), p90: Math.round(rate.p90 * size) };
  const narrowed =
    variant === 'honest'
      ? honest
      : {
          p10: Math.round(p50 - OVERCONFIDENT_WIDTH * (p50 - honest.p10)),
          p90: Math.round(p50 + OVERCONFIDENT_WIDTH * (honest.p90 - p50)),
        };
  return {
    unit: 'count',
    kpi: 'conversions',
    p10: narrowed.p10,
    p50,
    p90: narrowed.p90,
    confidence: variant === 'honest' ? 0.8 : 0.95,
    horizonDays: HORIZON_DAYS,
  };
}

function option(segment: JobSegment, variant: CopilotVariant): StrategyOption {
  const { k, n } = segment.history;
  return {
    optionId: 'call-segment',
    title: `Call the ${segment.heldOut.length} clients in ${segment.job} jobs`,
    rationale: `${k} of ${n} ${segment.job} clients in the history subscribed; the same rate is expected of this segment.`,
    channels: ['webhook'],
    audience: {
      segmentId: segment.segmentId,
      description: `Held-out clients whose job is ${segment.job}`,
      estimatedSize: segment.heldOut.length,
      criteria: [{ field: 'job', op: 'eq', value: segment.job }],
    },
    budget: { amount: CAMPAIGN_COST, period: 'total' },
    forecast: conversionsForecast(segment, variant),
    risk: { score: 0.2, level: 'low', factors: [] },
    evidence: [
      datasetReference({
        inputId: 'bank-marketing',
        query: `history (odd rows) where job = ${segment.job}`,
        finding: `${k} of ${n} subscribed`,
      }),
    ],
    actions: [
      {
        type: 'call_webhook',
        actionId: 'start-segment-campaign',
        adapter: 'webhook',
        description: `Ask the call centre to call segment ${segment.segmentId}`,
        estimatedCost: CAMPAIGN_COST,
        params: {
          url: CAMPAIGN_HOOK,
          eventType: 'bank.segment_campaign.start',
          data: { segmentId: segment.segmentId, clients: segment.heldOut.length },
        },
      },
    ],
  };
}

/** A plan of `variant` for one segment, in a workflow of the given AI mode. */
export function segmentPlan(input: {
  clock: Clock;
  data: BankData;
  segment: JobSegment;
  variant: CopilotVariant;
  aiMode: AiMode;
}): HandoffPlan {
  const { clock, data, segment, variant, aiMode } = input;
  const opt = option(segment, variant);
  return {
    protocolVersion: HANDOFF_PROTOCOL_VERSION,
    kind: 'HandoffPlan',
    planId: planId({ clock }),
    tenantId: TENANT,
    ...planTimestamps({ clock, ttlMs: 7 * 86_400_000 }),
    copilot: { ...COPILOTS[variant] },
    workflow: {
      workflowId: aiMode === 'ai_led' ? 'segment-calls-autopilot' : 'segment-calls',
      name: aiMode === 'ai_led' ? 'Segment calls, AI-led' : 'Segment calls',
      cvjStage: 'convert',
      aiMode,
      owner: 'growth-team@acme-bank.example',
    },
    objective: {
      unit: 'count',
      kpi: 'conversions',
      direction: 'at_least',
      target: opt.forecast.p50,
    },
    inputs: [
      {
        inputId: 'bank-marketing',
        kind: 'dataset',
        uri: BANK_DOI,
        sha256: data.sha256,
        personalData: true,
        consentBasis: 'legitimate_interests',
        description: 'UCI Bank Marketing (CC BY 4.0): history = odd rows',
      },
    ],
    options: [opt],
    recommendedOptionId: opt.optionId,
  };
}
