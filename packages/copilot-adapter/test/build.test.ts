import {
  CURRENCY_CODES,
  type CurrencyCode,
  currencyExponent,
  moneyToDecimalString,
  PlanIdSchema,
  TimestampSchema,
} from '@handoff/protocol';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  citation,
  datasetReference,
  money,
  namedClient,
  planId,
  planIdTime,
  planTimestamps,
  quantifiedOutcome,
  timestamp,
  validatePlan,
} from '../src/index.js';
import { singleOptionCardPlan } from './support/fixtures.js';

const fixedClock = (iso: string) => ({ now: () => Date.parse(iso) });

describe('money(major, currency)', () => {
  test('is exact in minor units, per ISO 4217 exponent', () => {
    expect(money('19.99', 'USD')).toEqual({ amountMinor: 1999, currency: 'USD' });
    expect(money('645', 'EUR')).toEqual({ amountMinor: 64500, currency: 'EUR' });
    expect(money('0.1', 'EUR')).toEqual({ amountMinor: 10, currency: 'EUR' });
    expect(money('1500', 'JPY')).toEqual({ amountMinor: 1500, currency: 'JPY' });
    expect(money('1.5', 'BHD')).toEqual({ amountMinor: 1500, currency: 'BHD' });
    expect(money('0.0001', 'CLF')).toEqual({ amountMinor: 1, currency: 'CLF' });
    // The largest safe amount: as a decimal string nothing is lost (90071992547409.91 as a number would be).
    expect(money('90071992547409.91', 'USD').amountMinor).toBe(9_007_199_254_740_991);
  });

  test('refuses what is not exact, non-negative, safe money', () => {
    expect(() => money('19.999', 'USD')).toThrow(RangeError);
    expect(() => money('1.5', 'JPY')).toThrow(RangeError);
    expect(() => money('-1', 'EUR')).toThrow(RangeError);
    expect(() => money('1e3', 'EUR')).toThrow(RangeError);
    expect(() => money('1,000.00', 'EUR')).toThrow(RangeError);
    expect(() => money(' 10', 'EUR')).toThrow(RangeError);
    expect(() => money('90071992547409.92', 'USD')).toThrow(RangeError);
    expect(() => money('1', 'XAU' as CurrencyCode)).toThrow(RangeError);
    expect(() => money(19.99 as unknown as string, 'USD')).toThrow(TypeError);
  });

  test('round-trips with moneyToDecimalString for every currency', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CURRENCY_CODES),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        (currency, amountMinor) => {
          const decimal = moneyToDecimalString({ amountMinor, currency });
          expect(money(decimal, currency)).toEqual({ amountMinor, currency });
          expect(decimal.split('.')[1]?.length ?? 0).toBe(currencyExponent(currency));
        },
      ),
    );
  });
});

describe('planId()', () => {
  test('lays out a UUID v7 as RFC 9562 section 5.7 says', () => {
    const id = planId({
      clock: fixedClock('2026-11-21T08:55:12.345Z'),
      randomBytes: (n) => new Uint8Array(n).fill(0xff),
    });
    // unix_ts_ms = 0x01a1fd5116d9; ver 7 with rand_a 0xfff; var 0b10 with rand_b all ones.
    expect(id).toBe('01a1fd51-16d9-7fff-bfff-ffffffffffff');
    const zeros = planId({ clock: { now: () => 0 }, randomBytes: (n) => new Uint8Array(n) });
    expect(zeros).toBe('00000000-0000-7000-8000-000000000000');
  });

  test('is accepted by the contract, carries its time and sorts by it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 2 }), (ms) => {
        const a = planId({ clock: { now: () => ms } });
        const b = planId({ clock: { now: () => ms + 1 } });
        expect(PlanIdSchema.safeParse(a).success).toBe(true);
        expect(planIdTime(a)).toBe(ms);
        expect(a < b).toBe(true);
      }),
    );
  });

  test('draws fresh randomness each time', () => {
    const clock = fixedClock('2026-11-21T09:00:00Z');
    const ids = new Set(Array.from({ length: 1000 }, () => planId({ clock })));
    expect(ids.size).toBe(1000);
  });

  test('refuses a clock outside the 48-bit range and short randomness', () => {
    expect(() => planId({ clock: { now: () => -1 } })).toThrow(RangeError);
    expect(() => planId({ clock: { now: () => 2 ** 48 } })).toThrow(RangeError);
    expect(() => planId({ clock: { now: () => 1.5 } })).toThrow(RangeError);
    expect(() => planId({ randomBytes: () => new Uint8Array(9) })).toThrow(RangeError);
    expect(planIdTime('9b2c1e7a-3f1d-4c2b-8a9e-1f2d3c4b5a69')).toBeUndefined();
  });
});

