/**
 * Forecasts from observed rates: the posterior of a segment's subscription rate after `k` subscribers in `n`
 * holdout clients, under a uniform Beta(1, 1) prior, is Beta(1 + k, 1 + n - k); its 10th, 50th and 90th percentiles
 * are the p10/p50/p90 of the forecast (an 80 % credible interval, so `confidence` 0.8).
 */
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';

/** An observed rate: `k` successes in `n` trials. */
export interface ObservedRate {
  k: number;
  n: number;
}

/** p10/p50/p90 of a rate, each in 0..1, ordered. */
export interface RateInterval {
  p10: number;
  p50: number;
  p90: number;
}

/** The credible interval of a rate with `k` of `n` observed (Beta(1 + k, 1 + n - k) percentiles). */
export function rateInterval({ k, n }: ObservedRate): RateInterval {
  if (!(Number.isInteger(k) && Number.isInteger(n) && k >= 0 && n >= k)) {
    throw new RangeError(`Not an observed rate: ${k} of ${n}`);
  }
  const q = (p: number) => betaQuantile(p, 1 + k, 1 + n - k);
  return { p10: q(0.1), p50: q(0.5), p90: q(0.9) };
}

/**
 * Expected subscriptions (whole contacts) when `size` clients are reached at the interval's rates, rounded to the
 * nearest contact; rounding keeps the order p10 <= p50 <= p90.
 */
export function countInterval(rate: RateInterval, size: number): RateInterval {
  return {
    p10: Math.round(rate.p10 * size),
    p50: Math.round(rate.p50 * size),
    p90: Math.round(rate.p90 * size),
  };
}

/** A ratio rounded to 4 decimals, as plans state rates (0.1234 = 12.34 %). */
export function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
