import { HANDOFF_PROTOCOL_VERSION } from '@handoff/protocol';
import { describe, expect, test } from 'vitest';
import { HandoffClientError, ISSUE_HINTS, refusalHints } from '../src/index.js';

function refused(code: string, issues: { path: string; code: string; message: string }[]) {
  return new HandoffClientError(code, 'refused', {
    envelope: {
      protocolVersion: HANDOFF_PROTOCOL_VERSION,
      kind: 'ErrorEnvelope',
      code,
      message: 'refused',
      issues,
    },
  });
}

describe('refusalHints', () => {
  test('protocol issue codes get the same hints as validatePlan, specialised by path', () => {
    const hints = refusalHints(
      refused('VALIDATION_FAILED', [
        { path: '/createdAt', code: 'INVALID_FORMAT', message: 'bad time' },
        { path: '/options/0/budget/amount/amountMinor', code: 'MONEY_NOT_INTEGER', message: 'x' },
      ]),
    );
    expect(hints.code).toBe('VALIDATION_FAILED');
    expect(hints.hint).toMatch(/Fix every issue/);
    expect(hints.issues[0]?.hint).toMatch(/RFC 3339/);
    expect(hints.issues[1]?.hint).toBe(ISSUE_HINTS.MONEY_NOT_INTEGER);
  });

  test("the gateway's own issue codes have hints of their own; unknown ones a generic one", () => {
    const hints = refusalHints(
      refused('VALIDATION_FAILED', [
        { path: '/expiresAt', code: 'PLAN_ALREADY_EXPIRED', message: 'past' },
        { path: '/x', code: 'SOMETHING_NEW', message: 'new' },
      ]),
    );
    expect(hints.issues[0]?.hint).toMatch(/expiresAt/);
    expect(hints.issues[1]?.hint).toMatch(/as the message says/);
  });

  test('a transient failure is retryable; a code without a hint falls back to its summary', () => {
    expect(refusalHints(new HandoffClientError('NETWORK', 'down'))).toMatchObject({
      retryable: true,
      hint: expect.stringMatching(/try the same call again/),
    });
    const scope = refusalHints(refused('SCOPE_PAUSED', []));
    expect(scope.retryable).toBe(false);
    expect(scope.hint.length).toBeGreaterThan(10);
  });
});
