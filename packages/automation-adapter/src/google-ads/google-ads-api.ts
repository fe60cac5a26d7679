import type { ExecuteContext } from '../adapter.js';
import { AdapterError } from '../adapter-error.js';
import { errorFromResponse, type PlatformResponse, sendPlatformRequest } from '../http.js';

/** The Google Ads API version the adapter speaks (https://developers.google.com/google-ads/api/docs/release-notes). */
export const GOOGLE_ADS_API_VERSION = 'v26';

/** How the adapter reaches one Google Ads account. */
export interface GoogleAdsConnection {
  /** Default `https://googleads.googleapis.com`. */
  baseUrl: string;
  /** The account operated on, digits only (e.g. `1234567890`). */
  customerId: string;
  /** Sent as `developer-token`. */
  developerToken: string;
  /** An OAuth 2.0 access token, sent as `Authorization: Bearer`. */
  accessToken: string;
  /** A manager account's id, sent as `login-customer-id` when the account is reached through it. */
  loginCustomerId?: string;
  timeoutMs?: number;
}

/**
 * The headers of every REST call (https://developers.google.com/google-ads/api/rest/auth): the OAuth bearer token,
 * the `developer-token`, and `login-customer-id` when going through a manager account.
 */
export function googleAdsHeaders(c: GoogleAdsConnection): Record<string, string> {
  return {
    authorization: `Bearer ${c.accessToken}`,
    'developer-token': c.developerToken,
    'content-type': 'application/json',
    ...(c.loginCustomerId ? { 'login-customer-id': c.loginCustomerId } : {}),
  };
}

/** One `GoogleAdsError` of a `GoogleAdsFailure` (https://developers.google.com/google-ads/api/reference/rpc/latest/GoogleAdsFailure). */
export interface GoogleAdsError {
  /** One key naming the error family (`quotaError`, `campaignBudgetError`, ...) and its enum value. */
  errorCode?: Record<string, string>;
  message?: string;
  location?: { fieldPathElements?: { fieldName?: string; index?: number }[] };
  details?: {
    quotaErrorDetails?: { rateScope?: string; rateName?: string; retryDelay?: string };
    budgetPerDayMinimumErrorDetails?: Record<string, string>;
  };
}

/**
 * The `GoogleAdsFailure` inside an error body (`error.details[]` with `@type` ending in `GoogleAdsFailure`) or a
 * `partialFailureError` (https://developers.google.com/google-ads/api/docs/best-practices/partial-failures).
 */
export function googleAdsFailure(
  status: unknown,
): { errors: GoogleAdsError[]; requestId?: string } | undefined {
  const details = (status as { details?: unknown[] } | undefined)?.details;
  if (!Array.isArray(details)) return undefined;
  const failure = details.find((d) =>
    String((d as { '@type'?: string })['@type'] ?? '').endsWith('GoogleAdsFailure'),
  ) as { errors?: GoogleAdsError[]; requestId?: string } | undefined;
  if (!failure || !Array.isArray(failure.errors)) return undefined;
  return { errors: failure.errors, ...(failure.requestId ? { requestId: failure.requestId } : {}) };
}

/** `quotaError.RESOURCE_TEMPORARILY_EXHAUSTED`: an error's family and value, as one code. */
export function errorCodeOf(error: GoogleAdsError | undefined): string | undefined {
  const entry = Object.entries(error?.errorCode ?? {})[0];
  return entry ? `${entry[0]}.${entry[1]}` : undefined;
}

/** A protobuf JSON `Duration` ("7s", "1.5s") in milliseconds. */
function durationMs(value: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value ?? '');
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

/**
 * The AdapterError of a non-2xx Google Ads answer: mapped by HTTP status (401/403 `AUTH_FAILED`, 404 `NOT_FOUND`,
 * 429 `RATE_LIMITED`, 5xx `PLATFORM_UNAVAILABLE`, other 4xx `INVALID_REQUEST`), with the first GoogleAdsError's
 * code (`quotaError.RESOURCE_EXHAUSTED`, ...) and message, the request id, and for quota errors the
 * `quotaErrorDetails.retryDelay` as `retryAfterMs` (https://developers.google.com/google-ads/api/docs/best-practices/quotas).
 */
export function googleAdsError(response: PlatformResponse, now: number): AdapterError {
  const status = (response.body as { error?: { status?: string; message?: string } } | undefined)
    ?.error;
  const failure = googleAdsFailure(status);
  const first = failure?.errors[0];
  const base = errorFromResponse(
    response,
    () => ({
      platformCode: errorCodeOf(first) ?? status?.status ?? `HTTP_${response.status}`,
      platformMessage: first?.message ?? status?.message ?? 'Google Ads error',
    }),
    now,
    'request-id',
  );
  const retryDelay = durationMs(first?.details?.quotaErrorDetails?.retryDelay);
  const requestId = base.platform.requestId ?? failure?.requestId;
  if (base.retryAfterMs !== undefined || (retryDelay === undefined && !requestId)) return base;
  return new AdapterError(base.code, base.message, {
    retryable: base.retryable,
    ...((base.retryAfterMs ?? retryDelay) === undefined
      ? {}
      : { retryAfterMs: base.retryAfterMs ?? retryDelay }),
    platform: { ...base.platform, ...(requestId ? { requestId } : {}) },
  });
}

/**
 * POSTs `body` to `customers/{customerId}/{method}` and returns the answer whatever its status. `deduped`: whether
 * a lost answer may be retried (reads and validate-only calls change nothing; a real mutate has no idempotency
 * key, so a lost answer is `IN_DOUBT`).
 */
export function googleAdsRequest(
  c: GoogleAdsConnection,
  ctx: Pick<ExecuteContext, 'fetch' | 'signal'>,
  method: string,
  body: unknown,
  deduped: boolean,
): Promise<PlatformResponse> {
  return sendPlatformRequest(ctx, {
    method: 'POST',
    url: `${c.baseUrl}/${GOOGLE_ADS_API_VERSION}/customers/${c.customerId}/${method}`,
    headers: googleAdsHeaders(c),
    body,
    deduped,
    ...(c.timeoutMs === undefined ? {} : { timeoutMs: c.timeoutMs }),
  });
}

/** {@link googleAdsRequest}, returning the parsed body of a 2xx answer and throwing {@link googleAdsError} otherwise. */
export async function googleAdsPost(
  c: GoogleAdsConnection,
  ctx: Pick<ExecuteContext, 'fetch' | 'signal' | 'now'>,
  method: string,
  body: unknown,
  deduped: boolean,
): Promise<unknown> {
  const response = await googleAdsRequest(c, ctx, method, body, deduped);
  if (response.status < 200 || response.status > 299) throw googleAdsError(response, ctx.now());
  return response.body;
}
