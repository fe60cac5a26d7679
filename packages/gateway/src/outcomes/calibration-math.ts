/**
 * The arithmetic of forecast calibration, pure: where an observed value lies against a p10/p50/p90 forecast, the
 * quantile (pinball) loss, and the figures of a group of forecasts with outcomes. Values are in the KPI's unit
 * (ratios as numbers, counts, money in minor units); a group never mixes KPIs, units or currencies.
 */

/** Where an observed value lies: `below` p10, `inside` p10..p90 (both ends included), `above` p90. */
export type OutcomePosition = 'below' | 'inside' | 'above';

/** The three quantiles of a forecast, in the KPI's unit. */
export interface Quantiles {
  p10: number;
  p50: number;
  p90: number;
}

/** Where `observed` lies against the forecast interval. */
export function positionOf(observed: number, q: Quantiles): OutcomePosition {
  if (observed < q.p10) return 'below';
  if (observed > q.p90) return 'above';
  return 'inside';
}

/**
 * The pinball (quantile) loss of predicting `quantile` at level `tau` (0..1) when `observed` happened:
 * `tau * (observed - quantile)` when the outcome is at or above it, `(1 - tau) * (quantile - observed)` below.
 * See Koenker & Bassett (1978); it is the proper scoring rule whose expectation a true quantile minimises.
 */
export function pinball(observed: number, quantile: number, tau: number): number {
  return observed >= quantile ? tau * (observed - quantile) : (1 - tau) * (quantile - observed);
}

/** The mean pinball loss of one forecast over its p10, p50 and p90 (levels 0.1, 0.5, 0.9). */
export function forecastPinball(observed: number, q: Quantiles): number {
  return (
    (pinball(observed, q.p10, 0.1) +
      pinball(observed, q.p50, 0.5) +
      pinball(observed, q.p90, 0.9)) /
    3
  );
}

/** One forecast with its final outcome. */
export interface ScoredForecast extends Quantiles {
  planId: string;
  observed: number;
}

/** One band's figures: how many outcomes, their share (0..1) and their plans (in input order). */
export interface Band {
  count: number;
  share: number;
  planIds: string[];
}

/** The calibration figures of a group (see `CalibrationRowSchema` of the wire API for their meaning). */
export interface CalibrationFigures {
  outcomes: number;
  inside: Band;
  below: Band;
  above: Band;
  p50Bias: number;
  p50RelativeBias: number | null;
  pinballLoss: number;
  planIds: string[];
}

/**
 * The figures of a non-empty group: counts and shares per band, the mean of `observed - p50`, the relative bias
 * `(sum observed - sum p50) / sum p50` (null when sum p50 is 0) and the mean {@link forecastPinball}.
 *
 * @throws RangeError for an empty group (no figure is defined).
 */
export function calibrationFigures(forecasts: readonly ScoredForecast[]): CalibrationFigures {
  const n = forecasts.length;
  if (n === 0) throw new RangeError('Calibration needs at least one forecast with an outcome');
  const bands: Record<OutcomePosition, string[]> = { below: [], inside: [], above: [] };
  let bias = 0;
  let observedSum = 0;
  let p50Sum = 0;
  let loss = 0;
  for (const f of forecasts) {
    bands[positionOf(f.observed, f)].push(f.planId);
    bias += f.observed - f.p50;
    observedSum += f.observed;
    p50Sum += f.p50;
    loss += forecastPinball(f.observed, f);
  }
  const band = (ids: string[]): Band => ({
    count: ids.length,
    share: ids.length / n,
    planIds: ids,
  });
  return {
    outcomes: n,
    inside: band(bands.inside),
    below: band(bands.below),
    above: band(bands.above),
    p50Bias: bias / n,
    p50RelativeBias: p50Sum === 0 ? null : (observedSum - p50Sum) / p50Sum,
    pinballLoss: loss / n,
    planIds: forecasts.map((f) => f.planId),
  };
}
