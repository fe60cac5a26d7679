import { handleAll, retry } from 'cockatiel';
import { HttpStatusError, RETRYABLE_HTTP_STATUSES, TransportError } from './client-error.js';

/** The part of `fetch` the client uses (the global `fetch` fits). */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Waits `ms` milliseconds; rejects with the signal's reason (an `AbortError`) as soon as `signal` fires. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** A real {@link Sleep} on `setTimeout`. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal ? abortReason(signal) : new Error('aborted'));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** When to try a request again. */
export interface RetryPolicy {
  /** Attempts in all, the first included (1 = never retry). Default 3. */
  attempts?: number;
  /** Delay before the second attempt, in ms; doubled before each further one. Default 200. */
  baseDelayMs?: number;
  /** Largest delay between attempts, in ms (a `Retry-After` above it is not waited for). Default 10000. */
  maxDelayMs?: number;
}

/** Options of {@link createRetryingFetch}. */
export interface RetryingFetchOptions {
  fetch: FetchLike;
  retry: RetryPolicy;
  sleep: Sleep;
  /** Uniform in [0, 1), for jitter. Default `Math.random`. */
  random?: () => number;
}

function positiveInt(
  value: number | undefined,
  fallback: number,
  name: string,
  min: number,
): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen < min) {
    throw new RangeError(`retry.${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return chosen;
}

/** `Retry-After` (RFC 9110 section 10.2.3) as delay-seconds only, in ms; dates are ignored. */
function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : undefined;
}

/**
 * An error answer as tRPC can read it: the same answer rebuilt around its text when the text is JSON (whatever
 * its content-type says: some gateway answers, e.g. 415, are labelled text/plain), else an `HttpStatusError`
 * (a proxy's HTML page), so the status is kept instead of lost in a JSON parse error.
 */
async function readableError(response: Response): Promise<Response> {
  const text = await response.text().catch(() => '');
  try {
    JSON.parse(text);
  } catch {
    throw new HttpStatusError(response.status, response.statusText);
  }
  return new Response(text, {
    status: response.status,
    statusText: response.statusText,
    headers: { 'content-type': 'application/json' },
  });
}

/**
 * Wraps `fetch` with retries for transient failures, below tRPC (so every procedure, query or mutation, gets them):
 * - a rejected fetch (no HTTP answer: refused, reset, DNS) is retried; after the last attempt it rejects with a
 *   `TransportError` (the client reports `NETWORK`);
 * - an answer with status 429, 502, 503 or 504 is retried; the last one is returned as is;
 * - any other answer (every other 4xx and 5xx included) is returned at once.
 * An HTTP error whose body is not JSON (a proxy's page) rejects with `HttpStatusError` instead of reaching tRPC,
 * so the status is kept; one whose body is JSON reaches tRPC whatever its content-type. Delays grow as
 * `baseDelayMs * 2^(n-1)` (n = attempts so far), at least the answer's `Retry-After` seconds, at most
 * `maxDelayMs`, with equal jitter (half fixed, half random). An abort stops at once.
 * Retrying a mutation is safe here: `plans.submit` is idempotent on plan id and `plans.dryRun` writes nothing.
 *
 * The retry loop is cockatiel's (`retry`, as the gateway's dispatcher uses cockatiel): it decides what is retried,
 * counts attempts and stops on abort. Its own wait between attempts is 0 ms; the delay is waited with the injected
 * `sleep` at the start of the next attempt, so tests run on a fake clock.
 *
 * @throws RangeError when `attempts` < 1 or a delay is negative or not an integer.
 */
export function createRetryingFetch(options: RetryingFetchOptions): FetchLike {
  const attempts = positiveInt(options.retry.attempts, 3, 'attempts', 1);
  const base = positiveInt(options.retry.baseDelayMs, 200, 'baseDelayMs', 0);
  const max = positiveInt(options.retry.maxDelayMs, 10_000, 'maxDelayMs', 0);
  const random = options.random ?? Math.random;
  const delay = (attempt: number, response?: Response): number => {
    const exponential = Math.min(max, base * 2 ** (attempt - 1));
    const jittered = exponential / 2 + (random() * exponential) / 2;
    const floor = response ? retryAfterMs(response) : undefined;
    return Math.round(floor !== undefined && floor <= max ? Math.max(jittered, floor) : jittered);
  };
  const policy = retry(
    handleAll.orWhenResult((r) => r instanceof Response && RETRYABLE_HTTP_STATUSES.has(r.status)),
    { maxAttempts: attempts - 1 },
  );
  return async (url, init) => {
    const signal = init.signal ?? undefined;
    let response: Response;
    try {
      // `previous` is the retryable answer of the attempt before, undefined when that attempt had none.
      let previous: Response | undefined;
      response = await policy.execute(async ({ attempt }) => {
        if (attempt > 0) {
          await previous?.body?.cancel().catch(() => undefined);
          await options.sleep(delay(attempt, previous), signal);
        }
        previous = undefined;
        previous = await options.fetch(url, init);
        return previous;
      }, signal);
    } catch (error) {
      // Only a fetch without an answer, or an abort, ends here.
      if (signal?.aborted) throw error;
      throw new TransportError(error);
    }
    return response.ok ? response : readableError(response);
  };
}
