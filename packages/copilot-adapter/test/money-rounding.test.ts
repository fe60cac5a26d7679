import { CURRENCY_CODES, type CurrencyCode, currencyExponent } from '@handoff/protocol';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { money, moveWithinPercent, ROUNDINGS, type Rounding } from '../src/index.js';

/** A decimal string of `minor` minor units of `currency` followed by `extra` further fraction digits. */
function decimalOf(minor: bigint, currency: CurrencyCode, extra: string): string {
  const exponent = currencyExponent(currency);
  const digits = minor.toString().padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? '' : digits.slice(-exponent);
  return `${whole}.${fraction}${extra}`;
}

const currencies = fc.constantFrom(...CURRENCY_CODES);
/** Kept minor units well inside the safe range, so a `ceil` of one more stays safe. */
const kept = fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) - 1n });
const extraDigits = fc.string({
  unit: fc.constantFrom(...'0123456789'),
  minLength: 1,
  maxLength: 12,
});

describe('money(major, currency, { rounding })', () => {
  test('the issue example: 522.1114 USD', () => {
    expect(money('522.1114', 'USD', { rounding: 'half_even' })).toEqual({
      amountMinor: 52211,
      currency: 'USD',
    });
    expect(money('522.1114', 'USD', { rounding: 'floor' }).amountMinor).toBe(52211);
    expect(money('522.1114', 'USD', { rounding: 'ceil' }).amountMinor).toBe(52212);
  });

  test('ties go to the even minor unit under half_even, per currency exponent', () => {
    expect(money('0.125', 'USD', { rounding: 'half_even' }).amountMinor).toBe(12);
    expect(money('0.135', 'USD', { rounding: 'half_even' }).amountMinor).toBe(14);
    expect(money('24.5', 'JPY', { rounding: 'half_even' }).amountMinor).toBe(24);
    expect(money('1.0005', 'BHD', { rounding: 'half_even' }).amountMinor).toBe(1000);
    expect(money('1.00051', 'BHD', { rounding: 'half_even' }).amountMinor).toBe(1001);
  });

  test('without rounding, excess digits still throw, naming the digits and the roundings', () => {
    expect(() => money('522.1114', 'USD')).toThrow(
      /"522\.1114" has 4 fraction digits; USD has 2 minor digits.*rounding: 'half_even' \| 'floor' \| 'ceil'/,
    );
    expect(() => money('24.50', 'JPY')).toThrow(RangeError);
    expect(() => money('1.5', 'USD', { rounding: 'up' as Rounding })).toThrow(/Unknown rounding/);
    expect(() => money('-1.234', 'USD', { rounding: 'floor' })).toThrow(RangeError);
    expect(() => money('90071992547409.915', 'USD', { rounding: 'ceil' })).toThrow(
      /safe integer range/,
    );
  });

  test('property: floor <= exact <= ceil, one minor unit apart at most, and exact amounts are unchanged', () => {
    fc.assert(
      fc.property(currencies, kept, extraDigits, (currency, minor, extra) => {
        const text = decimalOf(minor, currency, extra);
        const floor = BigInt(money(text, currency, { rounding: 'floor' }).amountMinor);
        const ceil = BigInt(money(text, currency, { rounding: 'ceil' }).amountMinor);
        const exact = /^0+$/.test(extra);
        expect(floor).toBe(minor);
        expect(ceil - floor).toBe(exact ? 0n : 1n);
        for (const rounding of ROUNDINGS) {
          const rounded = money(text, currency, { rounding });
          if (exact) expect(BigInt(rounded.amountMinor)).toBe(minor);
          expect(rounded.currency).toBe(currency);
        }
      }),
    );
  });

  test('property: half_even is the nearest minor unit, a tie going to the even one', () => {
    fc.assert(
      fc.property(currencies, kept, extraDigits, (currency, minor, extra) => {
        const text = decimalOf(minor, currency, extra);
        const rounded = BigInt(money(text, currency, { rounding: 'half_even' }).amountMinor);
        // In units of 10^-extra.length minor units: the exact amount and the rounded one.
        const scale = 10n ** BigInt(extra.length);
        const exact = minor * scale + BigInt(extra);
        const distance = rounded * scale - exact;
        const twice = 2n * (distance < 0n ? -distance : distance);
        expect(twice <= scale).toBe(true);
        if (twice === scale) expect(rounded % 2n).toBe(0n);
      }),
    );
  });
});

describe('moveWithinPercent(current, percent)', () => {
  test('the issue example: 8 cents + 20 % is 9 cents, never 10; cuts round toward no move too', () => {
    expect(moveWithinPercent({ amountMinor: 8, currency: 'USD' }, 20)).toEqual({
      amountMinor: 9,
      currency: 'USD',
    });
    expect(moveWithinPercent({ amountMinor: 40, currency: 'USD' }, -20).amountMinor).toBe(32);
    expect(moveWithinPercent({ amountMinor: 7, currency: 'USD' }, -10).amountMinor).toBe(7);
    expect(moveWithinPercent({ amountMinor: 0, currency: 'USD' }, 50).amountMinor).toBe(0);
    expect(moveWithinPercent({ amountMinor: 10_000, currency: 'EUR' }, 12.5).amountMinor).toBe(
      11_250,
    );
  });

  test('refuses a percentage the guardrail could not hold and a budget that is not minor units', () => {
    const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' as const });
    expect(() => moveWithinPercent(usd(100), 12.345)).toThrow(/two decimal places/);
    expect(() => moveWithinPercent(usd(100), -101)).toThrow(RangeError);
    expect(() => moveWithinPercent(usd(100), 100_001)).toThrow(RangeError);
    expect(() => moveWithinPercent(usd(100), Number.NaN)).toThrow(RangeError);
    expect(() => moveWithinPercent(usd(1.5), 10)).toThrow(/non-negative safe integer/);
    expect(() => moveWithinPercent(usd(-1), 10)).toThrow(RangeError);
    expect(() => moveWithinPercent(usd(Number.MAX_SAFE_INTEGER), 1)).toThrow(/2\^53 - 1/);
  });

  test('property: the move is within the bound (the guardrail rule) and one minor unit more is not', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000_000 }),
        fc.integer({ min: -10_000, max: 10_000_000 }),
        (current, bp) => {
          const percent = bp / 100;
          const next = moveWithinPercent({ amountMinor: current, currency: 'USD' }, percent);
          const size = BigInt(Math.abs(next.amountMinor - current));
          const limit = BigInt(Math.abs(bp)) * BigInt(current);
          // The gateway's budget_change_guardrail: a move exceeds the bound when size * 10,000 > bp * current.
          expect(size * 10_000n <= limit).toBe(true);
          expect((size + 1n) * 10_000n > limit).toBe(true);
          // The move goes the way the sign says, and a cut never goes below zero.
          if (bp > 0) expect(next.amountMinor).toBeGreaterThanOrEqual(current);
          if (bp < 0) expect(next.amountMinor).toBeLessThanOrEqual(current);
          expect(next.amountMinor).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});
