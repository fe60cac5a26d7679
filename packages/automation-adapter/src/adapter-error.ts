/**
 * Why an adapter could not do what it was asked. Adapters throw only {@link AdapterError}; the dispatcher decides
 * from `retryable` and `retryAfterMs` whether and when to try again.
 *
 * - `AUTH_FAILED`: the platform refused the credentials (401/403). Not retryable.
 * - `INVALID_REQUEST`: the platform refused the request as malformed or semantically invalid (400/422). Not
 *   retryable: retrying the same request would fail the same way.
 * - `NOT_FOUND`: a named object (workflow, list, campaign) does not exist (404). Not retryable.
 * - `CONFLICT`: the platform reports a duplicate or a state conflict (409). Not retryable.
 * - `RATE_LIMITED`: throttled (429); `retryAfterMs` says when the platform allows another try.
 * - `PLATFORM_UNAVAILABLE`: 5xx or a connection failure before the request was sent. Retryable.
 * - `TIMEOUT`: no answer in time. Retryable only when the platform dedupes on the idempotency key; otherwise the
 *   request may have been applied, and the adapter reports `IN_DOUBT`.
 * - `IN_DOUBT`: the request may or may not have reached a platform that offers no idempotency key (a timeout or a
 *   reset after sending). Never retried blindly: an operator reconciles it.
 * - `ABORTED`: the dispatcher's AbortSignal fired (kill switch, shutdown) before the request was sent.
 * - `UNSUPPORTED_ACTION`: the adapter does not execute this action type, or the action fails its validation.
 */
export const ADAPTER_ERROR_CODES = [
  'AUTH_FAILED',
  'INVALID_REQUEST',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'PLATFORM_UNAVAILABLE',
  'TIMEOUT',
  'IN_DOUBT',
  'ABORTED',
  'UNSUPPORTED_ACTION',
] as const;
export type AdapterErrorCode = (typeof ADAPTER_ERROR_CODES)[number];

/** Facts about the platform's answer, kept with the error (never credentials or whole request payloads). */
export interface PlatformFailure {
  /** HTTP status, when the platform answered. */
  status?: number;
  /** The platform's own error category or code (e.g. HubSpot `category`, Braze `message`). */
  platformCode?: string;
  /** The platform's message, cut to 1,000 characters. */
  platformMessage?: string;
  /** A request id the platform returned, for its support. */
  requestId?: string;
}

/** The one error type adapters throw. `code` is stable; `retryable` and `retryAfterMs` drive the dispatcher. */
export class AdapterError extends Error {
  readonly code: AdapterErrorCode;
  readonly retryable: boolean;
  /** How long to wait before another try, in milliseconds, when the platform said (e.g. `Retry-After`). */
  readonly retryAfterMs: number | undefined;
  readonly platform: PlatformFailure;

  constructor(
    code: AdapterErrorCode,
    message: string,
    options: {
      retryable?: boolean;
      retryAfterMs?: number;
      platform?: PlatformFailure;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AdapterError';
    this.code = code;
    this.retryable = options.retryable ?? DEFAULT_RETRYABLE[code];
    this.retryAfterMs = options.retryAfterMs;
    this.platform = {
      ...options.platform,
      ...(options.platform?.platformMessage
        ? { platformMessage: options.platform.platformMessage.slice(0, 1000) }
        : {}),
    };
  }
}

/** Whether each code is retryable unless the adapter says otherwise. */
export const DEFAULT_RETRYABLE: Readonly<Record<AdapterErrorCode, boolean>> = {
  AUTH_FAILED: false,
  INVALID_REQUEST: false,
  NOT_FOUND: false,
  CONFLICT: false,
  RATE_LIMITED: true,
  PLATFORM_UNAVAILABLE: true,
  TIMEOUT: true,
  IN_DOUBT: false,
  ABORTED: false,
  UNSUPPORTED_ACTION: false,
};

/** True when `value` is an {@link AdapterError}. */
export function isAdapterError(value: unknown): value is AdapterError {
  return value instanceof AdapterError;
}

/**
 * Parses an HTTP `Retry-After` header (RFC 9110 section 10.2.3: delay-seconds or an HTTP-date) into milliseconds
 * from `nowMs`; undefined when absent or unparseable; never negative.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
