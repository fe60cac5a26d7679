import { type ErrorCode, type ErrorEnvelope, ErrorEnvelopeSchema } from '@handoff/protocol';
import { TRPCClientError } from '@trpc/client';

/**
 * Codes the client adds to the gateway's (`ERROR_CODES` of `@handoff/protocol`):
 * - `NETWORK`: the request never got an HTTP answer (DNS, refused connection, reset) after every retry;
 * - `HTTP_ERROR`: an HTTP error whose body is not a gateway error (e.g. a proxy's 502 page); see `httpStatus`;
 * - `INVALID_RESPONSE`: an answer that is neither a tRPC result nor a gateway error envelope;
 * - `TIMEOUT`: `waitForDecision` reached its deadline with the plan still undecided;
 * - `ABORTED`: the caller's `AbortSignal` fired.
 */
export type ClientSideErrorCode =
  | 'NETWORK'
  | 'HTTP_ERROR'
  | 'INVALID_RESPONSE'
  | 'TIMEOUT'
  | 'ABORTED';

/** A gateway code, a {@link ClientSideErrorCode}, or a code from a newer gateway this client does not know yet. */
export type HandoffClientErrorCode = ErrorCode | ClientSideErrorCode | (string & {});

/** An issue as the gateway sends it: JSON Pointer `path`, stable `code` (a `ProtocolIssueCode` or a gateway code), `message`. */
export interface WireIssue {
  path: string;
  code: string;
  message: string;
}

/** HTTP statuses worth another attempt: 429 Too Many Requests, 502, 503 (e.g. `KEY_SOURCE_UNAVAILABLE`), 504. */
export const RETRYABLE_HTTP_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Codes worth another attempt. From `ERROR_CODES`: every 4xx code describes the request itself
 * (`VALIDATION_FAILED`, `UNAUTHENTICATED`, `FORBIDDEN`, `PLAN_CONFLICT`, `SCOPE_PAUSED`, ...) and fails again
 * unchanged; `INTERNAL` and `CONFIG_INVALID` (500) are server defects a retry does not cure; only
 * `KEY_SOURCE_UNAVAILABLE` (503, an approver key set that did not answer) is transient. Transport failures
 * (`NETWORK`) are retried too.
 */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set(['NETWORK', 'KEY_SOURCE_UNAVAILABLE']);

/** The one error a `HandoffClient` call rejects with. Never carries the credential. */
export class HandoffClientError extends Error {
  /** The gateway's `code` (from the error envelope), or a {@link ClientSideErrorCode}. */
  readonly code: HandoffClientErrorCode;
  /** The HTTP status of the answer, when there was one. */
  readonly httpStatus: number | undefined;
  /** The envelope's issues, as sent (empty when there are none). */
  readonly issues: readonly WireIssue[];
  /** The gateway's `ErrorEnvelope`, validated, when the answer carried one. */
  readonly envelope: ErrorEnvelope | undefined;
  /** Facts for the caller, e.g. `{ planId, lastState }` on `TIMEOUT`. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: HandoffClientErrorCode,
    message: string,
    options: {
      httpStatus?: number;
      envelope?: ErrorEnvelope;
      details?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HandoffClientError';
    this.code = code;
    this.httpStatus = options.httpStatus;
    this.envelope = options.envelope;
    this.issues = options.envelope?.issues ?? [];
    this.details = options.details ?? {};
  }

  /** True when the same call may succeed later ({@link RETRYABLE_CODES}, {@link RETRYABLE_HTTP_STATUSES}). */
  get retryable(): boolean {
    return (
      RETRYABLE_CODES.has(this.code) ||
      (this.httpStatus !== undefined && RETRYABLE_HTTP_STATUSES.has(this.httpStatus))
    );
  }
}

/** The transport gave up: no HTTP answer (the fetch rejected) after every attempt. */
export class TransportError extends Error {
  constructor(cause: unknown) {
    super(
      `The gateway could not be reached: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = 'TransportError';
  }
}

/** An HTTP error answer whose body is not JSON (so not a gateway envelope), e.g. a proxy's HTML 502 page. */
export class HttpStatusError extends Error {
  readonly status: number;
  constructor(status: number, statusText: string) {
    super(`HTTP ${status}${statusText ? ` ${statusText}` : ''} without a gateway error body`);
    this.name = 'HttpStatusError';
    this.status = status;
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

function causes(error: unknown): unknown[] {
  const out: unknown[] = [];
  let current: unknown = error;
  while (current instanceof Error && out.length < 8) {
    out.push(current);
    current = current.cause;
  }
  return out;
}

/**
 * Turns whatever a tRPC call rejected with into a {@link HandoffClientError}: the gateway's envelope when the
 * answer carried one (`error.data.handoff`, with `error.data.httpStatus`), else a client-side code from the cause.
 */
export function toClientError(error: unknown, signal?: AbortSignal): HandoffClientError {
  if (error instanceof HandoffClientError) return error;
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    if (typeof data === 'object' && data !== null) {
      const fields = data as { handoff?: unknown; httpStatus?: unknown };
      const parsed = ErrorEnvelopeSchema.safeParse(fields.handoff);
      const httpStatus = typeof fields.httpStatus === 'number' ? fields.httpStatus : undefined;
      if (parsed.success) {
        return new HandoffClientError(parsed.data.code, parsed.data.message, {
          envelope: parsed.data,
          ...(httpStatus === undefined ? {} : { httpStatus }),
          cause: error,
        });
      }
    }
  }
  const chain = causes(error);
  if (signal?.aborted || chain.some(isAbort)) {
    return new HandoffClientError('ABORTED', 'The call was aborted', { cause: error });
  }
  const http = chain.find((c): c is HttpStatusError => c instanceof HttpStatusError);
  if (http) {
    return new HandoffClientError('HTTP_ERROR', http.message, {
      httpStatus: http.status,
      cause: error,
    });
  }
  const transport = chain.find((c): c is TransportError => c instanceof TransportError);
  if (transport) return new HandoffClientError('NETWORK', transport.message, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new HandoffClientError('INVALID_RESPONSE', `Unexpected answer: ${message}`, {
    cause: error,
  });
}
