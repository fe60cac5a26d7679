import type { Money } from '@handoff/protocol';

/** The largest raise, in percent, {@link moveWithinPercent} takes (the gateway's `maxIncreasePercent` bound). */
const MAX_INCREASE_PERCENT = 100_000;

/** A percentage as a whole number of basis points (1 bp = 0.01 %), or undefined when it has finer digits. */
function basisPoints(percent: number): bigint | undefined {
  const scaled = percent * 100;
  const whole = Math.round(scaled);
  return Math.abs(scaled - whole) < 1e-6 ? BigInt(whole) : undefined;
}

/**
 * The new budget after the largest move from `current` that stays within `percent` of it, in whole minor units:
 * what a copilot proposes so that a budget-change guardrail of that percentage lets the move through.
 *
 * Rounding "+20 % to the nearest cent" can cross a 20 % guardrail on a small budget: 8 cents + 20 % is 9.6 cents,
 * and 10 cents is +25 %. This rounds the move toward zero instead: `moveWithinPercent({ amountMinor: 8, currency:
 * "USD" }, 20)` is 9 cents (+12.5 %), never 10; `-20` on 40 cents is 32 cents. It is the gateway's own rule, in
 * integer arithmetic: a move of `size` minor units is within `percent` when `size * 10,000 <= basisPoints * current`
 * (`budget_change_guardrail`, `maxIncreasePercent` / `maxDecreasePercent`), so the size is
 * `floor(|basisPoints| * current / 10,000)`.
 *
 * A budget of zero cannot grow by any percentage (the guardrail refuses every increase from zero), so its move is
 * 0. The currency is kept; a platform's own granularity or minimum budget is the adapter's to check.
 *
 * @param current - the budget now, in integer minor units (non-negative, at most 2^53 - 1).
 * @param percent - the bound, signed: `20` for a raise of at most 20 %, `-15` for a cut of at most 15 %; at most
 *   two decimal places (whole basis points, as the guardrail's settings), from -100 to 100,000.
 * @returns the new budget (`newBudget` of a `set_campaign_budget` action), in `current.currency`.
 * @throws RangeError when `current.amountMinor` is not a non-negative safe integer, when `percent` is not finite,
 *   has more than two decimal places or is outside -100..100,000, or when the new budget would pass 2^53 - 1.
 */
export function moveWithinPercent(current: Money, percent: number): Money {
  const { amountMinor, currency } = current;
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) {
    throw new RangeError(
      `A budget is a non-negative safe integer of minor units; got ${amountMinor}`,
    );
  }
  const bp = Number.isFinite(percent) ? basisPoints(percent) : undefined;
  if (bp === undefined || percent < -100 || percent > MAX_INCREASE_PERCENT) {
    throw new RangeError(
      `The percentage is from -100 to ${MAX_INCREASE_PERCENT} with at most two decimal places; got ${percent}`,
    );
  }
  const base = BigInt(amountMinor);
  const size = ((bp < 0n ? -bp : bp) * base) / 10_000n;
  const next = bp < 0n ? base - size : base + size;
  if (next > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`The new budget exceeds 2^53 - 1 minor units: ${next} ${currency}`);
  }
  return { amountMinor: Number(next), currency };
}
