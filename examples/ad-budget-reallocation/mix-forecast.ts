/**
 * What the ad copilot forecasts for a set of budget moves (protocol 1.1 change forecasts): the change in the
 * conversion rate of the bank's paid-social mix, i.e. the budget-weighted mean of each audience's holdout
 * subscription rate, against not acting. Signed: moving budget towards an audience that converts worse than the
 * mix lowers it, and an uncertain move has a p10 below zero.
 *
 * p50 is the change of the mix at each audience's posterior median; the p10/p90 half-widths combine each
 * audience's own interval (its p90 - p10 as 2 x 1.2816 sigma of a normal approximation) weighted by how much its
 * share moves, as independent errors. The basis is the holdout clients behind the audiences whose share moves.
 */
import type { Forecast } from '@handoff/protocol';
import { round4 } from '../shared/forecast.js';
import type { Segment } from '../shared/ranked-clients.js';
import type { AdCampaign } from './meta-platform.js';

/** One campaign with its audience, and its daily budget after the moves (minor units). */
export interface MixEntry {
  campaign: AdCampaign;
  segment: Segment;
  after: number;
}

/** Z of the 90th percentile of a standard normal. */
const Z90 = 1.2816;

/** The change forecast of `conversion_rate` over `horizonDays` for the mix before and after the moves. */
export function mixChangeForecast(entries: readonly MixEntry[], horizonDays: number): Forecast {
  const before = entries.reduce((s, e) => s + e.campaign.dailyBudget.amountMinor, 0);
  const after = entries.reduce((s, e) => s + e.after, 0);
  let p50 = 0;
  let variance = 0;
  let sampleSize = 0;
  for (const { campaign, segment, after: next } of entries) {
    const delta = next / after - campaign.dailyBudget.amountMinor / before;
    if (delta === 0) continue;
    p50 += delta * segment.rate.p50;
    variance += (delta * ((segment.rate.p90 - segment.rate.p10) / (2 * Z90))) ** 2;
    sampleSize += segment.holdout.n;
  }
  const spread = Z90 * Math.sqrt(variance);
  return {
    unit: 'ratio',
    kpi: 'conversion_rate',
    of: 'change',
    p10: round4(p50 - spread),
    p50: round4(p50),
    p90: round4(p50 + spread),
    confidence: 0.8,
    horizonDays,
    basis: { sampleSize, method: 'model' },
  };
}
