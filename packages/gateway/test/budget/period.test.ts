import { describe, expect, test } from 'vitest';
import { type BudgetPeriod, periodKey, periodWindow } from '../../src/budget/period.js';
import { GatewayError } from '../../src/errors.js';

const at = (iso: string): number => Date.parse(iso);
const HOUR = 3_600_000;

/** The window as ISO strings and its length in hours, for readable expectations. */
function window(period: BudgetPeriod, iso: string, timeZone: string) {
  const w = periodWindow(period, at(iso), timeZone);
  return {
    key: w.key,
    start: new Date(w.startMs).toISOString(),
    end: new Date(w.endMs).toISOString(),
    hours: (w.endMs - w.startMs) / HOUR,
  };
}

describe('periodKey: ISO 8601 weeks (Monday start, week-numbering year)', () => {
  test.each([
    ['2026-01-01T12:00:00Z', 'week:2026-W01'],
    ['2027-01-01T12:00:00Z', 'week:2026-W53'],
    ['2024-12-30T12:00:00Z', 'week:2025-W01'],
    ['2021-01-03T12:00:00Z', 'week:2020-W53'],
    ['2026-11-21T14:00:00Z', 'week:2026-W47'],
    ['2026-11-22T23:59:59Z', 'week:2026-W47'],
    ['2026-11-23T00:00:00Z', 'week:2026-W48'],
  ])('%s is %s in UTC', (iso, key) => {
    expect(periodKey('week', at(iso), 'UTC')).toBe(key);
  });
});

describe('periodKey: day, month and total', () => {
  test('formats each period', () => {
    const now = at('2026-11-21T14:00:00Z');
    expect(periodKey('day', now, 'UTC')).toBe('day:2026-11-21');
    expect(periodKey('month', now, 'UTC')).toBe('month:2026-11');
    expect(periodKey('total', now, 'UTC')).toBe('total');
  });

  test('late evening UTC is already the next day (and week, and month) in Asia/Tokyo', () => {
    expect(periodKey('day', at('2026-11-21T20:00:00Z'), 'UTC')).toBe('day:2026-11-21');
    expect(periodKey('day', at('2026-11-21T20:00:00Z'), 'Asia/Tokyo')).toBe('day:2026-11-22');
    expect(periodKey('day', at('2026-11-21T14:59:59.999Z'), 'Asia/Tokyo')).toBe('day:2026-11-21');
    expect(periodKey('day', at('2026-11-21T15:00:00Z'), 'Asia/Tokyo')).toBe('day:2026-11-22');
    // Sunday 2026-11-29 16:00 UTC is Monday in Tokyo: a new ISO week.
    expect(periodKey('week', at('2026-11-29T16:00:00Z'), 'UTC')).toBe('week:2026-W48');
    expect(periodKey('week', at('2026-11-29T16:00:00Z'), 'Asia/Tokyo')).toBe('week:2026-W49');
    expect(periodKey('month', at('2026-11-30T15:30:00Z'), 'Asia/Tokyo')).toBe('month:2026-12');
    expect(periodKey('month', at('2026-12-31T15:00:00Z'), 'Asia/Tokyo')).toBe('month:2027-01');
  });

  test('behind UTC, early morning UTC is still the previous day in America/New_York', () => {
    expect(periodKey('day', at('2026-11-21T03:00:00Z'), 'America/New_York')).toBe('day:2026-11-20');
  });

  test('Pacific/Kiritimati (+14) starts its day at 10:00 UTC', () => {
    expect(window('day', '2026-11-21T10:00:00Z', 'Pacific/Kiritimati')).toEqual({
      key: 'day:2026-11-22',
      start: '2026-11-21T10:00:00.000Z',
      end: '2026-11-22T10:00:00.000Z',
      hours: 24,
    });
    expect(periodKey('day', at('2026-11-21T09:59:59.999Z'), 'Pacific/Kiritimati')).toBe(
      'day:2026-11-21',
    );
  });
});

