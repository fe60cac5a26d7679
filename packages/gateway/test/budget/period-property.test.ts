import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BUDGET_PERIODS, periodKey, periodWindow } from '../../src/budget/period.js';
import { localDayNumber, utcOffsetMs } from '../../src/budget/zoned-time.js';

/**
 * Windows of a cap must tile time in every zone: each instant lies in exactly one window, every instant of a window
 * has that window's key, and the next window starts where the previous one ends. Zones are chosen for DST (both
 * hemispheres), half-hour and 45-minute offsets, +14, skipped dates and zones that change at midnight.
 */
const ZONES = [
  'UTC',
  'Europe/Lisbon',
  'America/New_York',
  'Australia/Lord_Howe',
  'Pacific/Kiritimati',
  'Pacific/Apia',
  'America/Santiago',
  'America/Havana',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Tokyo',
  'Pacific/Chatham',
  'America/St_Johns',
  'Africa/Casablanca',
];

const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) });
const zone = fc.constantFrom(...ZONES);
const period = fc.constantFrom(...BUDGET_PERIODS.filter((p) => p !== 'total'));

describe('period windows tile time', () => {
  test('the window of an instant contains it, and its edges have consistent keys', () => {
    fc.assert(
      fc.property(instant, zone, period, (t, timeZone, p) => {
        const w = periodWindow(p, t, timeZone);
        expect(w.startMs).toBeLessThanOrEqual(t);
        expect(t).toBeLessThan(w.endMs);
        expect(periodKey(p, t, timeZone)).toBe(w.key);
        expect(periodKey(p, w.startMs, timeZone)).toBe(w.key);
        expect(periodKey(p, w.endMs - 1, timeZone)).toBe(w.key);
        const next = periodWindow(p, w.endMs, timeZone);
        expect(next.key).not.toBe(w.key);
        expect(next.startMs).toBe(w.endMs);
        expect(periodWindow(p, w.startMs - 1, timeZone).endMs).toBe(w.startMs);
      }),
      { numRuns: 200 },
    );
  });

  test('a day window starts on a local day boundary and lasts about a day', () => {
    fc.assert(
      fc.property(instant, zone, (t, timeZone) => {
        const w = periodWindow('day', t, timeZone);
        const hours = (w.endMs - w.startMs) / 3_600_000;
        // Real days last 23 to 25 hours; a skipped date (Apia 2011) is outside this range of instants.
        expect(hours).toBeGreaterThanOrEqual(23);
        expect(hours).toBeLessThanOrEqual(25);
        // Just before the start it is an earlier local date; at the start it is the window's date.
        expect(localDayNumber(w.startMs - 1, timeZone)).toBeLessThan(
          localDayNumber(w.startMs, timeZone),
        );
        expect(w.key).toBe(
          `day:${new Date(w.startMs + utcOffsetMs(w.startMs, timeZone)).toISOString().slice(0, 10)}`,
        );
      }),
      { numRuns: 200 },
    );
  });
});
