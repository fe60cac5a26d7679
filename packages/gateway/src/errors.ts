import {
  ERROR_CODE_LIST,
  ERROR_CODES,
  type ErrorCode,
  type ErrorEnvelope,
  HANDOFF_PROTOCOL_VERSION,
  LIMITS,
  type ProtocolIssue,
  toJsonPointer,
} from '@handoff/protocol';
import type { ZodError } from 'zod';

/**
 * Every code a {@link GatewayError} can carry, with the tRPC error code and HTTP status it maps to: the wire API's
 * `ERROR_CODES` of `@handoff/protocol` (which also gives each code a one-line summary). This is the single table
 * the API layer uses; `switch (err.code)` narrows on {@link GatewayErrorCode}.
 */
export const GATEWAY_ERROR_TABLE = ERROR_CODES;

/** A stable gateway error code. Adding one is additive; renaming one is a breaking change. */
export type GatewayErrorCode = ErrorCode;

/** Every gateway error code, in table order. */
export const GATEWAY_ERROR_CODES: GatewayErrorCode[] = [...ERROR_CODE_LIST];

/**
 * The one error class of the gateway. `code` is stable, `issues` are structured (`{ path, code, message }` with
 * JSON Pointer paths) and `message` is for people. Never carries tokens, keys or whole payloads.
 */
export class GatewayError extends Error {
  readonly code: GatewayErrorCode;
  readonly issues: readonly ProtocolIssueLike[];
  /** Extra facts safe to return to the caller (e.g. `supportedVersions`, an existing plan's state). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: GatewayErrorCode,
    message: string,
    options: {
      issues?: readonly ProtocolIssueLike[];
      details?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.issues = options.issues ?? [];
    this.details = options.details ?? {};
  }

  /** The HTTP status of this error's code. */
  get httpStatus(): number {
    return GATEWAY_ERROR_TABLE[this.code].http;
  }
}

/** A structured issue: a protocol issue, or a gateway issue with its own code. */
export interface ProtocolIssueLike {
  path: string;
  code: ProtocolIssue['code'] | (string & {});
  message: string;
}

/** True when `value` is a {@link GatewayError}, optionally with one of `codes`. */
export function isGatewayError(
  value: unknown,
  ...codes: GatewayErrorCode[]
): value is GatewayError {
  return value instanceof GatewayError && (codes.length === 0 || codes.includes(value.code));
}

/** Cuts a message to the protocol's text limit (an empty one becomes `Error`). */
export function wireText(text: string): string {
  return text.slice(0, LIMITS.MAX_TEXT_LENGTH) || 'Error';
}

/**
 * The wire form (`ErrorEnvelope` of `@handoff/protocol`) of a {@link GatewayError}: its `code`, `message` and
 * `issues` (cut to the protocol's limits), plus `supportedVersions` for `UNSUPPORTED_VERSION`. What a refused
 * call answers in `error.data.handoff`, and what `plans.submitBatch` answers for a refused item.
 */
export function gatewayErrorEnvelope(error: GatewayError): ErrorEnvelope {
  const supported = error.details.supportedVersions;
  return {
    protocolVersion: HANDOFF_PROTOCOL_VERSION,
    kind: 'ErrorEnvelope',
    code: error.code,
    message: wireText(error.message),
    issues: error.issues
      .slice(0, LIMITS.MAX_ISSUES)
      .map((i) => ({ ...i, message: wireText(i.message) })),
    ...(Array.isArray(supported) ? { supportedVersions: supported.map(String) } : {}),
  };
}

/**
 * A request input that failed its zod schema, as a `VALIDATION_FAILED` error a caller can act on: one issue per zod
 * issue (JSON Pointer path into the input, zod's code upper-cased, e.g. `TOO_BIG`), each message naming the field
 * and what it accepts (`limit: Too big: expected number to be <=500`; a whole-input issue keeps the schema's own
 * message, e.g. lineage.trace's "Expected exactly one of planId, idempotencyKey or actionId ..."), and a message
 * that names the procedure and the first issue, so even a client that shows only `message` learns what to send.
 *
 * @param procedure - the tRPC path (`lineage.trace`), when known.
 */
export function inputValidationError(error: ZodError, procedure?: string): GatewayError {
  const issues = error.issues.map((i) => {
    const field = i.path.map(String).join('.');
    return {
      path: toJsonPointer(i.path),
      code: i.code.toUpperCase(),
      message: field === '' ? i.message : `${field}: ${i.message}`,
    };
  });
  const first = issues[0]?.message ?? 'Invalid input';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more, see issues)` : '';
  const subject = procedure === undefined ? 'The request input is invalid' : `${procedure} input`;
  return new GatewayError('VALIDATION_FAILED', `${subject}: ${first}${more}`, {
    issues,
    cause: error,
  });
}
