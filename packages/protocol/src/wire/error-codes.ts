/**
 * Every error code the Handoff gateway answers, with its HTTP status, the tRPC error code it travels under and a
 * one-line summary for people. The code is what callers branch on: it arrives as `error.data.handoff.code` (the
 * `ErrorEnvelope`) of a refused call, and as `error.code` of a refused `plans.submitBatch` item.
 *
 * Adding a code is additive (next minor version); renaming or removing one, or moving it to another HTTP status,
 * is a breaking change. A code no longer emitted stays listed: codes are never reused for another meaning.
 */
export const ERROR_CODES = {
  // Request and input
  VALIDATION_FAILED: {
    http: 400,
    trpc: 'BAD_REQUEST',
    summary:
      'The input does not match the procedure schema; issues name each field (JSON Pointer) and what it accepts.',
  },
  UNSUPPORTED_VERSION: {
    http: 400,
    trpc: 'BAD_REQUEST',
    summary:
      'The document names a protocolVersion this gateway does not support; see supportedVersions.',
  },
  PAYLOAD_TOO_LARGE: {
    http: 413,
    trpc: 'PAYLOAD_TOO_LARGE',
    summary:
      'The request body is larger than the gateway accepts (listen.maxBodyBytes, default 1 MiB).',
  },
  RATE_LIMITED: {
    http: 429,
    trpc: 'TOO_MANY_REQUESTS',
    summary:
      'Too many requests of this kind are open (e.g. sign-in challenges past console.maxOpenSignInChallenges); nothing was recorded. Retry later.',
  },
  // Access
  UNAUTHENTICATED: {
    http: 401,
    trpc: 'UNAUTHORIZED',
    summary:
      'No valid bearer credential, or a plan provenance signature that does not verify (PROVENANCE_* issues).',
  },
  FORBIDDEN: {
    http: 403,
    trpc: 'FORBIDDEN',
    summary:
      "The caller's roles do not allow this procedure, or the object belongs to another tenant.",
  },
  NOT_FOUND: {
    http: 404,
    trpc: 'NOT_FOUND',
    summary: 'No such plan, approver key, dispatch or trace target visible to the caller.',
  },
  // Plan lifecycle
  PLAN_CONFLICT: {
    http: 409,
    trpc: 'CONFLICT',
    summary: 'This planId was already submitted with another digest.',
  },
  ILLEGAL_TRANSITION: {
    http: 409,
    trpc: 'CONFLICT',
    summary:
      'The plan is in a state that does not allow this move (e.g. cancelling a dispatching plan).',
  },
  PLAN_NOT_AWAITING_APPROVAL: {
    http: 409,
    trpc: 'CONFLICT',
    summary:
      'The plan is not awaiting approval (decided, cancelled, or its approval window has elapsed).',
  },
  // Signed approvals (each refusal is also recorded in lineage)
  APPROVAL_MALFORMED: {
    http: 400,
    trpc: 'BAD_REQUEST',
    summary: 'The approval token is not a well-formed compact JWS with the required claims.',
  },
  APPROVAL_ALG_NOT_ALLOWED: {
    http: 401,
    trpc: 'UNAUTHORIZED',
    summary: 'The approval token is signed with an algorithm other than EdDSA (Ed25519) or ES256.',
  },
  APPROVAL_UNKNOWN_KEY: {
    http: 401,
    trpc: 'UNAUTHORIZED',
    summary: "The approval token's kid names no key the gateway knows.",
  },
  APPROVAL_INVALID_SIGNATURE: {
    http: 401,
    trpc: 'UNAUTHORIZED',
    summary: "The approval token's signature does not verify with its key.",
  },
  APPROVAL_EXPIRED: {
    http: 401,
    trpc: 'UNAUTHORIZED',
    summary: 'The approval token has expired (exp in the past, beyond the allowed clock skew).',
  },
  APPROVAL_NOT_YET_VALID: {
    http: 401,
    trpc: 'UNAUTHORIZED',
    summary:
      'The approval token is not valid yet (nbf or iat in the future, beyond the allowed clock skew).',
  },
  APPROVAL_WRONG_AUDIENCE: {
    http: 401,
    trpc: 'UNAUTHORIZED',
    summary: "The approval token's aud is not this gateway.",
  },
  APPROVAL_REPLAYED: {
    http: 409,
    trpc: 'CONFLICT',
    summary: "The approval token's jti was already used.",
  },
  APPROVAL_PLAN_MISMATCH: {
    http: 422,
    trpc: 'UNPROCESSABLE_CONTENT',
    summary:
      'Reserved: the approval names another plan (not emitted today; an unknown plan answers NOT_FOUND).',
  },
  APPROVAL_DIGEST_MISMATCH: {
    http: 422,
    trpc: 'UNPROCESSABLE_CONTENT',
    summary: "The approval's planDigest is not the digest of the plan as submitted.",
  },
  APPROVAL_POLICY_MISMATCH: {
    http: 422,
    trpc: 'UNPROCESSABLE_CONTENT',
    summary: "The approval's policyVersion is not the one the plan was evaluated under.",
  },
  APPROVAL_OPTION_INVALID: {
    http: 422,
    trpc: 'UNPROCESSABLE_CONTENT',
    summary: 'The approval names an option the plan does not have, or one policy denies.',
  },
  APPROVAL_SPEND_TOO_LOW: {
    http: 422,
    trpc: 'UNPROCESSABLE_CONTENT',
    summary:
      "The approval's maxSpend is below the option's estimated cost (or in another currency).",
  },
  APPROVAL_SPEND_WIDENED: {
    http: 422,
    trpc: 'UNPROCESSABLE_CONTENT',
    summary:
      "The approval's maxSpend exceeds the option's budget: an approver may narrow the maximum spend, never widen it.",
  },
  APPROVAL_ROLE_NOT_REQUIRED: {
    http: 403,
    trpc: 'FORBIDDEN',
    summary: "The approver's role is not one any open gate of the plan asks for.",
  },
  APPROVAL_SELF_APPROVAL: {
    http: 403,
    trpc: 'FORBIDDEN',
    summary:
      "Separation of duties: the approver, its key or the presenting principal is the plan's submitter or a copilot.",
  },
  APPROVAL_DUPLICATE_APPROVER: {
    http: 409,
    trpc: 'CONFLICT',
    summary: 'This approver has already approved or rejected the plan.',
  },
  // The approver registry: identity, tenant and roles come from the registration of the key that verified
  APPROVAL_KEY_NOT_REGISTERED: {
    http: 401,
    trpc: 'UNAUTHORIZED',
    summary:
      "The approval token's kid is not registered as an approver key in the caller's tenant.",
  },
  APPROVAL_KEY_REVOKED: {
    http: 401,
    trpc: 'UNAUTHORIZED',
    summary: 'The approval token is signed with a revoked approver key.',
  },
  APPROVAL_SUBJECT_MISMATCH: {
    http: 403,
    trpc: 'FORBIDDEN',
    summary: "The token's sub is not the subject its key is registered to.",
  },
  APPROVAL_TENANT_MISMATCH: {
    http: 403,
    trpc: 'FORBIDDEN',
    summary:
      "No longer emitted (another tenant's kid answers APPROVAL_KEY_NOT_REGISTERED); kept, never reused.",
  },
  APPROVAL_ROLE_NOT_HELD: {
    http: 403,
    trpc: 'FORBIDDEN',
    summary: "The token claims a role its key's registration does not hold.",
  },
  APPROVER_REGISTRY_CONFLICT: {
    http: 409,
    trpc: 'CONFLICT',
    summary:
      'The kid or key is already registered in this tenant, already revoked, or names a copilot.',
  },
  // Budget and control
  BUDGET_CAP_INVALID: {
    http: 400,
    trpc: 'BAD_REQUEST',
    summary:
      'A budget cap set is invalid (unknown time zone, duplicate cap, scope of another tenant).',
  },
  BUDGET_CAPS_EMPTY: {
    http: 400,
    trpc: 'BAD_REQUEST',
    summary:
      'budget.setCaps with an empty list would remove every cap: send force: true to mean it.',
  },
  SCOPE_PAUSED: {
    http: 412,
    trpc: 'PRECONDITION_FAILED',
    summary: 'A kill switch pauses a scope covering the plan or option; resume the scope first.',
  },
  BUDGET_EXCEEDED: {
    http: 409,
    trpc: 'CONFLICT',
    summary:
      'A budget cap has no room for the option; the plan view names the cap, period, amount and headroom.',
  },
  BUDGET_COST_UNDERSTATED: {
    http: 422,
    trpc: 'UNPROCESSABLE_CONTENT',
    summary:
      'An action would be charged more than the cost the plan declares for it; resubmit declaring at least that.',
  },
  // Dispatch (operator actions on dead letters and in-doubt rows)
  DISPATCH_STATE_CONFLICT: {
    http: 409,
    trpc: 'CONFLICT',
    summary:
      'The dispatch is not in a status this resolution applies to (retry: dead; confirm: in_doubt).',
  },
  PLAN_EXPIRED: {
    http: 409,
    trpc: 'CONFLICT',
    summary:
      'The plan has expired: its approvals no longer hold, so its dispatches cannot be retried.',
  },
  // Rollback (plans.rollback)
  PLAN_NOT_DISPATCHED: {
    http: 409,
    trpc: 'CONFLICT',
    summary:
      'The plan has not finished dispatching with at least one action done (dispatched or partially_failed).',
  },
  ROLLBACK_ALREADY_REQUESTED: {
    http: 409,
    trpc: 'CONFLICT',
    summary:
      "The plan's rollback is already queued (or this operator already asked or approved); nothing is queued twice.",
  },
  // Outcomes (outcome reports of dispatched plans)
  OUTCOME_NOT_DISPATCHED: {
    http: 409,
    trpc: 'CONFLICT',
    summary:
      'The outcome names a plan (or action) that was never dispatched; report once its dispatch succeeded.',
  },
  OUTCOME_KPI_MISMATCH: {
    http: 422,
    trpc: 'UNPROCESSABLE_CONTENT',
    summary:
      "The outcome's KPI, unit or currency differs from the forecast of the plan's option in play.",
  },
  OUTCOME_HORIZON_NOT_OVER: {
    http: 409,
    trpc: 'CONFLICT',
    summary:
      "The forecast's horizon is not over at observedAt (or now); send it with interim: true, or later.",
  },
  OUTCOME_REPORT_CONFLICT: {
    http: 409,
    trpc: 'CONFLICT',
    summary: 'This reportId was already recorded with another report digest.',
  },
  // The console: people, passkeys and sessions
  ENROLMENT_TOKEN_INVALID: {
    http: 401,
    trpc: 'UNAUTHORIZED',
    summary:
      'The enrolment link is unknown, already used or expired: ask an operator for a new one.',
  },
  PASSKEY_VERIFICATION_FAILED: {
    http: 401,
    trpc: 'UNAUTHORIZED',
    summary:
      'The WebAuthn registration or assertion does not verify (unknown credential, challenge, origin or signature).',
  },
  CSRF_TOKEN_INVALID: {
    http: 403,
    trpc: 'FORBIDDEN',
    summary:
      'A mutation made with a session cookie lacks the x-handoff-csrf header equal to the session CSRF token.',
  },
  APPROVAL_VIEW_MISMATCH: {
    http: 409,
    trpc: 'CONFLICT',
    summary:
      'The view digest is not the one of the stored plan and option (stale or altered page): reload and review.',
  },
  // Configuration and internals
  CONFIG_INVALID: {
    http: 500,
    trpc: 'INTERNAL_SERVER_ERROR',
    summary:
      'The gateway configuration is invalid (reported at start-up, or by an operator reload).',
  },
  KEY_SOURCE_UNAVAILABLE: {
    http: 503,
    trpc: 'SERVICE_UNAVAILABLE',
    summary: 'A key source (JWKS) could not be read; transient, retry later.',
  },
  DATABASE_IN_USE: {
    http: 503,
    trpc: 'SERVICE_UNAVAILABLE',
    summary: 'The database is held by another process; transient, retry later.',
  },
  DATABASE_UNAVAILABLE: {
    http: 503,
    trpc: 'SERVICE_UNAVAILABLE',
    summary:
      'The gateway cannot reach its database; nothing was recorded. Transient: retry later, or on another replica.',
  },
  INTERNAL: {
    http: 500,
    trpc: 'INTERNAL_SERVER_ERROR',
    summary: 'An unexpected failure; details stay in the server log.',
  },
} as const satisfies Record<string, { http: number; trpc: string; summary: string }>;

/** A stable error code of the gateway (a key of {@link ERROR_CODES}). */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Every error code, in table order. */
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];
