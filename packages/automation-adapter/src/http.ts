import type { Dispatcher } from 'undici';
import type { ExecuteContext } from './adapter.js';
import {
  AdapterError,
  type AdapterErrorCode,
  type PlatformFailure,
  parseRetryAfter,
} from './adapter-error.js';

/** One HTTP call to a platform. */
export interface PlatformRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  /** Serialised as JSON unless a string. */
  body?: unknown;
  /** Per-request timeout in milliseconds. Default 10,000. */
  timeoutMs?: number;
  /**
   * Whether the platform dedupes this request on a key the adapter sent: then a timeout or a reset is safely
   * retryable (`TIMEOUT`, `PLATFORM_UNAVAILABLE`); otherwise the request's fate is unknown (`IN_DOUBT`).
   */
  deduped: boolean;
  /** The undici dispatcher to connect through (e.g. one whose lookup refuses private addresses). */
  dispatcher?: Dispatcher;
}

/** A platform's answer: status, headers and the parsed JSON body (undefined when empty or not JSON). */
export interface PlatformResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Reads a platform's error body into its code and message (each adapter knows its platform's shape). */
export type ErrorBodyReader = (
  body: unknown,
  status: number,
) => Pick<PlatformFailure, 'platformCode' | 'platformMessage'>;

function statusCode(status: number): AdapterErrorCode {
  if (status === 401 || status === 403) return 'AUTH_FAILED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'PLATFORM_UNAVAILABLE';
  return 'INVALID_REQUEST';
}

/**
 * The {@link AdapterError} of a non-2xx answer: 401/403 `AUTH_FAILED`, 404 `NOT_FOUND`, 409 `CONFLICT`, 429
 * `RATE_LIMITED` (with `Retry-After` honoured), 5xx `PLATFORM_UNAVAILABLE`, other 4xx `INVALID_REQUEST`. The
 * platform's body is mapped by `readError`, never swallowed.
 */
export function errorFromResponse(
  response: PlatformResponse,
  readError: ErrorBodyReader,
  now: number,
  requestIdHeader = 'x-request-id',
): AdapterError {
  const code = statusCode(response.status);
  const { platformCode, platformMessage } = readError(response.body, response.status);
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now);
  const requestId = response.headers.get(requestIdHeader) ?? undefined;
  return new AdapterError(
    code,
    `${response.status}${platformCode ? ` ${platformCode}` : ''}: ${platformMessage ?? 'platform error'}`,
    {
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      platform: {
        status: response.status,
        ...(platformCode ? { platformCode } : {}),
        ...(platformMessage ? { platformMessage } : {}),
        ...(requestId ? { requestId } : {}),
      },
    },
  );
}

/**
 * Sends one request with a timeout and the dispatcher's AbortSignal, and maps transport failures:
 * - aborted before the response -> `ABORTED` when the signal fired before sending, else as a timeout;
 * - timeout or connection reset after sending -> `TIMEOUT` / `PLATFORM_UNAVAILABLE` when `deduped`, else `IN_DOUBT`;
 * - connection refused (nothing sent) -> `PLATFORM_UNAVAILABLE`.
 * Returns the response whatever its status; callers map non-2xx with {@link errorFromResponse}.
 */
export async function sendPlatformRequest(
  ctx: Pick<ExecuteContext, 'fetch' | 'signal'>,
  request: PlatformRequest,
): Promise<PlatformResponse> {
  if (ctx.signal.aborted) throw new AdapterError('ABORTED', 'Aborted before sending');
  const timeout = AbortSignal.timeout(request.timeoutMs ?? 10_000);
  const signal = AbortSignal.any([ctx.signal, timeout]);
  let response: Response;
  try {
    // `dispatcher` is undici's extension of RequestInit (Node's fetch honours it; other fetches ignore it).
    const init: Omit<RequestInit, 'dispatcher'> & { dispatcher?: Dispatcher } = {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined
        ? {}
        : { body: typeof request.body === 'string' ? request.body : JSON.stringify(request.body) }),
      signal,
      redirect: 'error',
      ...(request.dispatcher ? { dispatcher: request.dispatcher } : {}),
    };
    response = await ctx.fetch(request.url, init as RequestInit);
  } catch (cause) {
    throw transportError(cause, request.deduped, ctx.signal.aborted && !timeout.aborted);
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    body = text.slice(0, 1000);
  }
  return { status: response.status, headers: response.headers, body };
}

function transportError(cause: unknown, deduped: boolean, abortedByCaller: boolean): AdapterError {
  const code = (cause as { cause?: { code?: string } })?.cause?.code;
  if (code === 'EPRIVATEADDRESS') {
    // Refused by the connect-time lookup: nothing was sent, and trying again would be refused again.
    return new AdapterError(
      'INVALID_REQUEST',
      'The host resolved to a private address at connect time',
      {
        retryable: false,
        cause,
      },
    );
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new AdapterError('PLATFORM_UNAVAILABLE', `Cannot reach the platform (${code})`, {
      cause,
    });
  }
  if (abortedByCaller && !deduped) {
    return new AdapterError(
      'IN_DOUBT',
      'Aborted while the request was in flight; it may have been applied',
      { cause },
    );
  }
  if (abortedByCaller)
    return new AdapterError('ABORTED', 'Aborted while the request was in flight', { cause });
  if (!deduped) {
    return new AdapterError(
      'IN_DOUBT',
      'No answer from a platform without idempotency keys; it may have been applied',
      {
        cause,
      },
    );
  }
  const timedOut =
    cause instanceof DOMException && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
  return timedOut
    ? new AdapterError('TIMEOUT', 'The platform did not answer in time', { cause })
    : new AdapterError('PLATFORM_UNAVAILABLE', 'The connection to the platform failed', { cause });
}
