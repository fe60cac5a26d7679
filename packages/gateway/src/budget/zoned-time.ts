import { GatewayError } from '../errors.js';
import { civilMidnightMs, dayNumber } from './civil-date.js';

/**
 * Time-zone arithmetic on top of `Intl.DateTimeFormat` only (no date library, no bundled tz data): reading the
 * wall clock of an IANA zone at an instant, and finding the instant a local calendar day starts. Nothing here
 * assumes that a day lasts 24 hours or that midnight exists (some zones skip it when DST starts).
 *
 * Units: instants are epoch milliseconds (UTC); a "wall" value is the local date-time encoded as if it were UTC,
 * in milliseconds; days are day numbers (days since 1970-01-01, see `civil-date.ts`).
 */

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;
/** Every UTC offset the tz database has ever used lies well within +-18 hours. */
const MAX_OFFSET_MS = 18 * MS_PER_HOUR;
/** Offsets are sampled this often around a midnight; two transitions never fall within one such step. */
const SAMPLE_STEP_MS = MS_PER_HOUR;
/** IANA names (`Europe/Lisbon`, `Etc/GMT+5`, `UTC`); rejects numeric offsets such as `+01:00`. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
const MAX_ZONE_NAME_LENGTH = 64;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Recently computed day starts by `zone|day`; bounded, oldest evicted first (the same few days recur). */
const dayStarts = new Map<string, number>();
const MAX_CACHED_DAY_STARTS = 4096;

function createFormatter(timeZone: string): Intl.DateTimeFormat | undefined {
  if (timeZone.length > MAX_ZONE_NAME_LENGTH || !ZONE_NAME.test(timeZone)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US-u-nu-latn', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return undefined;
  }
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone);
  if (cached) return cached;
  const created = createFormatter(timeZone);
  if (!created) {
    const message = `Unknown time zone ${JSON.stringify(timeZone)}: expected an IANA zone name such as "Europe/Lisbon"`;
    throw new GatewayError('BUDGET_CAP_INVALID', message, {
      issues: [{ path: '/timeZone', code: 'UNKNOWN_TIME_ZONE', message }],
    });
  }
  formatters.set(timeZone, created);
  return created;
}

/**
 * True when `timeZone` is an IANA time zone name this runtime's `Intl.DateTimeFormat` knows (`UTC`,
 * `Europe/Lisbon`, `Pacific/Kiritimati`). Numeric offsets (`+01:00`) and unknown names are false.
 */
export function isValidTimeZone(timeZone: string): boolean {
  return formatters.has(timeZone) || createFormatter(timeZone) !== undefined;
}

/**
 * Throws unless `timeZone` is a known IANA zone name.
 *
 * @throws GatewayError `BUDGET_CAP_INVALID` with one issue `{ path: '/timeZone', code: 'UNKNOWN_TIME_ZONE' }`.
 */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

/**
 * The wall clock of `timeZone` at instant `epochMs`, encoded as if it were UTC (epoch ms; second precision from
 * Intl, plus the instant's own milliseconds).
 *
 * @throws GatewayError `BUDGET_CAP_INVALID` (`UNKNOWN_TIME_ZONE`) for an unknown zone.
 */
export function wallClockMs(epochMs: number, timeZone: string): number {
  const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timeZone).formatToParts(new Date(epochMs))) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  const date = dayNumber({ year: fields.year, month: fields.month, day: fields.day });
  const seconds = fields.hour * 3600 + fields.minute * 60 + fields.second;
  const millis = ((epochMs % 1000) + 1000) % 1000;
  return civilMidnightMs(date) + seconds * 1000 + millis;
}

/** The UTC offset of `timeZone` at `epochMs`, in milliseconds (east positive: +9 h for Asia/Tokyo). */
export function utcOffsetMs(epochMs: number, timeZone: string): number {
  return wallClockMs(epochMs, timeZone) - epochMs;
}

/** The day number of the local calendar date shown by `timeZone`'s wall clock at `epochMs`. */
export function localDayNumber(epochMs: number, timeZone: string): number {
  return Math.floor(wallClockMs(epochMs, timeZone) / MS_PER_DAY);
}

interface OffsetSegment {
  fromMs: number;
  offsetMs: number;
}

/** The first instant in `(fromMs, toMs]` whose offset differs from `offsetMs` (binary search to the millisecond). */
function transitionBetween(
  fromMs: number,
  toMs: number,
  offsetMs: number,
  timeZone: string,
): number {
  let before = fromMs;
  let after = toMs;
  while (after - before > 1) {
    const mid = before + Math.floor((after - before) / 2);
    if (utcOffsetMs(mid, timeZone) === offsetMs) before = mid;
    else after = mid;
  }
  return after;
}

/** Constant-offset segments covering `[fromMs, toMs]`, found by sampling and then searching each change. */
function offsetSegments(fromMs: number, toMs: number, timeZone: string): OffsetSegment[] {
  const segments: OffsetSegment[] = [{ fromMs, offsetMs: utcOffsetMs(fromMs, timeZone) }];
  let previousMs = fromMs;
  for (let sampleMs = fromMs + SAMPLE_STEP_MS; sampleMs <= toMs; sampleMs += SAMPLE_STEP_MS) {
    const current = segments[segments.length - 1];
    const offsetMs = utcOffsetMs(sampleMs, timeZone);
    if (current && offsetMs !== current.offsetMs) {
      const atMs = transitionBetween(previousMs, sampleMs, current.offsetMs, timeZone);
      segments.push({ fromMs: atMs, offsetMs: utcOffsetMs(atMs, timeZone) });
    }
    previousMs = sampleMs;
  }
  return segments;
}

/**
 * The instant local calendar day `day` starts in `timeZone`: the first instant whose wall clock shows that date or
 * a later one (epoch ms). Usually local midnight; when DST skips midnight (e.g. America/Santiago) it is the first
 * wall time that exists (01:00); when a whole date is skipped (Pacific/Apia, 2011-12-30) it equals the start of
 * the next date. Found by sampling the zone's offsets around the date and searching every change, never by
 * assuming 24-hour days.
 *
 * @throws GatewayError `BUDGET_CAP_INVALID` (`UNKNOWN_TIME_ZONE`) for an unknown zone.
 */
export function dayStartMs(day: number, timeZone: string): number {
  const cacheKey = `${timeZone}|${day}`;
  const cached = dayStarts.get(cacheKey);
  if (cached !== undefined) return cached;
  const startMs = searchDayStart(day, timeZone);
  if (dayStarts.size >= MAX_CACHED_DAY_STARTS) {
    const oldest = dayStarts.keys().next();
    if (!oldest.done) dayStarts.delete(oldest.value);
  }
  dayStarts.set(cacheKey, startMs);
  return startMs;
}

function searchDayStart(day: number, timeZone: string): number {
  const midnightMs = civilMidnightMs(day);
  const segments = offsetSegments(midnightMs - MAX_OFFSET_MS, midnightMs + MAX_OFFSET_MS, timeZone);
  for (const [index, segment] of segments.entries()) {
    const endMs = segments[index + 1]?.fromMs ?? Number.POSITIVE_INFINITY;
    // Within a segment, wall = instant + offset, so "wall >= local midnight" is "instant >= midnight - offset".
    const candidateMs = Math.max(segment.fromMs, midnightMs - segment.offsetMs);
    if (candidateMs < endMs) return candidateMs;
  }
  throw new GatewayError('INTERNAL', `No start found for day ${day} in ${timeZone}`);
}
