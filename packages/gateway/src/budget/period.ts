import type { Temporal } from 'temporal-polyfill';
import { GatewayError } from '../errors.js';
import { assertTimeZone, dateStartMs, dayNumberOf, localDate } from './zoned-time.js';

/** The periods a budget cap can reset on. `total` never resets. */
export const BUDGET_PERIODS = ['day', 'week', 'month', 'total'] as const;

/** A budget cap period: `day`, `week` (ISO 8601, Monday start), `month` or `total`. */
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/**
 * The key of one period of a cap, as stored on ledger lines:
 * `total`, `day:2026-11-21`, `week:2026-W47` (ISO week-numbering year and week) or `month:2026-11`.
 */
export type PeriodKey = 'total' | `day:${string}` | `week:${string}` | `month:${string}`;

/**
 * One period as a half-open interval of instants `[startMs, endMs)` in epoch milliseconds. For `total`,
 * `startMs` is 0 and `endMs` is `Number.POSITIVE_INFINITY` (it never ends).
 */
export interface PeriodWindow {
  key: PeriodKey;
  startMs: number;
  endMs: number;
}

/** Instants accepted by this module: integers from 1970-01-01T00:00Z up to (excluding) 9999-01-01T00:00Z. */
export const MAX_PERIOD_EPOCH_MS = Date.UTC(9999, 0, 1);

function assertInputs(period: BudgetPeriod, epochMs: number, timeZone: string): void {
  if (!(BUDGET_PERIODS as readonly string[]).includes(period)) {
    const message = `Unknown budget period ${JSON.stringify(period)}; expected one of ${BUDGET_PERIODS.join(', ')}`;
    throw new GatewayError('VALIDATION_FAILED', message, {
      issues: [{ path: '/period', code: 'INVALID_VALUE', message }],
    });
  }
  if (!Number.isSafeInteger(epochMs) || epochMs < 0 || epochMs >= MAX_PERIOD_EPOCH_MS) {
    const message = `Not a supported instant: ${String(epochMs)} (integer epoch ms from 1970 to 9998)`;
    throw new GatewayError('VALIDATION_FAILED', message, {
      issues: [{ path: '/epochMs', code: 'INVALID_TIME', message }],
    });
  }
  assertTimeZone(timeZone);
}

/**
 * The local date that `epochMs` belongs to, and when that date's period ends. Days are the half-open windows
 * between consecutive day starts, so the wall date and the period agree except in one corner: when a clock goes
 * back across midnight, the repeated late-evening wall times stay in the day already begun.
 */
