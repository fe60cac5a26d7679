/**
 * How a decimal amount with more fraction digits than its currency has is brought to whole minor units:
 * - `half_even`: to the nearest minor unit, a tie (exactly half) to the even one (banker's rounding, IEEE 754's
 *   default and the usual choice for money: ties do not drift up over many amounts);
 * - `floor`: down (toward zero: amounts are never negative);
 * - `ceil`: up.
 */
export type Rounding = 'half_even' | 'floor' | 'ceil';

/** Every {@link Rounding}. */
export const ROUNDINGS: readonly Rounding[] = ['half_even', 'floor', 'ceil'];

/**
 * Rounds `kept` (whole minor units) given the `dropped` fraction digits beyond the currency's exponent, exactly.
 *
 * @param kept - the amount in minor units with the extra digits cut off (non-negative).
 * @param dropped - the cut digits, e.g. `"14"` of `522.1114` USD (kept 52211); may be empty.
 */
export function roundMinor(kept: bigint, dropped: string, rounding: Rounding): bigint {
  const rest = dropped === '' ? 0n : BigInt(dropped);
  if (rest === 0n) return kept;
  switch (rounding) {
    case 'floor':
      return kept;
    case 'ceil':
      return kept + 1n;
    case 'half_even': {
      const half = 5n * 10n ** BigInt(dropped.length - 1);
      if (rest > half) return kept + 1n;
      if (rest < half) return kept;
      return kept % 2n === 0n ? kept : kept + 1n;
    }
  }
}
