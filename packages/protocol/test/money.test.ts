import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  CURRENCY_CODES,
  CURRENCY_EXPONENTS,
  type CurrencyCode,
  currencyExponent,
  type HandoffPlan,
  isCurrencyCode,
  MoneySchema,
  money,
  moneyFromDecimalString,
  moneyToDecimalString,
  safeParseDocument,
  sumMinor,
} from '../src/index.js';

const base: HandoffPlan = JSON.parse(
  readFileSync(
    new URL('../conformance/v1/HandoffPlan/valid/term-deposit-two-options.json', import.meta.url),
    'utf8',
  ),
);

describe('currency table', () => {
  test.each([
    ['JPY', 0],
    ['KRW', 0],
    ['USD', 2],
    ['EUR', 2],
    ['BHD', 3],
    ['KWD', 3],
    ['CLF', 4],
  ] as const)('%s has exponent %i', (code, exponent) => {
    expect(isCurrencyCode(code)).toBe(true);
    expect(currencyExponent(code)).toBe(exponent);
    expect(CURRENCY_EXPONENTS[code]).toBe(exponent);
  });

  test.each([
    'HRK', // withdrawn 2023 (Croatia adopted the euro)
    'SLL', // withdrawn 2024 (replaced by SLE)
    'XAU', // gold: no minor unit
    'XTS', // testing code
    'usd', // codes are upper case
    'US',
    '',
    'toString', // an Object.prototype member, not a code
    '__proto__',
  ])('%j is not a currency code', (code) => {
    expect(isCurrencyCode(code)).toBe(false);
    expect(CURRENCY_CODES).not.toContain(code);
    expect(MoneySchema.safeParse({ amountMinor: 1, currency: code }).success).toBe(false);
  });

  test('isCurrencyCode rejects non-strings', () => {
    for (const value of [null, undefined, 840, ['USD'], { USD: 2 }]) {
      expect(isCurrencyCode(value)).toBe(false);
    }
  });

  test('CURRENCY_CODES is sorted, unique, about 150 codes, and matches the exponent table', () => {
    expect([...CURRENCY_CODES].sort()).toEqual(CURRENCY_CODES);
    expect(new Set(CURRENCY_CODES).size).toBe(CURRENCY_CODES.length);
    expect(CURRENCY_CODES.length).toBeGreaterThanOrEqual(140);
    expect(CURRENCY_CODES.length).toBeLessThanOrEqual(180);
    expect(Object.keys(CURRENCY_EXPONENTS).sort()).toEqual(CURRENCY_CODES);
    for (const code of CURRENCY_CODES) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3, 4]).toContain(currencyExponent(code));
    }
  });

  test('the exponent table is frozen', () => {
    expect(Object.isFrozen(CURRENCY_EXPONENTS)).toBe(true);
  });
});

describe('money()', () => {
  test('builds a Money value', () => {
    expect(money(1999, 'USD')).toEqual({ amountMinor: 1999, currency: 'USD' });
    expect(money(0, 'JPY')).toEqual({ amountMinor: 0, currency: 'JPY' });
    expect(money(Number.MAX_SAFE_INTEGER, 'EUR').amountMinor).toBe(Number.MAX_SAFE_INTEGER);
  });

  test.each([-1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY])('rejects %d', (amount) => {
    expect(() => money(amount, 'USD')).toThrow(RangeError);
  });
});

describe('moneyToDecimalString', () => {
  test.each([
    [1999, 'USD', '19.99'],
    [5, 'USD', '0.05'],
    [0, 'EUR', '0.00'],
    [100, 'EUR', '1.00'],
    [1500, 'JPY', '1500'],
    [0, 'JPY', '0'],
    [1500, 'BHD', '1.500'],
    [1, 'KWD', '0.001'],
    [1, 'CLF', '0.0001'],
    [123456789, 'CLF', '12345.6789'],
    [Number.MAX_SAFE_INTEGER, 'USD', '90071992547409.91'],
  ] as const)('%i %s -> %s', (amountMinor, currency, text) => {
    expect(moneyToDecimalString({ amountMinor, currency })).toBe(text);
  });
});

