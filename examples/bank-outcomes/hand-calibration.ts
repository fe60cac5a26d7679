/**
 * The story's own computation of the calibration figures, written out longhand from the plans it submitted and the
 * outcomes it reported (not from the gateway's code), so the story can check the gateway's report against it.
 */

/** One forecast the story made, with the outcome it reported. */
export interface Tally {
  planId: string;
  p10: number;
  p50: number;
  p90: number;
  observed: number;
}

/** The figures by hand: bands by plan, shares, mean and relative p50 error, mean quantile loss. */
export interface HandFigures {
  outcomes: number;
  inside: string[];
  below: string[];
  above: string[];
  coverage: number;
  p50Bias: number;
  p50RelativeBias: number | null;
  pinballLoss: number;
}

/** Quantile loss at level `tau`: under-forecasting costs `tau` per unit, over-forecasting `1 - tau`. */
function quantileLoss(y: number, q: number, tau: number): number {
  return y >= q ? tau * (y - q) : (1 - tau) * (q - y);
}

export function handFigures(tallies: readonly Tally[]): HandFigures {
  const inside = tallies.filter((t) => t.observed >= t.p10 && t.observed <= t.p90);
  const below = tallies.filter((t) => t.observed < t.p10);
  const above = tallies.filter((t) => t.observed > t.p90);
  const n = tallies.length;
  let errors = 0;
  let observedTotal = 0;
  let p50Total = 0;
  let loss = 0;
  for (const t of tallies) {
    errors += t.observed - t.p50;
    observedTotal += t.observed;
    p50Total += t.p50;
    loss +=
      (quantileLoss(t.observed, t.p10, 0.1) +
        quantileLoss(t.observed, t.p50, 0.5) +
        quantileLoss(t.observed, t.p90, 0.9)) /
      3;
  }
  return {
    outcomes: n,
    inside: inside.map((t) => t.planId),
    below: below.map((t) => t.planId),
    above: above.map((t) => t.planId),
    coverage: inside.length / n,
    p50Bias: errors / n,
    p50RelativeBias: p50Total === 0 ? null : (observedTotal - p50Total) / p50Total,
    pinballLoss: loss / n,
  };
}

/** True when two figures agree to within floating-point noise. */
export function close(a: number | null | undefined, b: number | null | undefined): boolean {
  if (a === null || b === null || a === undefined || b === undefined) return a === b;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}
