import { z } from 'zod';
import { CURRENCY_CODES, type CurrencyCode, currencyExponent } from './currency.js';

/** ISO 4217 alphabetic currency code with a defined minor unit (see `CURRENCY_EXPONENTS`). */
export const CurrencyCodeSchema = z
  .enum(CURRENCY_CODES as [CurrencyCode, ...CurrencyCode[]])
  .meta({ id: 'CurrencyCode', description: 'ISO 4217 alphabetic code with a defined minor unit.' });

/**
 * An amount of money: a non-negative integer number of minor units (cents for USD, yen for JPY, fils for BHD)
 * plus its ISO 4217 currency. Floats, negatives, unsafe integers (> 2^53 - 1) and unknown currencies are
 * rejected with `MONEY_NOT_INTEGER`, `MONEY_NEGATIVE`, `MONEY_UNSAFE_INTEGER` and `UNKNOWN_CURRENCY`.
 */
export const MoneySchema = z
  .strictObject({
    amountMinor: z
      .int()
      .min(0)
      .meta({ description: 'Integer amount in minor units of the currency.' }),
    currency: CurrencyCodeSchema,
  })
  .meta({ id: 'Money', description: 'Money in integer minor units with an ISO 4217 currency.' });

/** Money in integer minor units, e.g. `{ amountMinor: 1999, currency: 'USD' }` is $19.99. */
export type Money = z.infer<typeof MoneySchema>;

/** Builds a {@link Money}; throws `RangeError` for a negative, fractional or unsafe amount. */
export function money(amountMinor: number, currency: CurrencyCode): Money {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) {
    throw new RangeError(`amountMinor must be a non-negative safe integer, got ${amountMinor}`);
  }
  return { amountMinor, currency };
}

/**
 * Renders money as a decimal string in major units with exactly the currency's exponent of digits:
 * `{ amountMinor: 1999, currency: 'USD' }` -> `"19.99"`, JPY 1500 -> `"1500"`, BHD 1500 -> `"1.500"`.
 */
export function moneyToDecimalString(value: Money): string {
  const exponent = currencyExponent(value.currency);
  const digits = String(value.amountMinor).padStart(exponent + 1, '0');
  if (exponent === 0) return digits;
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/**
 * Parses a decimal string in major units into money without floating point: `("19.99", "USD")` -> 1999 minor units.
 * Throws `RangeError` when the string has more fraction digits than the currency allows, is negative, is not a
 * plain decimal, or exceeds the safe integer range.
 */
export function moneyFromDecimalString(decimal: string, currency: CurrencyCode): Money {
  const exponent = currencyExponent(currency);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (!match) throw new RangeError(`Not a non-negative decimal amount: ${JSON.stringify(decimal)}`);
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) {
    throw new RangeError(`${currency} has ${exponent} minor digits; got ${fraction.length}`);
  }
  const minor =
    BigInt(whole) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`Amount exceeds the safe integer range: ${decimal} ${currency}`);
  }
  return { amountMinor: Number(minor), currency };
}

/**
 * Adds minor-unit amounts exactly (as bigint, so a sum past 2^53 is never rounded). Callers compare the result
 * with a limit before converting back to a number.
 */
export function sumMinor(amounts: Iterable<number>): bigint {
  let total = 0n;
  for (const amount of amounts) total += BigInt(amount);
  return total;
}
