/**
 * The gateway's source of time. Every expiry, TTL and period computation reads it, so tests freeze or move time
 * instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The real clock (`Date.now()`). */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told: for tests and deterministic examples. */
export class ManualClock implements Clock {
  #ms: number;

  /** @param start - the initial time, as epoch milliseconds or an ISO 8601 string. */
  constructor(start: number | string) {
    this.#ms = typeof start === 'number' ? start : Date.parse(start);
    if (!Number.isFinite(this.#ms)) throw new RangeError(`Not a time: ${String(start)}`);
  }

  now(): number {
    return this.#ms;
  }

  /** Moves time forward by `ms` milliseconds (never backwards). */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('A clock does not go backwards');
    this.#ms += ms;
  }

  /** Sets the time to an ISO 8601 string or epoch milliseconds, not before the current time. */
  set(to: number | string): void {
    const ms = typeof to === 'number' ? to : Date.parse(to);
    if (!(ms >= this.#ms)) throw new RangeError('A clock does not go backwards');
    this.#ms = ms;
  }
}

/** Epoch milliseconds as an RFC 3339 UTC timestamp (`2026-11-21T14:00:00.000Z`). */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
