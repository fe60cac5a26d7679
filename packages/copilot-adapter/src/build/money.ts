import {
  type CurrencyCode,
  isCurrencyCode,
  type Money,
  moneyFromDecimalString,
} from '@handoff/protocol';

/**
 * Money from a decimal amount in major units, exactly (no floating point): `money("19.99", "USD")` is
 * `{ amountMinor: 1999, currency: "USD" }`, `money("1500", "JPY")` is `{ amountMinor: 1500, currency: "JPY" }`,
 * `money("1.5", "BHD")` is `{ amountMinor: 1500, currency: "BHD" }` (BHD has three minor digits).
 *
 * The amount is a string on purpose: `19.99` as a JavaScript number is already inexact, and a model or a form gives
 * text anyway. Fewer fraction digits than the currency's exponent are padded (`"19.9"` USD is 1990).
 *
 * @param major - a non-negative plain decimal: digits, optionally `.` and at most the currency's exponent of digits
 *   (ISO 4217: USD/EUR 2, JPY 0, BHD 3, CLF 4). No sign, no exponent, no thousands separators, no spaces.
 * @param currency - an ISO 4217 code with a defined minor unit (`CURRENCY_EXPONENTS` of `@handoff/protocol`).
 * @throws RangeError (from `moneyFromDecimalString`) for a malformed or negative amount, more fraction digits than
 *   the currency allows (`"19.999"` USD), or an amount above 2^53 - 1 minor units, and for a currency outside
 *   `CURRENCY_CODES`; TypeError when `major` is not a string (a number would already have lost precision).
 */
export function money(major: string, currency: CurrencyCode): Money {
  if (typeof major !== 'string') {
    throw new TypeError('money() takes the amount as a decimal string, e.g. "19.99"');
  }
  if (!isCurrencyCode(currency)) {
    throw new RangeError(`Not an ISO 4217 code with a minor unit: ${JSON.stringify(currency)}`);
  }
  return moneyFromDecimalString(major, currency);
}

export { moneyToDecimalString } from '@handoff/protocol';
