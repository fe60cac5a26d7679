import type { Clock } from '@handoff/gateway';

/**
 * The wall clock, plus time the story skipped. Waiting for a platform's `Retry-After` is done by skipping ahead
 * (`skip`) rather than sleeping, so a story stays fast and deterministic while the gateway, the fakes and the
 * approvers still share one notion of "now" that keeps moving (a `--keep` gateway goes on in real time).
 */
export class SkipClock implements Clock {
  #skippedMs = 0;

  /** Epoch milliseconds: `Date.now()` plus everything skipped so far. */
  now(): number {
    return Date.now() + this.#skippedMs;
  }

  /** Moves this clock `ms` MILLISECONDS ahead of the wall clock (never back). */
  skip(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('A clock does not go backwards');
    this.#skippedMs += ms;
  }

  /** How far ahead of the wall clock this clock is, in milliseconds. */
  get skippedMs(): number {
    return this.#skippedMs;
  }
}
