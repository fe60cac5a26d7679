/**
 * Time for builders: an injectable clock and RFC 3339 UTC timestamps. Everything that reads "now" in this package
 * takes a {@link Clock}, so tests and replays are deterministic.
 */

/** A source of time: milliseconds since the Unix epoch (the same shape as the gateway's `Clock`). */
export interface Clock {
  /** Milliseconds since 1970-01-01T00:00:00Z (UTC), an integer. */
  now(): number;
}

/** The real clock: `Date.now()`. */
export const systemClock: Clock = { now: () => Date.now() };

/** Largest epoch millisecond whose ISO form still has a four-digit year (9999-12-31T23:59:59.999Z). */
const MAX_RFC3339_MS = 253_402_300_799_999;

/**
 * Renders epoch milliseconds as an RFC 3339 timestamp in UTC with a `Z` suffix, as the contract's `Timestamp`
 * requires: whole seconds as `2026-11-21T09:30:00Z`, otherwise with milliseconds, `2026-11-21T09:30:00.250Z`.
 *
 * @param epochMs - milliseconds since the Unix epoch; an integer from 0 (1970) to 253402300799999 (year 9999).
 * @throws RangeError when `epochMs` is not an integer in that range (RFC 3339 has four-digit years only).
 */
export function timestamp(epochMs: number): string {
  if (!Number.isSafeInteger(epochMs) || epochMs < 0 || epochMs > MAX_RFC3339_MS) {
    throw new RangeError(`Not an epoch millisecond within years 1970-9999: ${epochMs}`);
  }
  return new Date(epochMs).toISOString().replace('.000Z', 'Z');
}

/** Options of {@link planTimestamps}. */
export interface PlanTimestampsOptions {
  /** Source of `createdAt`. Default: {@link systemClock}. */
  clock?: Clock;
  /** How long the plan stays valid, in milliseconds: `expiresAt = createdAt + ttlMs`. A positive integer. */
  ttlMs: number;
}

/**
 * The `createdAt` and `expiresAt` of a new plan: now (from the clock) and now plus `ttlMs`, both RFC 3339 UTC.
 * The contract requires `expiresAt` after `createdAt` (`EXPIRY_NOT_AFTER_CREATION`), hence a positive TTL.
 *
 * @returns `{ createdAt, expiresAt }`, e.g. `{ createdAt: "2026-11-21T09:00:00Z", expiresAt: "2026-11-28T09:00:00Z" }`
 *   for a TTL of 604800000 ms (7 days).
 * @throws RangeError when `ttlMs` is not a positive integer, or either time falls outside {@link timestamp}'s range.
 */
export function planTimestamps(options: PlanTimestampsOptions): {
  createdAt: string;
  expiresAt: string;
} {
  const { ttlMs } = options;
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`ttlMs must be a positive integer of milliseconds, got ${ttlMs}`);
  }
  const now = (options.clock ?? systemClock).now();
  return { createdAt: timestamp(now), expiresAt: timestamp(now + ttlMs) };
}
