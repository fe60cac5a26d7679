import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { ERROR_CODE_LIST, ERROR_CODES, ROLES, WIRE_PROCEDURES } from '../src/index.js';

/*
 * Surface pins of the wire API: every procedure path with its kind, and every error code with its HTTP status.
 * Vendors in any language call these paths and branch on these codes, so renaming or removing one, changing a
 * procedure's kind or moving a code to another status is a breaking change (next major version) and this test
 * fails on purpose. Adding one is additive: add it to WIRE_PROCEDURES or ERROR_CODES AND to the literal list
 * below, and release it in the next minor version (VERSIONING.md). The lists are literal on purpose.
 */
const PINNED_PROCEDURES = {
  health: 'query',
  'plans.submit': 'mutation',
  'plans.submitBatch': 'mutation',
  'plans.dryRun': 'mutation',
  'plans.get': 'query',
  'plans.list': 'query',
  'plans.cancel': 'mutation',
  'plans.rollback': 'mutation',
  'approvals.submit': 'mutation',
  'approvers.list': 'query',
  'approvers.register': 'mutation',
  'approvers.revoke': 'mutation',
  'approvers.rotate': 'mutation',
  'budget.getCaps': 'query',
  'budget.setCaps': 'mutation',
  'control.pause': 'mutation',
  'control.resume': 'mutation',
  'control.list': 'query',
  'dispatch.list': 'query',
  'dispatch.retry': 'mutation',
  'dispatch.abandon': 'mutation',
  'dispatch.confirm': 'mutation',
  'lineage.proveConsistency': 'query',
  'lineage.proveInclusion': 'query',
  'lineage.query': 'query',
  'lineage.trace': 'query',
  'lineage.treeHead': 'query',
  'outcomes.report': 'mutation',
  'copilots.calibration': 'query',
  'policy.get': 'query',
  'policy.shadow': 'mutation',
  'approvers.invite': 'mutation',
  'passkeys.enrolOptions': 'mutation',
  'passkeys.enrol': 'mutation',
  'session.signInOptions': 'mutation',
  'session.signIn': 'mutation',
  'session.get': 'query',
  'session.signOut': 'mutation',
  'approvals.view': 'query',
  'approvals.passkeyOptions': 'mutation',
  'approvals.submitPasskey': 'mutation',
} as const;

const PINNED_HTTP_STATUS = {
  VALIDATION_FAILED: 400,
  UNSUPPORTED_VERSION: 400,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
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
  APPROVAL_SPEND_WIDENED: 422,
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
  BUDGET_CAPS_EMPTY: 400,
  SCOPE_PAUSED: 412,
  BUDGET_EXCEEDED: 409,
  BUDGET_COST_UNDERSTATED: 422,
  DISPATCH_STATE_CONFLICT: 409,
  PLAN_EXPIRED: 409,
  PLAN_NOT_DISPATCHED: 409,
  ROLLBACK_ALREADY_REQUESTED: 409,
  OUTCOME_NOT_DISPATCHED: 409,
  OUTCOME_KPI_MISMATCH: 422,
  OUTCOME_HORIZON_NOT_OVER: 409,
  OUTCOME_REPORT_CONFLICT: 409,
  ENROLMENT_TOKEN_INVALID: 401,
  PASSKEY_VERIFICATION_FAILED: 401,
  CSRF_TOKEN_INVALID: 403,
  APPROVAL_VIEW_MISMATCH: 409,
  CONFIG_INVALID: 500,
  KEY_SOURCE_UNAVAILABLE: 503,
  DATABASE_IN_USE: 503,
  DATABASE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

describe('wire API surface pins', () => {
  test('every procedure path and its kind', () => {
    const actual = Object.fromEntries(Object.entries(WIRE_PROCEDURES).map(([p, w]) => [p, w.kind]));
    expect(actual).toEqual(PINNED_PROCEDURES);
  });

  test('every error code and its HTTP status', () => {
    const actual = Object.fromEntries(Object.entries(ERROR_CODES).map(([c, e]) => [c, e.http]));
    expect(actual).toEqual(PINNED_HTTP_STATUS);
    expect([...ERROR_CODE_LIST]).toEqual(Object.keys(PINNED_HTTP_STATUS));
  });
});

const PUBLIC = [
  'health',
  'passkeys.enrolOptions',
  'passkeys.enrol',
  'session.signInOptions',
  'session.signIn',
];

describe('the wire API describes itself completely', () => {
  const entries = Object.entries(WIRE_PROCEDURES);

  test.each(entries)('%s lists known errors, known roles and a summary', (path, procedure) => {
    const errors: readonly string[] = procedure.errors;
    for (const code of errors) expect(ERROR_CODE_LIST, `${path} lists ${code}`).toContain(code);
    expect(new Set(errors).size).toBe(errors.length);
    for (const role of procedure.roles) expect(ROLES).toContain(role);
    expect(procedure.summary.length).toBeGreaterThan(10);
    expect(procedure.summary.length).toBeLessThanOrEqual(120);
    // Health and the console's sign-in and enrolment are public; every other procedure needs a credential and a role.
    if (PUBLIC.includes(path)) expect(procedure.roles).toEqual([]);
    else {
      const authed = ['UNAUTHENTICATED', 'FORBIDDEN', 'KEY_SOURCE_UNAVAILABLE', 'INTERNAL'];
      expect(errors).toEqual(expect.arrayContaining(authed));
    }
    // Every POST body is held to the gateway's body limit.
    if (procedure.kind === 'mutation') expect(errors).toContain('PAYLOAD_TOO_LARGE');
    // A procedure with input refuses a bad one with VALIDATION_FAILED.
    if (procedure.input !== null) expect(errors).toContain('VALIDATION_FAILED');
  });

  test('every code a call can answer is listed by some procedure', () => {
    const listed = new Set<string>(Object.values(WIRE_PROCEDURES).flatMap((w) => [...w.errors]));
    // Retired codes (kept, never reused) and codes of start-up and the CLI, not of a call.
    const notOfACall = [
      'APPROVAL_PLAN_MISMATCH',
      'APPROVAL_TENANT_MISMATCH',
      'CONFIG_INVALID',
      'DATABASE_IN_USE',
      'DATABASE_UNAVAILABLE',
    ];
    expect(ERROR_CODE_LIST.filter((c) => !listed.has(c))).toEqual(notOfACall);
  });

  test('every code has a one-line summary and a 4xx or 5xx status', () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      expect(entry.summary.length, code).toBeGreaterThan(10);
      expect(entry.summary, code).not.toContain('\n');
      expect(entry.http >= 400 && entry.http < 600, code).toBe(true);
    }
  });

  test.each(entries)(
    '%s input and output convert to JSON Schema (for the OpenAPI document)',
    (_p, w) => {
      const options = { target: 'draft-2020-12', unrepresentable: 'throw' } as const;
      if (w.input !== null)
        expect(z.toJSONSchema(w.input, { ...options, io: 'input' })).toBeTypeOf('object');
      expect(z.toJSONSchema(w.output, { ...options, io: 'output' })).toBeTypeOf('object');
    },
  );

  test('inputs refuse unknown members and name what is accepted', () => {
    const trace = WIRE_PROCEDURES['lineage.trace'].input.safeParse({});
    expect(trace.success).toBe(false);
    expect(trace.error?.issues[0]?.message).toContain('planId, idempotencyKey or actionId');
    const get = WIRE_PROCEDURES['plans.get'].input.safeParse({ planId: 'x', extra: 1 });
    expect(get.error?.issues.map((i) => i.code)).toContain('unrecognized_keys');
  });
});
