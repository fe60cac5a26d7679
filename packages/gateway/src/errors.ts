import {
  type ErrorEnvelope,
  HANDOFF_PROTOCOL_VERSION,
  LIMITS,
  type ProtocolIssue,
  toJsonPointer,
} from '@handoff/protocol';
import type { ZodError } from 'zod';

/**
 * Every code a {@link GatewayError} can carry, with the tRPC error code and HTTP status it maps to. This is the
 * single table the API layer uses; `switch (err.code)` narrows on {@link GatewayErrorCode}.
 */
export const GATEWAY_ERROR_TABLE = {
  // Request and input
  VALIDATION_FAILED: { trpc: 'BAD_REQUEST', http: 400 },
  UNSUPPORTED_VERSION: { trpc: 'BAD_REQUEST', http: 400 },
  PAYLOAD_TOO_LARGE: { trpc: 'PAYLOAD_TOO_LARGE', http: 413 },
  // Access
  UNAUTHENTICATED: { trpc: 'UNAUTHORIZED', http: 401 },
  FORBIDDEN: { trpc: 'FORBIDDEN', http: 403 },
  NOT_FOUND: { trpc: 'NOT_FOUND', http: 404 },
  // Plan lifecycle
  PLAN_CONFLICT: { trpc: 'CONFLICT', http: 409 },
  ILLEGAL_TRANSITION: { trpc: 'CONFLICT', http: 409 },
  PLAN_NOT_AWAITING_APPROVAL: { trpc: 'CONFLICT', http: 409 },
  // Signed approvals (each refusal is also recorded in lineage)
  APPROVAL_MALFORMED: { trpc: 'BAD_REQUEST', http: 400 },
  APPROVAL_ALG_NOT_ALLOWED: { trpc: 'UNAUTHORIZED', http: 401 },
  APPROVAL_UNKNOWN_KEY: { trpc: 'UNAUTHORIZED', http: 401 },
  APPROVAL_INVALID_SIGNATURE: { trpc: 'UNAUTHORIZED', http: 401 },
  APPROVAL_EXPIRED: { trpc: 'UNAUTHORIZED', http: 401 },
  APPROVAL_NOT_YET_VALID: { trpc: 'UNAUTHORIZED', http: 401 },
  APPROVAL_WRONG_AUDIENCE: { trpc: 'UNAUTHORIZED', http: 401 },
  APPROVAL_REPLAYED: { trpc: 'CONFLICT', http: 409 },
  APPROVAL_PLAN_MISMATCH: { trpc: 'UNPROCESSABLE_CONTENT', http: 422 },
  APPROVAL_DIGEST_MISMATCH: { trpc: 'UNPROCESSABLE_CONTENT', http: 422 },
  APPROVAL_POLICY_MISMATCH: { trpc: 'UNPROCESSABLE_CONTENT', http: 422 },
  APPROVAL_OPTION_INVALID: { trpc: 'UNPROCESSABLE_CONTENT', http: 422 },
  APPROVAL_SPEND_TOO_LOW: { trpc: 'UNPROCESSABLE_CONTENT', http: 422 },
  APPROVAL_ROLE_NOT_REQUIRED: { trpc: 'FORBIDDEN', http: 403 },
  APPROVAL_SELF_APPROVAL: { trpc: 'FORBIDDEN', http: 403 },
  APPROVAL_DUPLICATE_APPROVER: { trpc: 'CONFLICT', http: 409 },
  // The approver registry: identity, tenant and roles come from the registration of the key that verified
  APPROVAL_KEY_NOT_REGISTERED: { trpc: 'UNAUTHORIZED', http: 401 },
  APPROVAL_KEY_REVOKED: { trpc: 'UNAUTHORIZED', http: 401 },
  APPROVAL_SUBJECT_MISMATCH: { trpc: 'FORBIDDEN', http: 403 },
  // No longer emitted: registries are per tenant, so another tenant's kid is APPROVAL_KEY_NOT_REGISTERED (as an
  // unused kid: no existence oracle across tenants). Kept: codes are public and never reused for another meaning.
  APPROVAL_TENANT_MISMATCH: { trpc: 'FORBIDDEN', http: 403 },
  APPROVAL_ROLE_NOT_HELD: { trpc: 'FORBIDDEN', http: 403 },
  APPROVER_REGISTRY_CONFLICT: { trpc: 'CONFLICT', http: 409 },
  // Budget and control
  BUDGET_CAP_INVALID: { trpc: 'BAD_REQUEST', http: 400 },
  SCOPE_PAUSED: { trpc: 'PRECONDITION_FAILED', http: 412 },
  BUDGET_EXCEEDED: { trpc: 'CONFLICT', http: 409 },
  BUDGET_COST_UNDERSTATED: { trpc: 'UNPROCESSABLE_CONTENT', http: 422 },
  // Dispatch (operator actions on dead letters and in-doubt rows)
  DISPATCH_STATE_CONFLICT: { trpc: 'CONFLICT', http: 409 },
  PLAN_EXPIRED: { trpc: 'CONFLICT', http: 409 },
  // Configuration and internals
  CONFIG_INVALID: { trpc: 'INTERNAL_SERVER_ERROR', http: 500 },
  KEY_SOURCE_UNAVAILABLE: { trpc: 'SERVICE_UNAVAILABLE', http: 503 },
  DATABASE_IN_USE: { trpc: 'SERVICE_UNAVAILABLE', http: 503 },
  INTERNAL: { trpc: 'INTERNAL_SERVER_ERROR', http: 500 },
} as const satisfies Record<string, { trpc: string; http: number }>;

/** A stable gateway error code. Adding one is additive; renaming one is a breaking change. */
export type GatewayErrorCode = keyof typeof GATEWAY_ERROR_TABLE;

/** Every gateway error code, in table order. */
export const GATEWAY_ERROR_CODES = Object.keys(GATEWAY_ERROR_TABLE) as GatewayErrorCode[];

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