function dayOf(epochMs: number, timeZone: string): { date: Temporal.PlainDate; endMs: number } {
  let date = localDate(epochMs, timeZone);
  let endMs = dateStartMs(date.add({ days: 1 }), timeZone);
  while (endMs <= epochMs) {
    date = date.add({ days: 1 });
    endMs = dateStartMs(date.add({ days: 1 }), timeZone);
  }
  return { date, endMs };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** The key of the period holding local date `date`: `day:2026-11-21`, `week:2026-W47` or `month:2026-11`. */
function keyOf(period: Exclude<BudgetPeriod, 'total'>, date: Temporal.PlainDate): PeriodKey {
  switch (period) {
    case 'day':
      return `day:${date.toString()}`;
    case 'week':
      // ISO 8601 weeks: the week-numbering year is the year of the week's Thursday.
      return `week:${pad(date.yearOfWeek ?? date.year, 4)}-W${pad(date.weekOfYear ?? 0, 2)}`;
    case 'month':
      return `month:${date.toPlainYearMonth().toString()}`;
  }
}

/**
 * The number of the local day (as periods reckon it, see `periodWindow`) that contains `epochMs` in `timeZone`.
 * Day numbers never decrease as time goes on, so `localDayIndex(b) - localDayIndex(a) + 1` counts the local days
 * that `[a, b]` touches (a skipped date, as Pacific/Apia's 2011-12-30, is counted too: never fewer days).
 *
 * @throws GatewayError as `periodKey` does (`INVALID_TIME`, `UNKNOWN_TIME_ZONE`).
 */
export function localDayIndex(epochMs: number, timeZone: string): number {
  assertInputs('day', epochMs, timeZone);
  return dayNumberOf(dayOf(epochMs, timeZone).date);
}

/**
 * The period of a cap that contains instant `epochMs`, as a half-open window `[startMs, endMs)` in epoch ms with its
 * key, computed on the wall calendar of the IANA zone `timeZone`:
 *
 * - `day`: from the local start of the date to the local start of the next date (23 h, 24 h, 25 h or, on Lord Howe
 *   Island, 23.5 h / 24.5 h long; a skipped midnight starts the day at the first wall time that exists);
 * - `week`: ISO 8601 week, Monday's local start to the next Monday's; the key uses the week-numbering year
 *   (2027-01-01 -> `week:2026-W53`);
 * - `month`: the local start of the 1st to the local start of the next month's 1st;
 * - `total`: `{ key: 'total', startMs: 0, endMs: Infinity }`.
 *
 * Windows of one cap tile time: every instant is in exactly one, and `periodKey` of any instant in a window returns
 * that window's key.
 *
 * @param period - `day`, `week`, `month` or `total`.
 * @param epochMs - the instant, integer epoch milliseconds in [1970-01-01, 9999-01-01).
 * @param timeZone - an IANA zone name (`Europe/Lisbon`).
 * @throws GatewayError `VALIDATION_FAILED` (`INVALID_VALUE` at `/period`, `INVALID_TIME` at `/epochMs`);
 *   `BUDGET_CAP_INVALID` (`UNKNOWN_TIME_ZONE` at `/timeZone`).
 */
export function periodWindow(
  period: BudgetPeriod,
  epochMs: number,
  timeZone: string,
): PeriodWindow {
  assertInputs(period, epochMs, timeZone);
  if (period === 'total') return { key: 'total', startMs: 0, endMs: Number.POSITIVE_INFINITY };
  const { date, endMs } = dayOf(epochMs, timeZone);
  const key = keyOf(period, date);
  switch (period) {
    case 'day':
      return { key, startMs: dateStartMs(date, timeZone), endMs };
    case 'week': {
      const monday = date.subtract({ days: date.dayOfWeek - 1 });
      return {
        key,
        startMs: dateStartMs(monday, timeZone),
        endMs: dateStartMs(monday.add({ days: 7 }), timeZone),
      };
    }
    case 'month': {
      const first = date.with({ day: 1 });
      return {
        key,
        startMs: dateStartMs(first, timeZone),
        endMs: dateStartMs(first.add({ months: 1 }), timeZone),
      };
    }
  }
}

/**
 * The key of the period of a cap that contains instant `epochMs` in IANA zone `timeZone`: `total`,
 * `day:2026-11-21`, `week:2026-W47` or `month:2026-11`. Equal to `periodWindow(...).key`; the window is computed
 * once per period and zone while time stays inside it (see `lastWindows`).
 *
 * @param period - `day`, `week`, `month` or `total`.
 * @param epochMs - the instant, integer epoch milliseconds in [1970-01-01, 9999-01-01).
 * @param timeZone - an IANA zone name.
 * @throws GatewayError `VALIDATION_FAILED` (`INVALID_VALUE`, `INVALID_TIME`); `BUDGET_CAP_INVALID`
 *   (`UNKNOWN_TIME_ZONE`).
 */
export function periodKey(period: BudgetPeriod, epochMs: number, timeZone: string): PeriodKey {
  assertInputs(period, epochMs, timeZone);
  if (period === 'total') return 'total';
  // Windows tile time: an instant inside the last window computed for this period and zone has its key.
  const name = `${period}\n${timeZone}`;
  const last = lastWindows.get(name);
  if (last && last.startMs <= epochMs && epochMs < last.endMs) return last.key;
  const window = periodWindow(period, epochMs, timeZone);
  if (lastWindows.size >= MAX_REMEMBERED_WINDOWS) lastWindows.clear();
  lastWindows.set(name, window);
  return window.key;
}

/**
 * The last window {@link periodKey} computed, per period and zone: the calendar arithmetic (Temporal) is done
 * once per period and zone as time goes on, not once per call. Bounded: cleared when it holds this many.
 */
const lastWindows = new Map<string, PeriodWindow>();
const MAX_REMEMBERED_WINDOWS = 256;
