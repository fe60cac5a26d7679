import { describe, expect, test } from 'vitest';
import { periodKey } from '../../src/budget/period.js';
import { isValidTimeZone } from '../../src/budget/zoned-time.js';
import { GatewayError } from '../../src/errors.js';

/**
 * `Temporal` reads more than zone names as a time zone: a numeric offset, or any ISO 8601 date-time string (with
 * `Z`, an offset or a bracketed zone), whose zone it then uses. A cap's `timeZone` is an IANA name only, so these
 * stay `UNKNOWN_TIME_ZONE` as they were before the library came in.
 */
const NOT_ZONE_NAMES = [
  '+01:00',
  '-05',
  '+0100',
  '2026-11-21T00:00Z',
  '2026-11-21T00:00+01:00[Europe/Lisbon]',
  '2026-11-21T00:00[Asia/Tokyo]',
];

describe('time zone names', () => {
  test.each(NOT_ZONE_NAMES)('%s is not a time zone name', (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
    let thrown: unknown;
    try {
      periodKey('day', Date.UTC(2026, 10, 21), zone);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect(thrown).toMatchObject({
      code: 'BUDGET_CAP_INVALID',
      issues: [{ path: '/timeZone', code: 'UNKNOWN_TIME_ZONE' }],
    });
  });

  test('IANA names are accepted whatever their case, and links resolve', () => {
    for (const zone of [
      'UTC',
      'utc',
      'europe/lisbon',
      'US/Eastern',
      'Etc/GMT+5',
      'Asia/Calcutta',
    ]) {
      expect(isValidTimeZone(zone)).toBe(true);
    }
    expect(periodKey('day', Date.UTC(2026, 10, 21, 23), 'asia/calcutta')).toBe('day:2026-11-22');
  });
});
