import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { describe, expect, test } from 'vitest';
import { GATEWAY_ERROR_CODES, GATEWAY_ERROR_TABLE } from '../../src/errors.js';

/*
 * Surface pin: every gateway error code with the HTTP status it answers. Clients (the copilot adapter, vendors in
 * other languages, operators' scripts) branch on these, so renaming or removing a code, or moving it to another
 * status, is a breaking change and this test fails on purpose.
 *
 * Adding a code is additive: add it to ERROR_CODES in packages/protocol/src/wire/error-codes.ts (near related
 * codes; GATEWAY_ERROR_TABLE is that table) AND to the literal list below and to the protocol's
 * test/wire-surface.test.ts, document it where the API is documented (the gateway README, the copilot adapter's
 * HTTP.md), and release it in the next minor version (packages/protocol/VERSIONING.md: "a new issue code or
 * gateway error code"). The list is literal on purpose: a change to the public surface must be a visible edit of
 * this file in review.
 */
const PINNED_HTTP_STATUS = {
  VALIDATION_FAILED: 400,
  UNSUPPORTED_VERSION: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PLAN_CONFLICT: 409,
  ILLEGAL_TRANSITION: 409,
  PLAN_NOT_AWAITING_APPROVAL: 409,
  APPROVAL_MALFORMED: 400,
  APPROVAL_ALG_NOT_ALLOWED: 401,
  APPROVAL_UNKNOWN_KEY: 401,
  APPROVAL_INVALID_SIGNATURE: 401,
  APPROVAL_EXPIRED: 401,
  APPROVAL_NOT_YET_VALID: 401,
  APPROVAL_WRONG_AUDIENCE: 401,
  APPROVAL_REPLAYED: 409,
  APPROVAL_PLAN_MISMATCH: 422,
  APPROVAL_DIGEST_MISMATCH: 422,
  APPROVAL_POLICY_MISMATCH: 422,
  APPROVAL_OPTION_INVALID: 422,
  APPROVAL_SPEND_TOO_LOW: 422,
  APPROVAL_ROLE_NOT_REQUIRED: 403,
  APPROVAL_SELF_APPROVAL: 403,
  APPROVAL_DUPLICATE_APPROVER: 409,
  APPROVAL_KEY_NOT_REGISTERED: 401,
  APPROVAL_KEY_REVOKED: 401,
  APPROVAL_SUBJECT_MISMATCH: 403,
  APPROVAL_TENANT_MISMATCH: 403,
  APPROVAL_ROLE_NOT_HELD: 403,
  APPROVER_REGISTRY_CONFLICT: 409,
  BUDGET_CAP_INVALID: 400,
  SCOPE_PAUSED: 412,
  BUDGET_EXCEEDED: 409,
  BUDGET_COST_UNDERSTATED: 422,
  DISPATCH_STATE_CONFLICT: 409,
  PLAN_EXPIRED: 409,
  CONFIG_INVALID: 500,
  KEY_SOURCE_UNAVAILABLE: 503,
  DATABASE_IN_USE: 503,
  INTERNAL: 500,
} as const;

describe('gateway error code surface', () => {
  test('every code and its HTTP status are the pinned ones', () => {
    const actual = Object.fromEntries(
      Object.entries(GATEWAY_ERROR_TABLE).map(([code, { http }]) => [code, http]),
    );
    expect(actual).toEqual(PINNED_HTTP_STATUS);
    expect([...GATEWAY_ERROR_CODES].sort()).toEqual(Object.keys(PINNED_HTTP_STATUS).sort());
  });

  test.each(Object.entries(GATEWAY_ERROR_TABLE))(
    '%s answers its HTTP status through the tRPC code it maps to',
    (_code, { trpc, http }) => {
      expect(getHTTPStatusCodeFromError(new TRPCError({ code: trpc }))).toBe(http);
    },
  );
});