describe('moneyFromDecimalString', () => {
  test.each([
    ['19.99', 'USD', 1999],
    ['19.9', 'USD', 1990],
    ['19', 'USD', 1900],
    ['0.05', 'USD', 5],
    ['007.10', 'EUR', 710],
    ['1500', 'JPY', 1500],
    ['1.5', 'BHD', 1500],
    ['0.0001', 'CLF', 1],
    ['90071992547409.91', 'USD', Number.MAX_SAFE_INTEGER],
    ['9007199254740991', 'JPY', Number.MAX_SAFE_INTEGER],
  ] as const)('%j %s -> %i minor units', (text, currency, amountMinor) => {
    expect(moneyFromDecimalString(text, currency)).toEqual({ amountMinor, currency });
  });

  test('round-trips with moneyToDecimalString for many amounts and currencies', () => {
    const currencies: CurrencyCode[] = ['JPY', 'USD', 'EUR', 'BHD', 'CLF', 'KRW', 'KWD'];
    const amounts = [0, 1, 5, 9, 10, 99, 100, 101, 999, 1000, 1999, 123456, 10 ** 12 + 7];
    amounts.push(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1);
    for (let i = 0; i < 200; i++) amounts.push((i * 7_919 * 104_729) % 1e10);
    for (const currency of currencies) {
      for (const amountMinor of amounts) {
        const value = money(amountMinor, currency);
        const text = moneyToDecimalString(value);
        expect(moneyFromDecimalString(text, currency), `${text} ${currency}`).toEqual(value);
      }
    }
  });

  test.each([
    ['1.234', 'USD'], // more fraction digits than USD has
    ['1.5', 'JPY'], // JPY has none
    ['0.00001', 'CLF'],
    ['-1', 'USD'],
    ['1e3', 'USD'],
    ['', 'USD'],
    [' 1', 'USD'],
    ['1 ', 'USD'],
    ['1.', 'USD'],
    ['.5', 'USD'],
    ['+1', 'USD'],
    ['1,50', 'EUR'],
    ['0x10', 'USD'],
    ['١٢', 'USD'], // Arabic-Indic digits
    ['Infinity', 'USD'],
    ['90071992547409.92', 'USD'], // 2^53 minor units
    ['9007199254740992', 'JPY'],
    ['99999999999999999999', 'JPY'],
  ] as const)('rejects %j %s with RangeError', (text, currency) => {
    expect(() => moneyFromDecimalString(text, currency)).toThrow(RangeError);
  });
});

describe('sumMinor', () => {
  test('adds exactly as bigint', () => {
    expect(sumMinor([])).toBe(0n);
    expect(sumMinor([1999, 1, 0])).toBe(2000n);
    expect(sumMinor(new Set([5, 10]))).toBe(15n);
  });

  test('stays exact past 2^53, where number addition rounds', () => {
    const amounts = [Number.MAX_SAFE_INTEGER, 1, 1];
    expect(amounts.reduce((a, b) => a + b, 0)).toBe(2 ** 53); // the float sum loses the last 1
    expect(sumMinor(amounts)).toBe(2n ** 53n + 1n);
    expect(sumMinor([Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 3])).toBe(2n ** 54n + 1n);
  });

  test('throws for a fractional amount instead of rounding it', () => {
    expect(() => sumMinor([1, 0.5])).toThrow(RangeError);
  });
});

describe('MoneySchema', () => {
  test('accepts non-negative safe integers in a known currency', () => {
    for (const amountMinor of [0, 1, 1999, Number.MAX_SAFE_INTEGER]) {
      expect(MoneySchema.safeParse({ amountMinor, currency: 'USD' }).success).toBe(true);
    }
  });

  test.each([
    ['a float', { amountMinor: 19.99, currency: 'USD' }],
    ['a negative amount', { amountMinor: -1, currency: 'USD' }],
    ['an unsafe integer', { amountMinor: 2 ** 53, currency: 'USD' }],
    ['a string amount', { amountMinor: '1999', currency: 'USD' }],
    ['a bigint amount', { amountMinor: 1999n, currency: 'USD' }],
    ['an unknown currency', { amountMinor: 1, currency: 'XAU' }],
    ['a lower-case currency', { amountMinor: 1, currency: 'usd' }],
    ['a missing currency', { amountMinor: 1 }],
    ['an extra member', { amountMinor: 1, currency: 'USD', exponent: 2 }],
  ])('rejects %s', (_label, value) => {
    expect(MoneySchema.safeParse(value).success).toBe(false);
  });
});