describe('timestamps', () => {
  test('are RFC 3339 UTC with a Z, milliseconds only when present', () => {
    expect(timestamp(Date.parse('2026-11-21T09:30:00Z'))).toBe('2026-11-21T09:30:00Z');
    expect(timestamp(Date.parse('2026-11-21T09:30:00.250Z'))).toBe('2026-11-21T09:30:00.250Z');
    expect(timestamp(0)).toBe('1970-01-01T00:00:00Z');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), (ms) => {
        const text = timestamp(ms);
        expect(TimestampSchema.safeParse(text).success).toBe(true);
        expect(Date.parse(text)).toBe(ms);
      }),
    );
  });

  test('refuse what RFC 3339 cannot write', () => {
    expect(() => timestamp(-1)).toThrow(RangeError);
    expect(() => timestamp(253_402_300_800_000)).toThrow(RangeError);
    expect(() => timestamp(Number.NaN)).toThrow(RangeError);
  });

  test('planTimestamps gives createdAt from the clock and expiresAt ttl later', () => {
    const clock = fixedClock('2026-11-21T08:55:12Z');
    expect(planTimestamps({ clock, ttlMs: 7 * 86_400_000 })).toEqual({
      createdAt: '2026-11-21T08:55:12Z',
      expiresAt: '2026-11-28T08:55:12Z',
    });
    expect(() => planTimestamps({ clock, ttlMs: 0 })).toThrow(RangeError);
  });
});

describe('evidence builders', () => {
  test('return contract evidence without undefined members', () => {
    const items = [
      namedClient({ clientName: 'Globex Retail', permissionToName: true, note: undefined }),
      quantifiedOutcome({
        metric: 'reactivation rate',
        value: 7.4,
        unit: 'percent',
        baseline: 2.5,
      }),
      citation({
        title: 'Push benchmarks',
        url: 'https://example.org/push',
        accessedAt: undefined,
      }),
      datasetReference({
        inputId: 'dormant-cards-2026-11',
        finding: '4,210 of 18,402 opened an email',
      }),
    ];
    expect(items.map((e) => e.type)).toEqual([
      'named_client',
      'quantified_outcome',
      'citation',
      'dataset_reference',
    ]);
    for (const item of items) {
      expect(Object.values(item)).not.toContain(undefined);
    }
    expect(Object.keys(items[0] ?? {})).toEqual(['type', 'clientName', 'permissionToName']);
  });

  test('build a plan that validates, and their mistakes are found by validatePlan', () => {
    const plan = singleOptionCardPlan();
    const option = plan.options[0];
    if (!option) throw new Error('fixture');
    option.evidence = [
      datasetReference({ inputId: 'dormant-cards-2026-11', finding: '4,210 opened an email' }),
      citation({ title: 'Benchmarks', url: 'https://example.org/push' }),
    ];
    expect(validatePlan(plan).ok).toBe(true);
    option.evidence = [datasetReference({ inputId: 'no-such-input', finding: 'x' })];
    const result = validatePlan(plan);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues.map((i) => i.code)).toEqual(['UNKNOWN_INPUT_REFERENCE']);
  });
});