describe('periodKey remembers the last window per period and zone', () => {
  test('instants on either side of each window edge, visited out of order, keep their own keys', () => {
    // Europe/Lisbon leaves DST on 2026-10-25 (a 25-hour day), and a month ends a week later.
    const zone = 'Europe/Lisbon';
    const visits: [string, BudgetPeriod, string][] = [
      ['2026-10-25T12:00:00Z', 'day', 'day:2026-10-25'],
      ['2026-10-25T23:59:59.999Z', 'day', 'day:2026-10-25'],
      ['2026-10-26T00:00:00Z', 'day', 'day:2026-10-26'],
      ['2026-10-25T00:00:00Z', 'day', 'day:2026-10-25'],
      ['2026-10-24T22:59:59.999Z', 'day', 'day:2026-10-24'],
      ['2026-10-31T23:59:59.999Z', 'month', 'month:2026-10'],
      ['2026-11-01T00:00:00Z', 'month', 'month:2026-11'],
      ['2026-10-01T00:00:00Z', 'month', 'month:2026-10'],
      ['2026-09-30T22:59:59.999Z', 'month', 'month:2026-09'],
    ];
    for (const [iso, period, key] of visits) {
      expect(periodKey(period, at(iso), zone), iso).toBe(key);
      expect(periodKey(period, at(iso), zone), iso).toBe(periodWindow(period, at(iso), zone).key);
    }
    // The same instant in another zone is not answered from Lisbon's window.
    expect(periodKey('day', at('2026-10-25T23:30:00Z'), 'Asia/Tokyo')).toBe('day:2026-10-26');
    expect(periodKey('day', at('2026-10-25T23:30:00Z'), zone)).toBe('day:2026-10-25');
  });
});

