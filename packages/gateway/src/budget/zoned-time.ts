import { Temporal } from 'temporal-polyfill';
import { GatewayError } from '../errors.js';

/**
 * Time-zone arithmetic for budget periods, on the TC39 `Temporal` API through `temporal-polyfill` (fullcalendar,
 * MIT). Chosen over Luxon because it is the standard API (Node will ship it natively, so the polyfill can later
 * be dropped), it is the smaller package (about 1 MB unpacked with its two helper packages, no transitive
 * dependencies beyond them; Luxon 3.7 is 4.6 MB plus `@types/luxon`), and it runs on Node 20.19+, 22 and 24
 * without flags (it reads zone rules through `Intl`, as the hand-written search it replaces did). The non-global
 * import leaves `globalThis` alone.
 *
 * Units: instants are epoch milliseconds (UTC); a "day number" counts local calendar dates as days since
 * 1970-01-01. Nothing here assumes that a day lasts 24 hours or that midnight exists: `Temporal` finds the start
 * of a date as the first instant that shows it (01:00 when DST skips midnight, the start of the next date when a
 * whole date is skipped, as in Pacific/Apia on 2011-12-30).
 */

/** IANA names (`Europe/Lisbon`, `Etc/GMT+5`, `UTC`); rejects numeric offsets (`+01:00`) and date-time strings. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
const MAX_ZONE_NAME_LENGTH = 64;
const EPOCH_DATE = Temporal.PlainDate.from('1970-01-01');

/**
 * True when `timeZone` is an IANA time zone name this runtime knows (`UTC`, `Europe/Lisbon`,
 * `Pacific/Kiritimati`). Numeric offsets (`+01:00`) and unknown names are false.
 */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.length > MAX_ZONE_NAME_LENGTH) return false;
  if (!ZONE_NAME.test(timeZone)) return false;
  try {
    Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Throws unless `timeZone` is a known IANA zone name.
 *
 * @throws GatewayError `BUDGET_CAP_INVALID` with one issue `{ path: '/timeZone', code: 'UNKNOWN_TIME_ZONE' }`.
 */
export function assertTimeZone(timeZone: string): void {
  if (isValidTimeZone(timeZone)) return;
  const message = `Unknown time zone ${JSON.stringify(timeZone)}: expected an IANA zone name such as "Europe/Lisbon"`;
  throw new GatewayError('BUDGET_CAP_INVALID', message, {
    issues: [{ path: '/timeZone', code: 'UNKNOWN_TIME_ZONE', message }],
  });
}

/** The local calendar date shown by `timeZone`'s wall clock at `epochMs` (the zone must be valid). */
export function localDate(epochMs: number, timeZone: string): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(timeZone).toPlainDate();
}

/**
 * The instant local calendar date `date` starts in `timeZone`, in epoch ms: the first instant whose wall clock
 * shows that date or a later one (usually local midnight; see the module note for skipped midnights and dates).
 */
export function dateStartMs(date: Temporal.PlainDate, timeZone: string): number {
  return date.toZonedDateTime(timeZone).epochMilliseconds;
}

/** The day number (days since 1970-01-01) of a calendar date. */
export function dayNumberOf(date: Temporal.PlainDate): number {
  return EPOCH_DATE.until(date, { largestUnit: 'day' }).days;
}

/** The UTC offset of `timeZone` at `epochMs`, in milliseconds (east positive: +9 h for Asia/Tokyo). */
export function utcOffsetMs(epochMs: number, timeZone: string): number {
  assertTimeZone(timeZone);
  const zoned = Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(timeZone);
  return zoned.offsetNanoseconds / 1_000_000;
}

/**
 * The day number of the local calendar date shown by `timeZone`'s wall clock at `epochMs`.
 *
 * @throws GatewayError `BUDGET_CAP_INVALID` (`UNKNOWN_TIME_ZONE`) for an unknown zone.
 */
export function localDayNumber(epochMs: number, timeZone: string): number {
  assertTimeZone(timeZone);
  return dayNumberOf(localDate(epochMs, timeZone));
}
