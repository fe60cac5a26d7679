import type { ExecuteContext } from '../adapter.js';
import { AdapterError, type AdapterErrorCode } from '../adapter-error.js';
import { type PlatformResponse, sendPlatformRequest } from '../http.js';

/** The Graph API version the adapter speaks (https://developers.facebook.com/docs/graph-api/changelog). */
export const META_API_VERSION = 'v24.0';

/** How the adapter reaches one ad account. */
export interface MetaConnection {
  /** Default `https://graph.facebook.com`. */
  baseUrl: string;
  /** A system-user or user access token with `ads_management`, sent as `Authorization: Bearer`. */
  accessToken: string;
  /** The ad account, digits only (without `act_`). */
  adAccountId: string;
  timeoutMs?: number;
}

type Ctx = Pick<ExecuteContext, 'fetch' | 'signal' | 'now'>;

/** A Graph API error body (https://developers.facebook.com/docs/graph-api/guides/error-handling). */
interface GraphError {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
  fbtrace_id?: string;
}

/**
 * What a Graph API error code means for the gateway
 * (https://developers.facebook.com/docs/marketing-api/error-reference):
 * - 190 (invalid or expired access token), 102 (session), 10 and 200-299 (permission) -> `AUTH_FAILED`;
 * - 4 (application), 17 (user), 32 (page), 613 (calls per time window) and 80000-80014 (business use case
 *   limits, e.g. 80004 ads management) -> `RATE_LIMITED`;
 * - 1 and 2 (unknown, temporary), or any error marked `is_transient` -> `PLATFORM_UNAVAILABLE`;
 * - 100 with subcode 33 (the object does not exist or cannot be read) and 803 -> `NOT_FOUND`;
 * - anything else (100 invalid parameter, ...) -> `INVALID_REQUEST`.
 */
export function metaErrorCode(error: GraphError, status: number): AdapterErrorCode {
  const code = error.code ?? 0;
  if (code === 190 || code === 102 || code === 10 || (code >= 200 && code <= 299))
    return 'AUTH_FAILED';
  if ([4, 17, 32, 613].includes(code) || (code >= 80000 && code <= 80014)) return 'RATE_LIMITED';
  if (code === 1 || code === 2 || error.is_transient === true || status >= 500)
    return 'PLATFORM_UNAVAILABLE';
  if ((code === 100 && error.error_subcode === 33) || code === 803) return 'NOT_FOUND';
  return 'INVALID_REQUEST';
}

function parseJson(value: string | null): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/**
 * How long Meta asks the caller to wait, in milliseconds, from its throttling headers
 * (https://developers.facebook.com/docs/marketing-api/overview/rate-limiting and
 * https://developers.facebook.com/docs/graph-api/overview/rate-limiting): `X-Ad-Account-Usage`'s
 * `reset_time_duration` (seconds) and `X-Business-Use-Case-Usage`'s `estimated_time_to_regain_access` (minutes,
 * per business and use case), the longer of the two; undefined when neither says. `X-App-Usage` carries only
 * percentages and no time.
 */
export function metaRetryAfterMs(headers: Headers): number | undefined {
  const waits: number[] = [];
  const account = parseJson(headers.get('x-ad-account-usage')) as
    | { reset_time_duration?: number }
    | undefined;
  if (typeof account?.reset_time_duration === 'number')
    waits.push(account.reset_time_duration * 1000);
  const buc = parseJson(headers.get('x-business-use-case-usage'));
  if (buc && typeof buc === 'object') {
    for (const entries of Object.values(buc as Record<string, unknown>)) {
      if (!Array.isArray(entries)) continue;
      for (const entry of entries as { estimated_time_to_regain_access?: number }[]) {
        const minutes = entry?.estimated_time_to_regain_access;
        if (typeof minutes === 'number' && minutes > 0) waits.push(minutes * 60_000);
      }
    }
  }
  return waits.length === 0 ? undefined : Math.max(...waits);
}

/** The AdapterError of a Graph API error answer, mapped by its code ({@link metaErrorCode}), never by status alone. */
export function metaError(response: PlatformResponse): AdapterError {
  const error = ((response.body as { error?: GraphError } | undefined)?.error ?? {}) as GraphError;
  const code = metaErrorCode(error, response.status);
  const platformCode =
    error.code === undefined
      ? `HTTP_${response.status}`
      : `${error.code}${error.error_subcode ? `/${error.error_subcode}` : ''}`;
  const retryAfterMs = code === 'RATE_LIMITED' ? metaRetryAfterMs(response.headers) : undefined;
  const requestId = error.fbtrace_id ?? response.headers.get('x-fb-trace-id') ?? undefined;
  const message = error.message ?? 'Graph API error';
  return new AdapterError(code, `${response.status} ${platformCode}: ${message}`, {
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    platform: {
      status: response.status,
      platformCode,
      platformMessage: message,
      ...(requestId ? { requestId } : {}),
    },
  });
}

/**
 * One Graph API call: GET `path` with `fields`, or POST `path` with form fields (`application/x-www-form-urlencoded`,
 * as Meta documents updates). The token travels in the `Authorization` header, never in the URL. Returns the
 * parsed body of a 2xx answer; throws {@link metaError} otherwise. A GET is safely retried; a POST carries no
 * idempotency key, so a lost answer is `IN_DOUBT`.
 */
export async function graphCall(
  c: MetaConnection,
  ctx: Ctx,
  method: 'GET' | 'POST',
  path: string,
  params: Record<string, string>,
): Promise<Record<string, unknown>> {
  const query = method === 'GET' ? `?${new URLSearchParams(params)}` : '';
  const response = await sendPlatformRequest(ctx, {
    method,
    url: `${c.baseUrl}/${META_API_VERSION}/${path}${query}`,
    headers: {
      authorization: `Bearer ${c.accessToken}`,
      ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(method === 'POST' ? { body: new URLSearchParams(params).toString() } : {}),
    deduped: method === 'GET',
    ...(c.timeoutMs === undefined ? {} : { timeoutMs: c.timeoutMs }),
  });
  if (response.status < 200 || response.status > 299) throw metaError(response);
  return (response.body ?? {}) as Record<string, unknown>;
}
