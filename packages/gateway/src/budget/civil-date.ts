/**
 * Proleptic Gregorian calendar arithmetic on civil (wall-calendar) dates, with no time zone involved. A civil date
 * is counted as a whole number of days since 1970-01-01 (a "day number"), so adding days is integer addition and
 * no 24-hour assumption about real time is ever made here. The time-zone side lives in `zoned-time.ts`.
 */

const MS_PER_DAY = 86_400_000;

/** A civil date: `month` is 1-12 and `day` is 1-31. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** An ISO 8601 week: the week-numbering year and the week number (1-53). */
export interface IsoWeek {
  weekYear: number;
  week: number;
}

/**
 * The day number (days since 1970-01-01) of a civil date. Uses `setUTCFullYear` so years 0-99 are not read as
 * 1900-1999. Out-of-range months or days roll over (month 13 of 2026 is January 2027).
 */
export function dayNumber(date: CivilDate): number {
  const utc = new Date(0);
  utc.setUTCFullYear(date.year, date.month - 1, date.day);
  return Math.round(utc.getTime() / MS_PER_DAY);
}

/** The civil date of a day number (days since 1970-01-01). */
export function civilDate(day: number): CivilDate {
  const utc = new Date(day * MS_PER_DAY);
  return { year: utc.getUTCFullYear(), month: utc.getUTCMonth() + 1, day: utc.getUTCDate() };
}

/**
 * The instant a civil date-time would be if the wall clock were UTC, in epoch milliseconds. Used to compare a wall
 * clock reading with a civil midnight (`wallMs >= civilMidnightMs(day)` means "on or after that day").
 */
export function civilMidnightMs(day: number): number {
  return day * MS_PER_DAY;
}

/** The ISO weekday of a day number: 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday). */
export function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** The day number of the Monday that starts the ISO week containing `day`. */
export function isoWeekMonday(day: number): number {
  return day - (isoWeekday(day) - 1);
}

/**
 * The ISO 8601 week of a day number: weeks start on Monday, week 1 is the week holding the year's first Thursday,
 * and the week-numbering year is the year of the week's Thursday (2027-01-01 is in 2026-W53; 2024-12-30 is in
 * 2025-W01).
 */
export function isoWeek(day: number): IsoWeek {
  const thursday = isoWeekMonday(day) + 3;
  const weekYear = civilDate(thursday).year;
  const firstOfYear = dayNumber({ year: weekYear, month: 1, day: 1 });
  return { weekYear, week: Math.floor((thursday - firstOfYear) / 7) + 1 };
}

/** The day number of the first day of the month holding `day`. */
export function firstOfMonth(day: number): number {
  const { year, month } = civilDate(day);
  return dayNumber({ year, month, day: 1 });
}

/** The day number of the first day of the month after the one holding `day`. */
export function firstOfNextMonth(day: number): number {
  const { year, month } = civilDate(day);
  return dayNumber({ year, month: month + 1, day: 1 });
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** `2026-11-21` for a day number. */
export function formatDay(day: number): string {
  const date = civilDate(day);
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

/** `2026-W47` for the ISO week holding a day number. */
export function formatIsoWeek(day: number): string {
  const { weekYear, week } = isoWeek(day);
  return `${pad(weekYear, 4)}-W${pad(week, 2)}`;
}

/** `2026-11` for the month holding a day number. */
export function formatMonth(day: number): string {
  const date = civilDate(day);
  return `${pad(date.year, 4)}-${pad(date.month, 2)}`;
}