describe('money issue codes in a plan', () => {
  /** A deep copy of the fixture typed so its first action's cost can be edited or deleted freely. */
  function editable() {
    return structuredClone(base) as unknown as {
      options: [{ actions: [{ estimatedCost: Record<string, unknown> }] }];
    };
  }

  function issuesAfter(pointer: string, value: unknown) {
    const plan: Record<string, unknown> = structuredClone(base);
    const keys = pointer.split('/').slice(1);
    const last = keys.pop() as string;
    let node = plan;
    for (const key of keys) node = node[key] as Record<string, unknown>;
    node[last] = value;
    const result = safeParseDocument('HandoffPlan', plan);
    if (result.success) throw new Error(`expected ${pointer} = ${String(value)} to fail`);
    return result.error.issues.map(({ code, path }) => ({ code, path }));
  }

  test('MONEY_NEGATIVE', () => {
    const path = '/options/1/actions/0/estimatedCost/amountMinor';
    expect(issuesAfter(path, -1)).toEqual([{ code: 'MONEY_NEGATIVE', path }]);
  });

  test('MONEY_UNSAFE_INTEGER', () => {
    const path = '/options/0/budget/amount/amountMinor';
    expect(issuesAfter(path, 2 ** 53)).toEqual([{ code: 'MONEY_UNSAFE_INTEGER', path }]);
  });

  test('UNKNOWN_CURRENCY for a withdrawn and a non-monetary code', () => {
    const path = '/options/0/actions/0/estimatedCost/currency';
    expect(issuesAfter(path, 'HRK')).toEqual([{ code: 'UNKNOWN_CURRENCY', path }]);
    expect(issuesAfter(path, 'XAU')).toEqual([{ code: 'UNKNOWN_CURRENCY', path }]);
  });

  test('MONEY_NOT_INTEGER for a float amount', () => {
    const path = '/options/0/actions/0/estimatedCost/amountMinor';
    expect(issuesAfter(path, 645.5)).toEqual([{ code: 'MONEY_NOT_INTEGER', path }]);
    expect(issuesAfter('/options/0/budget/amount/amountMinor', 0.1)).toEqual([
      { code: 'MONEY_NOT_INTEGER', path: '/options/0/budget/amount/amountMinor' },
    ]);
  });

  test('MONEY_NOT_INTEGER carries the minor-units message', () => {
    const plan = editable();
    plan.options[0].actions[0].estimatedCost.amountMinor = 19.99;
    const result = safeParseDocument('HandoffPlan', plan);
    expect(!result.success && result.error.issues[0]?.message).toMatch(/minor units/);
  });

  test.each([
    ['a string', '64500'],
    ['null', null],
    ['a boolean', true],
    ['an object', { value: 64500 }],
  ])('INVALID_TYPE for %s as the amount', (_label, value) => {
    const path = '/options/0/actions/0/estimatedCost/amountMinor';
    expect(issuesAfter(path, value)).toEqual([{ code: 'INVALID_TYPE', path }]);
  });

  test('REQUIRED for a missing amount (and for one set to undefined)', () => {
    const path = '/options/0/actions/0/estimatedCost/amountMinor';
    expect(issuesAfter(path, undefined)).toEqual([{ code: 'REQUIRED', path }]);
    const plan = editable();
    delete plan.options[0].actions[0].estimatedCost.amountMinor;
    const result = safeParseDocument('HandoffPlan', plan);
    expect(
      !result.success && result.error.issues.map(({ code, path }) => ({ code, path })),
    ).toEqual([{ code: 'REQUIRED', path }]);
  });

  test('REQUIRED for a missing currency; UNKNOWN_CURRENCY for a numeric ISO code or null', () => {
    const path = '/options/0/actions/0/estimatedCost/currency';
    expect(issuesAfter(path, undefined)).toEqual([{ code: 'REQUIRED', path }]);
    expect(issuesAfter(path, 978)).toEqual([{ code: 'UNKNOWN_CURRENCY', path }]); // 978 is EUR's number
    expect(issuesAfter(path, null)).toEqual([{ code: 'UNKNOWN_CURRENCY', path }]);
  });

  test('NOT_INTEGER (not MONEY_NOT_INTEGER) for a float in an integer field that is not money', () => {
    const path = '/options/0/audience/estimatedSize';
    expect(issuesAfter(path, 129.5)).toEqual([{ code: 'NOT_INTEGER', path }]);
  });

  test('a money defect hides the cross-field budget rule: only the field-level issue is reported', () => {
    const path = '/options/0/actions/0/estimatedCost/amountMinor';
    // An integer cost far above the 64,500 budget breaks the cross-field rule...
    expect(issuesAfter(path, 1e12)).toEqual([
      { code: 'ACTIONS_EXCEED_BUDGET', path: '/options/0/budget/amount/amountMinor' },
    ]);
    // ...but the same cost with a fraction is reported only as the field-level defect.
    expect(issuesAfter(path, 1e12 + 0.5)).toEqual([{ code: 'MONEY_NOT_INTEGER', path }]);
  });
});
