import {
  type CurrencyCode,
  currencyExponent,
  isCurrencyCode,
  type Money,
  moneyFromDecimalString,
} from '@handoff/protocol';
import { ROUNDINGS, type Rounding, roundMinor } from './rounding.js';

/** Options of {@link money}. */
export interface MoneyOptions {
  /**
   * How to round an amount with more fraction digits than the currency has (see {@link Rounding}). Without it such
   * an amount throws: money is never rounded silently.
   */
  rounding?: Rounding;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Money from a decimal amount in major units, exactly (no floating point): `money("19.99", "USD")` is
 * `{ amountMinor: 1999, currency: "USD" }`, `money("1500", "JPY")` is `{ amountMinor: 1500, currency: "JPY" }`,
 * `money("1.5", "BHD")` is `{ amountMinor: 1500, currency: "BHD" }` (BHD has three minor digits).
 *
 * The amount is a string on purpose: `19.99` as a JavaScript number is already inexact, and a model, a form or an
 * ad platform's export gives text anyway. Fewer fraction digits than the currency's exponent are padded (`"19.9"`
 * USD is 1990). More are rounded only when asked: `money("522.1114", "USD", { rounding: "half_even" })` is 52211
 * minor units (`floor` 52211, `ceil` 52212).
 *
 * @param major - a non-negative plain decimal: digits, optionally `.` and more digits. No sign, no exponent, no
 *   thousands separators, no spaces.
 * @param currency - an ISO 4217 code with a defined minor unit (`CURRENCY_EXPONENTS` of `@handoff/protocol`: USD
 *   and EUR 2, JPY 0, BHD 3, CLF 4; https://www.iso.org/iso-4217-currency-codes.html).
 * @param options - `rounding` for amounts finer than a minor unit.
 * @throws RangeError for a malformed or negative amount, for more fraction digits than the currency allows without
 *   `options.rounding` (the message names the digits and the roundings), for an amount above 2^53 - 1 minor units
 *   (after rounding), for a currency outside `CURRENCY_CODES` and for an unknown rounding; TypeError when `major` is
 *   not a string (a number would already have lost precision).
 */
export function money(major: string, currency: CurrencyCode, options: MoneyOptions = {}): Money {
  if (typeof major !== 'string') {
    throw new TypeError('money() takes the amount as a decimal string, e.g. "19.99"');
  }
  if (!isCurrencyCode(currency)) {
    throw new RangeError(`Not an ISO 4217 code with a minor unit: ${JSON.stringify(currency)}`);
  }
  const { rounding } = options;
  if (rounding !== undefined && !ROUNDINGS.includes(rounding)) {
    throw new RangeError(
      `Unknown rounding ${JSON.stringify(rounding)}; use one of ${ROUNDINGS.join(', ')}`,
    );
  }
  const match = DECIMAL.exec(major);
  const exponent = currencyExponent(currency);
  const fraction = match?.[2] ?? '';
  if (!match || fraction.length <= exponent) return moneyFromDecimalString(major, currency);
  if (rounding === undefined) {
    throw new RangeError(
      `${JSON.stringify(major)} has ${fraction.length} fraction digits; ${currency} has ${exponent} minor digits (ISO 4217). Pass { rounding: 'half_even' | 'floor' | 'ceil' } to round it, or give at most ${exponent}`,
    );
  }
  const kept = BigInt(`${match[1]}${fraction.slice(0, exponent)}`);
  const minor = roundMinor(kept, fraction.slice(exponent), rounding);
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`Amount exceeds the safe integer range: ${major} ${currency}`);
  }
  return { amountMinor: Number(minor), currency };
}

export { moneyToDecimalString } from '@handoff/protocol';
