import { AdapterError } from '../adapter-error.js';
import { type ErrorBodyReader, errorFromResponse, type PlatformResponse } from '../http.js';

/**
 * HubSpot's error body. Every field is optional: HubSpot says error parsing must allow any of them to be missing
 * (https://developers.hubspot.com/docs/faq/api-error-responses). The common shape is
 * `{ status: 'error', message, correlationId, category, errors: [{ message, in }] }`; a 429 carries
 * `errorType: 'RATE_LIMIT'` and `policyName` (`TEN_SECONDLY_ROLLING` or `DAILY`) instead of or beside `category`
 * (https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines).
 */
export interface HubSpotErrorBody {
  status?: string;
  message?: string;
  correlationId?: string;
  category?: string;
  subCategory?: string;
  errorType?: string;
  policyName?: string;
  errors?: { message?: string; in?: string }[];
}

/** The `X-HubSpot-RateLimit-Interval-Milliseconds` header: the window that `-Max` and `-Remaining` apply to. */
export const HUBSPOT_INTERVAL_HEADER = 'x-hubspot-ratelimit-interval-milliseconds';
/** HubSpot's burst window (10 seconds), used when a `TEN_SECONDLY_ROLLING` 429 names no interval. */
export const HUBSPOT_BURST_WINDOW_MS = 10_000;

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Reads a HubSpot error body: `platformCode` is `category` (e.g. `VALIDATION_ERROR`, `OBJECT_NOT_FOUND`,
 * `INVALID_AUTHENTICATION`), or for a 429 `{category or errorType}:{policyName}` (e.g.
 * `RATE_LIMIT:TEN_SECONDLY_ROLLING`); `platformMessage` is `message` followed by the messages of `errors[]`.
 * A non-JSON body (an HTML 502 page) becomes the message as is.
 */
export const readHubSpotError: ErrorBodyReader = (body) => {
  if (typeof body === 'string') return body.length > 0 ? { platformMessage: body } : {};
  const fields = record(body);
  if (!fields) return {};
  const category = text(fields.category) ?? text(fields.errorType);
  const policyName = text(fields.policyName);
  const platformCode = policyName ? `${category ?? 'RATE_LIMIT'}:${policyName}` : category;
  const details = Array.isArray(fields.errors)
    ? fields.errors.flatMap((entry) => {
        const message = text(record(entry)?.message);
        return message ? [message] : [];
      })
    : [];
  const message = text(fields.message);
  const platformMessage =
    [message, ...details.filter((detail) => detail !== message)].join('; ') || undefined;
  return {
    ...(platformCode ? { platformCode } : {}),
    ...(platformMessage ? { platformMessage } : {}),
  };
};

/**
 * Milliseconds from `nowMs` to the next midnight in `timeZone` (IANA), when HubSpot resets daily limits ("at
 * midnight based on your time zone setting"). On a day with a daylight-saving change it may be an hour off.
 */
export function msUntilMidnight(nowMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(nowMs));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const elapsed =
    ((part('hour') * 60 + part('minute')) * 60 + part('second')) * 1000 + (nowMs % 1000);
  return 86_400_000 - elapsed;
}

/**
 * How long a 429 asks to wait when it sends no `Retry-After`: a `DAILY` policy until midnight in the account's
 * time zone; otherwise `X-HubSpot-RateLimit-Interval-Milliseconds`, or the 10-second window for
 * `TEN_SECONDLY_ROLLING` (waiting one whole window is enough for a rolling limit to clear).
 */
function rateLimitWait(
  response: PlatformResponse,
  nowMs: number,
  timeZone: string,
): number | undefined {
  const policy = text(record(response.body)?.policyName);
  if (policy === 'DAILY') return msUntilMidnight(nowMs, timeZone);
  const interval = Number(response.headers.get(HUBSPOT_INTERVAL_HEADER) ?? Number.NaN);
  if (Number.isInteger(interval) && interval > 0) return interval;
  return policy === 'TEN_SECONDLY_ROLLING' ? HUBSPOT_BURST_WINDOW_MS : undefined;
}

/**
 * The {@link AdapterError} of a non-2xx HubSpot answer: {@link errorFromResponse} with {@link readHubSpotError}
 * (so 401/403 `AUTH_FAILED`, 404 `NOT_FOUND`, 409 `CONFLICT`, 429 `RATE_LIMITED`, 5xx `PLATFORM_UNAVAILABLE`,
 * other 4xx `INVALID_REQUEST`), plus HubSpot specifics: the body's `correlationId` as `requestId` when no
 * `X-HubSpot-Correlation-Id` header came, and for a 429 without `Retry-After` the wait from `policyName` and
 * the `X-HubSpot-RateLimit-Interval-Milliseconds` header.
 */
export function hubspotErrorFromResponse(
  response: PlatformResponse,
  nowMs: number,
  accountTimeZone = 'UTC',
): AdapterError {
  const base = errorFromResponse(response, readHubSpotError, nowMs, 'x-hubspot-correlation-id');
  const requestId = base.platform.requestId ?? text(record(response.body)?.correlationId);
  const retryAfterMs =
    base.retryAfterMs ??
    (response.status === 429 ? rateLimitWait(response, nowMs, accountTimeZone) : undefined);
  if (requestId === base.platform.requestId && retryAfterMs === base.retryAfterMs) return base;
  return new AdapterError(base.code, base.message, {
    retryable: base.retryable,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    platform: { ...base.platform, ...(requestId ? { requestId } : {}) },
  });
}