describe('periodWindow across DST changes', () => {
  test.each([
    [
      'Europe/Lisbon',
      '2026-03-29T12:00:00Z',
      'day:2026-03-29',
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T23:00:00.000Z',
      23,
    ],
    [
      'Europe/Lisbon',
      '2026-10-25T12:00:00Z',
      'day:2026-10-25',
      '2026-10-24T23:00:00.000Z',
      '2026-10-26T00:00:00.000Z',
      25,
    ],
    [
      'America/New_York',
      '2026-03-08T12:00:00Z',
      'day:2026-03-08',
      '2026-03-08T05:00:00.000Z',
      '2026-03-09T04:00:00.000Z',
      23,
    ],
    [
      'America/New_York',
      '2026-11-01T12:00:00Z',
      'day:2026-11-01',
      '2026-11-01T04:00:00.000Z',
      '2026-11-02T05:00:00.000Z',
      25,
    ],
    // Lord Howe Island moves its clocks by half an hour.
    [
      'Australia/Lord_Howe',
      '2026-10-04T12:00:00Z',
      'day:2026-10-04',
      '2026-10-03T13:30:00.000Z',
      '2026-10-04T13:00:00.000Z',
      23.5,
    ],
    [
      'Australia/Lord_Howe',
      '2026-04-05T12:00:00Z',
      'day:2026-04-05',
      '2026-04-04T13:00:00.000Z',
      '2026-04-05T13:30:00.000Z',
      24.5,
    ],
    // Santiago skips midnight when DST starts: the day starts at 01:00 local (04:00 UTC).
    [
      'America/Santiago',
      '2026-09-06T12:00:00Z',
      'day:2026-09-06',
      '2026-09-06T04:00:00.000Z',
      '2026-09-07T03:00:00.000Z',
      23,
    ],
  ])('%s on %s', (zone, iso, key, start, end, hours) => {
    expect(window('day', iso, zone)).toEqual({ key, start, end, hours });
  });

  test('the instants around a DST day boundary fall on the right side', () => {
    const { startMs, endMs } = periodWindow('day', at('2026-10-25T12:00:00Z'), 'Europe/Lisbon');
    expect(periodKey('day', startMs - 1, 'Europe/Lisbon')).toBe('day:2026-10-24');
    expect(periodKey('day', startMs, 'Europe/Lisbon')).toBe('day:2026-10-25');
    expect(periodKey('day', endMs - 1, 'Europe/Lisbon')).toBe('day:2026-10-25');
    expect(periodKey('day', endMs, 'Europe/Lisbon')).toBe('day:2026-10-26');
    // The repeated hour 01:00-02:00 local (00:00-02:00 UTC) stays in one day.
    expect(periodKey('day', at('2026-10-25T00:30:00Z'), 'Europe/Lisbon')).toBe('day:2026-10-25');
    expect(periodKey('day', at('2026-10-25T01:30:00Z'), 'Europe/Lisbon')).toBe('day:2026-10-25');
  });

  test('weeks and months that contain a DST change', () => {
    expect(window('week', '2026-03-29T12:00:00Z', 'Europe/Lisbon')).toEqual({
      key: 'week:2026-W13',
      start: '2026-03-23T00:00:00.000Z',
      end: '2026-03-29T23:00:00.000Z',
      hours: 167,
    });
    expect(window('month', '2026-11-15T12:00:00Z', 'America/New_York')).toEqual({
      key: 'month:2026-11',
      start: '2026-11-01T04:00:00.000Z',
      end: '2026-12-01T05:00:00.000Z',
      hours: 30 * 24 + 1,
    });
    expect(window('month', '2027-02-10T00:00:00Z', 'UTC').hours).toBe(28 * 24);
  });

  test('a skipped calendar date (Pacific/Apia, 2011-12-30) gets no window', () => {
    expect(window('day', '2011-12-29T12:00:00Z', 'Pacific/Apia')).toEqual({
      key: 'day:2011-12-29',
      start: '2011-12-29T10:00:00.000Z',
      end: '2011-12-30T10:00:00.000Z',
      hours: 24,
    });
    expect(periodKey('day', at('2011-12-30T10:00:00Z'), 'Pacific/Apia')).toBe('day:2011-12-31');
  });

  test('total never ends', () => {
    expect(periodWindow('total', at('2026-11-21T14:00:00Z'), 'Asia/Tokyo')).toEqual({
      key: 'total',
      startMs: 0,
      endMs: Number.POSITIVE_INFINITY,
    });
  });
});

describe('invalid inputs', () => {
  function rejection(run: () => unknown): GatewayError {
    try {
      run();
    } catch (error) {
      if (error instanceof GatewayError) return error;
      throw error;
    }
    throw new Error('expected a GatewayError');
  }

  test('an unknown time zone is rejected as BUDGET_CAP_INVALID / UNKNOWN_TIME_ZONE', () => {
    for (const zone of ['Mars/Olympus_Mons', '+01:00', '']) {
      const error = rejection(() => periodKey('day', at('2026-11-21T14:00:00Z'), zone));
      expect(error.code).toBe('BUDGET_CAP_INVALID');
      expect(error.issues[0]).toMatchObject({ path: '/timeZone', code: 'UNKNOWN_TIME_ZONE' });
    }
    expect(() => periodWindow('total', 0, 'Nowhere/City')).toThrow(GatewayError);
  });

  test.each([Number.NaN, 1.5, -1, Date.UTC(9999, 0, 1)])('epochMs %s is rejected', (epochMs) => {
    const error = rejection(() => periodKey('day', epochMs, 'UTC'));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.issues[0]).toMatchObject({ path: '/epochMs', code: 'INVALID_TIME' });
  });

  test('an unknown period is rejected', () => {
    const error = rejection(() => periodWindow('year' as BudgetPeriod, 0, 'UTC'));
    expect(error.issues[0]).toMatchObject({ path: '/period', code: 'INVALID_VALUE' });
  });
});
