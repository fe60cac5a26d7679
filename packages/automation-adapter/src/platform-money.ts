import {
  type CurrencyCode,
  currencyExponent,
  type Money,
  moneyToDecimalString,
} from '@handoff/protocol';

/**
 * The money formats platforms use, and the one place where money leaves the contract's minor units:
 * - `minor`: integer minor units (as the contract);
 * - `micros`: millionths of the major unit (Google Ads `amount_micros`:
 *   https://developers.google.com/google-ads/api/docs/concepts/money), exact for exponents <= 6;
 * - `meta_offset`: Meta Marketing API amounts in the currency's "offset" (100 for most currencies, 1 for currencies
 *   without cents such as JPY and KRW: https://developers.facebook.com/docs/marketing-api/currencies);
 * - `decimal`: a decimal string in major units ("19.99"), as Braze or webhook receivers expect.
 */
export type PlatformMoneyFormat = 'minor' | 'micros' | 'meta_offset' | 'decimal';

/** Currencies Meta's Marketing API lists with offset 1 (no minor unit in its API). */
export const META_OFFSET_ONE_CURRENCIES: readonly string[] = [
  'CLP',
  'COP',
  'CRC',
  'HUF',
  'ISK',
  'IDR',
  'JPY',
  'KRW',
  'PYG',
  'TWD',
  'VND',
];
const META_OFFSET_ONE: ReadonlySet<string> = new Set(META_OFFSET_ONE_CURRENCIES);

/** Meta's offset of a currency: 1 for the currencies above, otherwise 100. */
export function metaOffset(currency: CurrencyCode): 1 | 100 {
  return META_OFFSET_ONE.has(currency) ? 1 : 100;
}

/**
 * Converts money to a platform's format, exactly (bigint arithmetic).
 * @throws RangeError when the result would lose precision (e.g. a fraction of Meta's unit) or exceed 2^53 - 1.
 */
export function toPlatformAmount(value: Money, format: PlatformMoneyFormat): number | string {
  const exponent = currencyExponent(value.currency);
  const minor = BigInt(value.amountMinor);
  switch (format) {
    case 'minor':
      return value.amountMinor;
    case 'decimal':
      return moneyToDecimalString(value);
    case 'micros':
      return safe(minor * 10n ** BigInt(6 - exponent), value);
    case 'meta_offset': {
      const offset = BigInt(metaOffset(value.currency));
      const scale = 10n ** BigInt(exponent);
      const scaled = minor * offset;
      if (scaled % scale !== 0n) {
        throw new RangeError(
          `${value.amountMinor} minor units of ${value.currency} are not a whole Meta amount`,
        );
      }
      return safe(scaled / scale, value);
    }
  }
}

/** Converts a platform amount back to money in minor units, exactly. @throws RangeError on a fractional result. */
export function fromPlatformAmount(
  amount: number | string,
  currency: CurrencyCode,
  format: PlatformMoneyFormat,
): Money {
  const exponent = currencyExponent(currency);
  let minor: bigint;
  switch (format) {
    case 'minor':
      minor = BigInt(amount);
      break;
    case 'decimal': {
      const [whole = '0', fraction = ''] = String(amount).split('.');
      if (fraction.length > exponent)
        throw new RangeError(`${amount} has more than ${exponent} decimals`);
      minor =
        BigInt(whole) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
      break;
    }
    case 'micros': {
      const micros = BigInt(amount);
      const divisor = 10n ** BigInt(6 - exponent);
      if (micros % divisor !== 0n)
        throw new RangeError(`${amount} micros is not a whole minor unit of ${currency}`);
      minor = micros / divisor;
      break;
    }
    case 'meta_offset': {
      const offset = BigInt(metaOffset(currency));
      const scaled = BigInt(amount) * 10n ** BigInt(exponent);
      if (scaled % offset !== 0n)
        throw new RangeError(`${amount} is not a whole minor unit of ${currency}`);
      minor = scaled / offset;
      break;
    }
  }
  if (minor < 0n || minor > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`${amount} is out of range`);
  return { amountMinor: Number(minor), currency };
}

function safe(value: bigint, original: Money): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(
      `${original.amountMinor} ${original.currency} exceeds the platform's safe integer range`,
    );
  }
  return Number(value);
}
