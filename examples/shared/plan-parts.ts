/**
 * The parts every example copilot puts in a plan, built with @handoff/copilot-adapter: the cited inputs (the bank
 * data by sha256, the model by digest), forecasts from a segment's holdout rate, a risk score with its factors,
 * evidence, and the plan around the options (id, timestamps, copilot identity).
 */
import {
  type Clock,
  citation,
  datasetReference,
  planId,
  planTimestamps,
  quantifiedOutcome,
} from '@handoff/copilot-adapter';
import {
  type Evidence,
  type Forecast,
  type HandoffPlan,
  type PlanInput,
  PROTOCOL_VERSION_1_0,
  type ProtocolVersion,
  type StrategyOption,
  type Workflow,
} from '@handoff/protocol';
import { BANK_DOI, BANK_PAPER, type BankData } from './bank-data.js';
import { countInterval, type RateInterval, round4 } from './forecast.js';
import type { RankedClients, Segment } from './ranked-clients.js';
import { percent } from './terminal.js';

/** The example copilot's identity. It is deterministic code standing in for an LLM copilot. */
export const EXAMPLE_COPILOT = {
  vendor: 'Handoff examples',
  model: 'bank-propensity-naive-bayes',
  modelVersion: '1',
  promptVersion: 'deterministic-stand-in-for-an-llm',
} as const;

/** The two inputs every bank plan cites: the dataset (by sha256) and the propensity model (by digest). */
export function bankInputs(data: BankData, ranked: RankedClients): PlanInput[] {
  return [
    {
      inputId: 'bank-marketing',
      kind: 'dataset',
      uri: BANK_DOI,
      sha256: data.sha256,
      personalData: true,
      consentBasis: 'legitimate_interests',
      description: 'UCI Bank Marketing, 4,521 clients of phone campaigns (CC BY 4.0)',
    },
    {
      inputId: 'propensity-model',
      kind: 'signal',
      uri: 'urn:handoff:examples:bank-propensity-naive-bayes',
      sha256: ranked.modelDigest,
      personalData: false,
      description:
        'Naive Bayes propensity over pre-call features, fit on 75 % of the clients, judged on the other 25 %',
    },
  ];
}

/**
 * A `subscriptions` forecast for `size` clients reached at the segment's holdout rate times `rateFactor` (1 for a
 * phone call, the channel the data measured; less for channels the data never saw), over `horizonDays`.
 */
export function subscriptionsForecast(
  rate: RateInterval,
  size: number,
  options: { rateFactor?: number; confidence?: number; horizonDays?: number } = {},
): Extract<Forecast, { unit: 'count' }> {
  const factor = options.rateFactor ?? 1;
  const scaled = { p10: rate.p10 * factor, p50: rate.p50 * factor, p90: rate.p90 * factor };
  return {
    unit: 'count',
    kpi: 'subscriptions',
    ...countInterval(scaled, size),
    confidence: options.confidence ?? 0.8,
    horizonDays: options.horizonDays ?? 30,
  };
}

/**
 * A risk score in 0..0.55 with its factors: a base of 0.1, up to 0.3 for forecast uncertainty (the 80 % interval's
 * width relative to its median, capped at 1), 0.1 when fewer than 30 holdout clients back the rate, and `extra`
 * factors (each weight added as is). Levels: low < 0.3 <= medium < 0.6 <= high.
 */
export function riskOf(
  segment: Segment,
  extra: { code: string; weight: number; note: string }[] = [],
): StrategyOption['risk'] {
  const { p10, p50, p90 } = segment.rate;
  const width = Math.min(1, (p90 - p10) / Math.max(p50, 1e-9));
  const factors = [
    {
      code: 'forecast_uncertainty',
      weight: round4(0.3 * width),
      note: `80 % interval ${percent(p10)}-${percent(p90)}`,
    },
    ...(segment.holdout.n < 30
      ? [{ code: 'small_holdout', weight: 0.1, note: `${segment.holdout.n} holdout clients` }]
      : []),
    ...extra,
  ];
  const score = round4(Math.min(1, 0.1 + factors.reduce((sum, f) => sum + f.weight, 0)));
  const level = score < 0.3 ? 'low' : score < 0.6 ? 'medium' : score < 0.8 ? 'high' : 'critical';
  return { score, level, factors };
}

/** The evidence behind a segment: its holdout rate against the base rate, the model's quality, the paper. */
export function segmentEvidence(segment: Segment, ranked: RankedClients): Evidence[] {
  const { k, n } = segment.holdout;
  const base = ranked.holdoutBase;
  const { auc, topDecileLift } = ranked.evaluation;
  return [
    datasetReference({
      inputId: 'bank-marketing',
      query: `holdout clients ${segment.query ?? `ranked ${segment.fromRank}-${segment.toRank} by the propensity model`}`,
      finding: `${k} of ${n} subscribed (${percent(n ? k / n : 0)}), against ${base.k} of ${base.n} (${percent(base.k / base.n)}) over the whole holdout`,
    }),
    quantifiedOutcome({
      metric: 'holdout ROC AUC of the propensity model',
      value: round4(auc),
      unit: 'ratio',
      baseline: 0.5,
    }),
    quantifiedOutcome({
      metric: 'holdout top-decile lift',
      value: round4(topDecileLift),
      unit: 'times the base rate',
      baseline: 1,
    }),
    citation({ ...BANK_PAPER }),
  ];
}

/** Wraps options into a plan: a UUID v7 id and a 7-day validity from the clock, and the example copilot. */
export function assemblePlan(input: {
  clock: Clock;
  tenantId: string;
  workflow: Workflow;
  objective: HandoffPlan['objective'];
  inputs: PlanInput[];
  options: StrategyOption[];
  recommendedOptionId: string;
  /** Default 1.0 (`PROTOCOL_VERSION_1_0`); 1.1 for plans using what 1.1 added (change forecasts, pauses). */
  protocolVersion?: ProtocolVersion;
}): HandoffPlan {
  const { clock, protocolVersion = PROTOCOL_VERSION_1_0, ...rest } = input;
  return {
    protocolVersion,
    kind: 'HandoffPlan',
    planId: planId({ clock }),
    ...planTimestamps({ clock, ttlMs: 7 * 86_400_000 }),
    copilot: { ...EXAMPLE_COPILOT },
    ...rest,
  };
}
