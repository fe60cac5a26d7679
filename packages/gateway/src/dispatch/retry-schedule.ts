import { ExponentialBackoff, fullJitterGenerator } from 'cockatiel';

/** How the dispatcher retries a retryable failure. Delays in milliseconds. */
export interface RetryOptions {
  /** Attempts before a retryable failure becomes a dead letter. Default 6. */
  maxAttempts: number;
  /** First delay, before jitter. Default 500 ms. */
  initialDelayMs: number;
  /** Largest delay. Default 5 minutes. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 6,
  initialDelayMs: 500,
  maxDelayMs: 300_000,
};

/**
 * The delay before attempt `attempt + 1` after `attempt` failed: exponential backoff with full jitter (cockatiel's
 * `ExponentialBackoff` and `fullJitterGenerator`, after the AWS architecture note on backoff and jitter), never
 * shorter than the platform's `Retry-After` when it gave one. Retries are persisted in the outbox
 * (`nextAttemptAt`), not slept on, so they survive a restart.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  options: RetryOptions = DEFAULT_RETRY,
): number {
  const factory = new ExponentialBackoff({
    generator: fullJitterGenerator,
    initialDelay: options.initialDelayMs,
    maxDelay: options.maxDelayMs,
  });
  let backoff = factory.next();
  for (let i = 1; i < attempt; i += 1) backoff = backoff.next(undefined);
  return Math.max(Math.ceil(backoff.duration), retryAfterMs ?? 0);
}

/** True when another attempt is allowed after `attempt` attempts. */
export function canRetry(attempt: number, options: RetryOptions = DEFAULT_RETRY): boolean {
  return attempt < options.maxAttempts;
}
