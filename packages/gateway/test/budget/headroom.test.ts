import { canonicalJson } from '@handoff/protocol';
import { describe, expect, test } from 'vitest';
import { checkHeadroom, type UsedBudget } from '../../src/budget/headroom.js';
import type { ReservationLine } from '../../src/budget/reservation-plan.js';
import { GatewayError } from '../../src/errors.js';

function line(capId: string, amountMinor: number, limitMinor: number): ReservationLine {
  return {
    capId,
    scopeType: 'tenant',
    scopeValue: 'acme-retail',
    period: 'month',
    periodKey: 'month:2026-11',
    currency: 'USD',
    amountMinor,
    limitMinor,
  };
}

/** A `used` callback from a table of capId -> used minor units (0 when absent). */
function usedFrom(table: Record<string, bigint>): UsedBudget {
  return (capId) => table[capId] ?? 0n;
}

describe('checkHeadroom', () => {
  test('reaching the limit exactly is allowed', () => {
    expect(checkHeadroom([line('cap-a', 400, 1_000)], usedFrom({ 'cap-a': 600n }))).toEqual({
      ok: true,
    });
    expect(checkHeadroom([line('cap-a', 0, 0)], usedFrom({}))).toEqual({ ok: true });
  });

  test('one minor unit above the limit fails with the facts of the cap', () => {
    const result = checkHeadroom([line('cap-a', 401, 1_000)], usedFrom({ 'cap-a': 600n }));
    expect(result).toEqual({
      ok: false,
      code: 'BUDGET_EXCEEDED',
      capId: 'cap-a',
      periodKey: 'month:2026-11',
      limitMinor: 1_000,
      usedMinor: 600,
      requestedMinor: 401,
      message: expect.stringContaining('cap-a'),
    });
    // The refusal can be written to lineage as is (canonical JSON refuses bigint and non-finite numbers).
    expect(() => canonicalJson(result)).not.toThrow();
  });

  test('all or nothing: one failing cap fails the request, the first by capId whatever the order', () => {
    const used = usedFrom({ 'cap-b': 1_000n, 'cap-c': 1_000n });
    const lines = [line('cap-c', 1, 1_000), line('cap-a', 1, 1_000), line('cap-b', 1, 1_000)];
    expect(checkHeadroom(lines, used)).toMatchObject({ ok: false, capId: 'cap-b' });
    expect(checkHeadroom([...lines].reverse(), used)).toMatchObject({ ok: false, capId: 'cap-b' });
  });

  test('lines on the same cap and period are added together', () => {
    const lines = [line('cap-a', 300, 1_000), line('cap-a', 300, 1_000)];
    expect(checkHeadroom(lines, usedFrom({ 'cap-a': 400n }))).toEqual({ ok: true });
    expect(checkHeadroom(lines, usedFrom({ 'cap-a': 401n }))).toMatchObject({
      ok: false,
      requestedMinor: 600,
    });
  });

  test('the same cap in another period is checked on its own', () => {
    const other = { ...line('cap-a', 500, 1_000), periodKey: 'month:2026-12' as const };
    const used: UsedBudget = (_capId, periodKey) => (periodKey === 'month:2026-11' ? 1_000n : 0n);
    expect(checkHeadroom([other], used)).toEqual({ ok: true });
    expect(checkHeadroom([other, line('cap-a', 1, 1_000)], used)).toMatchObject({
      ok: false,
      periodKey: 'month:2026-11',
    });
  });

  test('exact at the edge of the safe integer range (no float rounding)', () => {
    const max = Number.MAX_SAFE_INTEGER;
    const used = usedFrom({ 'cap-a': BigInt(max - 1) });
    expect(checkHeadroom([line('cap-a', 1, max)], used)).toEqual({ ok: true });
    expect(checkHeadroom([line('cap-a', 2, max)], used)).toMatchObject({
      ok: false,
      usedMinor: max - 1,
    });
  });

  test('no lines is trivially ok', () => {
    expect(checkHeadroom([], () => 0n)).toEqual({ ok: true });
  });

  test.each([
    [1.5, 'MONEY_NOT_INTEGER'],
    [-1, 'MONEY_NEGATIVE'],
    [2 ** 53, 'MONEY_UNSAFE_INTEGER'],
  ])('an amount of %s is a validation failure (%s)', (amount, code) => {
    expect(() => checkHeadroom([line('cap-a', amount, 1_000)], () => 0n)).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        issues: [expect.objectContaining({ path: '/0/amountMinor', code })],
      }),
    );
  });

  test('a negative usage is an internal error, never treated as headroom', () => {
    expect(() => checkHeadroom([line('cap-a', 1, 1)], () => -5n)).toThrow(GatewayError);
    expect(() => checkHeadroom([line('cap-a', 1, 1)], () => -5n)).toThrow(/out of range/);
  });
});
