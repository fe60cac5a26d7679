import { type ErrorEnvelope, HANDOFF_PROTOCOL_VERSION } from '@handoff/protocol';
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import type { Authenticator } from '../auth/authenticate.js';
import type { Principal } from '../auth/principal.js';
import { authenticateSession, cookieValue, SESSION_COOKIE } from '../auth/sessions.js';
import {
  GATEWAY_ERROR_TABLE,
  GatewayError,
  type GatewayErrorCode,
  gatewayErrorEnvelope,
  inputValidationError,
  wireText,
} from '../errors.js';
import type { Gateway } from '../gateway.js';
import { currentRequestId } from '../observability/request-context.js';
import { ATTR, annotateActiveSpan } from '../observability/tracing.js';
import { isStoreUnavailable } from '../store/store-unavailable.js';

/** Per-request context: the gateway, the authenticator and the raw `Authorization` header. */
export interface ApiContext {
  gateway: Gateway;
  authenticator: Authenticator;
  authorization: string | undefined;
  /**
   * The raw `x-handoff-submitted-via` header (`SUBMITTED_VIA_HEADER`): read only by `plans.submit`, after the
   * request is authenticated (see `submittedViaOf`). In process: absent.
   */
  submittedVia?: string | undefined;
  /** Over HTTP: false when the request body held invalid UTF-8 (see `watchUtf8`). In process: absent. */
  bodyIsUtf8?: () => boolean;
  /** Over HTTP: the raw `Cookie` header (a console session's `handoff_session`). */
  cookie?: string | undefined;
  /** Over HTTP: the `x-handoff-csrf` header (`CSRF_HEADER`). */
  csrf?: string | undefined;
  /** Over HTTP: true when the request came over TLS (the session cookie is then `Secure`). */
  secure?: boolean;
  /** Over HTTP: adds a `Set-Cookie` header to the answer. */
  setCookie?: (value: string) => void;
}

const TRPC_TO_GATEWAY: Partial<Record<TRPCError['code'], GatewayErrorCode>> = {
  BAD_REQUEST: 'VALIDATION_FAILED',
  PARSE_ERROR: 'VALIDATION_FAILED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  // The transport refuses these before any procedure runs (a GET of a mutation, a body that is not JSON): the
  // request is at fault, so they are not INTERNAL.
  METHOD_NOT_SUPPORTED: 'VALIDATION_FAILED',
  UNSUPPORTED_MEDIA_TYPE: 'VALIDATION_FAILED',
  UNAUTHORIZED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
};

/** The wire error (`ErrorEnvelope`) of any error a procedure ends with. */
export function toEnvelope(error: TRPCError): ErrorEnvelope {
  const cause = error.cause;
  if (cause instanceof GatewayError) return gatewayErrorEnvelope(cause);
  if (cause instanceof ZodError) return gatewayErrorEnvelope(inputValidationError(cause));
  const code = TRPC_TO_GATEWAY[error.code] ?? 'INTERNAL';
  // Internal errors keep their details in the server log, never in the response.
  const message =
    code === 'INTERNAL'
      ? 'Internal error'
      : error.code === 'PAYLOAD_TOO_LARGE' && error.message === error.code
        ? 'The request body is larger than this gateway accepts'
        : wireText(error.message);
  return {
    protocolVersion: HANDOFF_PROTOCOL_VERSION,
    kind: 'ErrorEnvelope',
    code,
    message,
    issues: [],
  };
}

const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error }) {
    const envelope = toEnvelope(error);
    return {
      ...shape,
      message: envelope.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        handoff: envelope,
      },
    };
  },
});

/**
 * Turns a thrown {@link GatewayError} into the tRPC error of its code (one table: `GATEWAY_ERROR_TABLE`), and an
 * input that failed its zod schema into `VALIDATION_FAILED` naming the procedure and each field (see
 * `inputValidationError`), the same in process and over HTTP.
 */
const mapErrors = t.middleware(async ({ next, path }) => {
  const result = await next();
  // The input parser's refusal (BAD_REQUEST with the ZodError as cause); a ZodError inside a procedure is not one.
  if (!result.ok && result.error.code === 'BAD_REQUEST' && result.error.cause instanceof ZodError) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      cause: inputValidationError(result.error.cause, path),
    });
  }
  if (!result.ok) {
    // A database that did not answer: nothing was recorded, and the caller may retry (here or on another replica).
    const cause = isStoreUnavailable(result.error.cause)
      ? new GatewayError(
          'DATABASE_UNAVAILABLE',
          'The gateway cannot reach its database; nothing was recorded: retry later',
        )
      : result.error.cause;
    if (cause instanceof GatewayError) {
      throw new TRPCError({
        code: GATEWAY_ERROR_TABLE[cause.code].trpc,
        message: cause.message,
        cause,
      });
    }
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Refuses a request whose body was not UTF-8 before its input is parsed (RFC 8259 section 8.1). */
const requireUtf8 = t.middleware(({ ctx, next }) => {
  if (ctx.bodyIsUtf8 && !ctx.bodyIsUtf8()) {
    const message = 'The request body is not valid UTF-8 (RFC 8259 section 8.1)';
    throw new GatewayError('VALIDATION_FAILED', message, {
      issues: [{ path: '', code: 'INVALID_UTF8', message }],
    });
  }
  return next();
});

/** A procedure anyone may call (health). */
export const publicProcedure = t.procedure.use(mapErrors).use(requireUtf8);

/**
 * A procedure that needs an authenticated principal (roles are checked by the gateway's access table): from the
 * `Authorization` bearer credential, or, when there is none, from the console session of the `handoff_session`
 * cookie, whose mutations must carry the session's CSRF token in `x-handoff-csrf` (see `authenticateSession`).
 */
export const authedProcedure = publicProcedure.use(async ({ ctx, next, type }) => {
  if (ctx.authorization === undefined && cookieValue(ctx.cookie, SESSION_COOKIE) !== undefined) {
    const { principal, session, id } = await authenticateSession(
      ctx.gateway.console.context.sessions,
      {
        cookie: ctx.cookie,
        csrf: ctx.csrf,
        mutation: type === 'mutation',
      },
    );
    annotateActiveSpan({ [ATTR.tenant]: principal.tenantId });
    return next({ ctx: { ...ctx, principal, session: { id, session } } });
  }
  const principal: Principal = await ctx.authenticator.authenticate(ctx.authorization);
  annotateActiveSpan({ [ATTR.tenant]: principal.tenantId });
  return next({ ctx: { ...ctx, principal, session: undefined } });
});

/** What the HTTP server tells its `onError` of each error a procedure ends in (never a token or payload). */
export type ProcedureErrorReport = (info: {
  path: string | undefined;
  code: string;
  message: string;
  requestId: string | undefined;
}) => void;

/** The `onError` of a tRPC adapter that passes each error on to `report`, with the current request id. */
export function reportErrorsTo(report: ProcedureErrorReport | undefined) {
  return ({ path, error }: { path: string | undefined; error: TRPCError }): void =>
    report?.({ path, code: error.code, message: error.message, requestId: currentRequestId() });
}
