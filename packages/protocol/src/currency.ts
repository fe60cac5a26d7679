/**
 * ISO 4217 currency codes and their exponents (the number of minor-unit digits), from ISO 4217 "List One:
 * Currency, fund and precious metal codes" as published by the maintenance agency (SIX Group,
 * https://www.six-group.com/en/products-services/financial-information/data-standards.html), 2025 edition.
 *
 * Only codes with a defined minor unit are listed: precious metals, testing and SDR codes (XAU, XTS, XDR, ...)
 * carry no minor unit and cannot express money in minor units. Withdrawn codes (HRK, SLL, ZWL, ANG, ...) are
 * rejected.
 *
 * Adding a code is an additive change; changing an exponent would change the meaning of stored amounts and
 * needs a new protocol major version.
 */
const ZERO = [
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'ISK',
  'JPY',
  'KMF',
  'KRW',
  'PYG',
  'RWF',
  'UGX',
  'UYI',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
] as const;
const THREE = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'] as const;
const FOUR = ['CLF', 'UYW'] as const;
const TWO = [
  'AED',
  'AFN',
  'ALL',
  'AMD',
  'AOA',
  'ARS',
  'AUD',
  'AWG',
  'AZN',
  'BAM',
  'BBD',
  'BDT',
  'BGN',
  'BMD',
  'BND',
  'BOB',
  'BOV',
  'BRL',
  'BSD',
  'BTN',
  'BWP',
  'BYN',
  'BZD',
  'CAD',
  'CDF',
  'CHE',
  'CHF',
  'CHW',
  'CNY',
  'COP',
  'COU',
  'CRC',
  'CUP',
  'CVE',
  'CZK',
  'DKK',
  'DOP',
  'DZD',
  'EGP',
  'ERN',
  'ETB',
  'EUR',
  'FJD',
  'FKP',
  'GBP',
  'GEL',
  'GHS',
  'GIP',
  'GMD',
  'GTQ',
  'GYD',
  'HKD',
  'HNL',
  'HTG',
  'HUF',
  'IDR',
  'ILS',
  'INR',
  'IRR',
  'JMD',
  'KES',
  'KGS',
  'KHR',
  'KPW',
  'KYD',
  'KZT',
  'LAK',
  'LBP',
  'LKR',
  'LRD',
  'LSL',
  'MAD',
  'MDL',
  'MGA',
  'MKD',
  'MMK',
  'MNT',
  'MOP',
  'MRU',
  'MUR',
  'MVR',
  'MWK',
  'MXN',
  'MXV',
  'MYR',
  'MZN',
  'NAD',
  'NGN',
  'NIO',
  'NOK',
  'NPR',
  'NZD',
  'PAB',
  'PEN',
  'PGK',
  'PHP',
  'PKR',
  'PLN',
  'QAR',
  'RON',
  'RSD',
  'RUB',
  'SAR',
  'SBD',
  'SCR',
  'SDG',
  'SEK',
  'SGD',
  'SHP',
  'SLE',
  'SOS',
  'SRD',
  'SSP',
  'STN',
  'SVC',
  'SYP',
  'SZL',
  'THB',
  'TJS',
  'TMT',
  'TOP',
  'TRY',
  'TTD',
  'TWD',
  'TZS',
  'UAH',
  'USD',
  'USN',
  'UYU',
  'UZS',
  'VED',
  'VES',
  'WST',
  'XCD',
  'XCG',
  'YER',
  'ZAR',
  'ZMW',
  'ZWG',
] as const;

/** An ISO 4217 alphabetic code with a defined minor unit. */
export type CurrencyCode =
  | (typeof ZERO)[number]
  | (typeof TWO)[number]
  | (typeof THREE)[number]
  | (typeof FOUR)[number];

/** Every supported currency code, sorted. */
export const CURRENCY_CODES: readonly CurrencyCode[] = [...ZERO, ...TWO, ...THREE, ...FOUR].sort();

function table(): Readonly<Record<CurrencyCode, 0 | 2 | 3 | 4>> {
  const out = {} as Record<CurrencyCode, 0 | 2 | 3 | 4>;
  for (const c of ZERO) out[c] = 0;
  for (const c of TWO) out[c] = 2;
  for (const c of THREE) out[c] = 3;
  for (const c of FOUR) out[c] = 4;
  return Object.freeze(out);
}

/**
 * Minor-unit exponent per currency: an amount of `n` minor units is `n / 10^exponent` major units
 * (JPY 0: 1500 = ¥1500; USD 2: 1500 = $15.00; BHD 3: 1500 = 1.500 BD).
 */
export const CURRENCY_EXPONENTS = table();

/** True when `code` is a supported ISO 4217 code. */
export function isCurrencyCode(code: unknown): code is CurrencyCode {
  return typeof code === 'string' && Object.hasOwn(CURRENCY_EXPONENTS, code);
}

/** The ISO 4217 exponent of `currency` (0, 2, 3 or 4). */
export function currencyExponent(currency: CurrencyCode): 0 | 2 | 3 | 4 {
  return CURRENCY_EXPONENTS[currency];
}
