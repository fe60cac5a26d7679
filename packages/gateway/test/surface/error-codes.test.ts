import { ERROR_CODES } from '@handoff/protocol';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { describe, expect, test } from 'vitest';
import { GATEWAY_ERROR_CODES, GATEWAY_ERROR_TABLE } from '../../src/errors.js';

/*
 * Surface pin: every gateway error code with the HTTP status it answers. Clients (the copilot adapter, vendors in
 * other languages, operators' scripts) branch on these, so renaming or removing a code, or moving it to another
 * status, is a breaking change. The codes and their statuses are pinned, literally, in the protocol's
 * test/wire-surface.test.ts: the table lives in the wire API (ERROR_CODES of @handoff/protocol,
 * packages/protocol/src/wire/error-codes.ts) and the gateway answers exactly that table.
 *
 * Adding a code is additive: add it to ERROR_CODES (near related codes) AND to the pinned list in the protocol's
 * wire-surface test, document it where the API is documented (the gateway README, the copilot adapter's HTTP.md),
 * and release it in the next minor version (packages/protocol/VERSIONING.md: "a new issue code or gateway error
 * code").
 */
describe('gateway error code surface', () => {
  test("the gateway's table is the wire API's, in the same order", () => {
    expect(GATEWAY_ERROR_TABLE).toBe(ERROR_CODES);
    expect(GATEWAY_ERROR_CODES).toEqual(Object.keys(ERROR_CODES));
  });

  test.each(Object.entries(GATEWAY_ERROR_TABLE))(
    '%s answers its HTTP status through the tRPC code it maps to',
    (_code, { trpc, http }) => {
      expect(getHTTPStatusCodeFromError(new TRPCError({ code: trpc }))).toBe(http);
    },
  );
});
