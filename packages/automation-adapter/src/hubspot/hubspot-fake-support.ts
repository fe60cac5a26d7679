import { HttpResponse } from 'msw';
import type { HubSpotErrorBody } from './hubspot-errors.js';

/** What a fake endpoint decides: a status and an optional JSON body (none for 204). */
export interface FakeAnswer {
  status: number;
  body?: unknown;
}

/**
 * HubSpot's message for a missing or wrong token (401 `INVALID_AUTHENTICATION`), as HubSpot words it.
 */
export const HUBSPOT_AUTH_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

/** Deterministic correlation ids (UUID-shaped), so fake answers are reproducible. */
export function correlationIds(): { next(): string; reset(): void } {
  let counter = 0;
  return {
    next() {
      counter += 1;
      return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
    },
    reset() {
      counter = 0;
    },
  };
}

/**
 * HubSpot's common error body `{ status: 'error', message, correlationId, category, errors? }`
 * (https://developers.hubspot.com/docs/faq/api-error-responses).
 */
export function errorAnswer(
  status: number,
  category: string,
  message: string,
  correlationId: string,
  details: { message: string; in?: string }[] = [],
): FakeAnswer {
  const body: HubSpotErrorBody = {
    status: 'error',
    message,
    correlationId,
    category,
    ...(details.length > 0 ? { errors: details } : {}),
  };
  return { status, body };
}

/** A fake answer as an msw response with `headers`. */
export function toResponse(answer: FakeAnswer, headers: Record<string, string>): Response {
  return answer.body === undefined
    ? new HttpResponse(null, { status: answer.status, headers })
    : HttpResponse.json(answer.body, { status: answer.status, headers });
}

/**
 * The 429 HubSpot sends when a limit is hit: `{ status: 'error', message, errorType: 'RATE_LIMIT',
 * correlationId, policyName }`, with `X-HubSpot-RateLimit-*` headers and, when given, `Retry-After`
 * (https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines).
 */
export function rateLimitResponse(
  policyName: string,
  correlationId: string,
  max: number,
  retryAfterSeconds?: number,
): Response {
  const daily = policyName === 'DAILY';
  const headers: Record<string, string> = daily
    ? { 'x-hubspot-ratelimit-daily': String(max), 'x-hubspot-ratelimit-daily-remaining': '0' }
    : {
        'x-hubspot-ratelimit-interval-milliseconds': '10000',
        'x-hubspot-ratelimit-max': String(max),
        'x-hubspot-ratelimit-remaining': '0',
      };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  const body = {
    status: 'error',
    message: daily ? 'You have reached your daily limit.' : 'You have reached your secondly limit.',
    errorType: 'RATE_LIMIT',
    correlationId,
    policyName,
  };
  return HttpResponse.json(body, { status: 429, headers });
}

/** HubSpot's rolling burst limit: at most `limit` requests in any `windowMs` (10 s) by the fake's clock. */
export class SlidingWindow {
  #hits: number[] = [];
  constructor(
    readonly limit: number,
    readonly windowMs = 10_000,
  ) {}

  /** Counts a request at `now`; returns the requests left in the window, or -1 when the limit is exceeded. */
  hit(now: number): number {
    this.#hits = this.#hits.filter((at) => at > now - this.windowMs);
    if (this.#hits.length >= this.limit) return -1;
    this.#hits.push(now);
    return this.limit - this.#hits.length;
  }

  reset(): void {
    this.#hits = [];
  }
}

/**
 * Holds a request until the client gives up (its signal aborts) or `maxMs` passes (requests served by `serveFake`
 * carry no client signal). The timer does not keep the process alive.
 */
export function holdUntilAborted(signal: AbortSignal, maxMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, maxMs);
    timer.unref?.();
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** A plausible email address (HubSpot refuses malformed ones with `VALIDATION_ERROR`). */
export function isEmail(value: unknown): value is string {
  return typeof value === 'string' && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value);
}

/** The object fields of a parsed JSON body, or undefined when it is not an object. */
export function objectOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
