import { base64url } from 'jose';
import {
  type ApprovalInput,
  type CreateApprovalOptions,
  createApprovalToken,
} from '../../src/approvals/create-approval.js';
import { createKeySource, type KeyHeader, type KeySource } from '../../src/approvals/key-source.js';
import { generateSigningKeyPair, type SigningKeyPair } from '../../src/approvals/signing-keys.js';
import {
  type VerifiedApproval,
  type VerifyApprovalOptions,
  verifyApprovalToken,
} from '../../src/approvals/verify-approval.js';
import { ManualClock } from '../../src/clock.js';
import { GatewayError } from '../../src/errors.js';

/** Shared fixtures of the approval tests: keys are generated per test file, time is a frozen ManualClock. */

export const AUDIENCE = 'gateway-test';
export const START = '2026-11-21T14:00:00.000Z';
/** START as a NumericDate (seconds). */
export const START_SEC = Date.parse(START) / 1000;

/** A valid approval decision; `overrides` replace fields. */
export function approvalInput(overrides: Partial<ApprovalInput> = {}): ApprovalInput {
  return {
    iss: 'approver-cli',
    sub: 'alice@example.com',
    aud: AUDIENCE,
    planId: '01936b2e-1e3f-7c4a-8b2d-5f6e7a8b9c0d',
    planDigest: `sha256:${'a'.repeat(64)}`,
    optionId: 'option-a',
    policyVersion: `sha256:${'b'.repeat(64)}`,
    decision: 'approve',
    maxSpend: { amountMinor: 250_000, currency: 'USD' },
    role: 'finance',
    ...overrides,
  };
}

/** An EdDSA and an ES256 approver, and an inline key source holding both public keys. */
export async function keyring(): Promise<{
  ed: SigningKeyPair;
  ec: SigningKeyPair;
  keys: KeySource;
}> {
  const ed = await generateSigningKeyPair({ alg: 'EdDSA' });
  const ec = await generateSigningKeyPair({ alg: 'ES256' });
  const keys = createKeySource({ type: 'inline', jwks: { keys: [ed.publicJwk, ec.publicJwk] } });
  return { ed, ec, keys };
}

/** Signs `approvalInput(overrides)` at START with `pair`. */
export function sign(
  pair: SigningKeyPair,
  overrides: Partial<ApprovalInput> = {},
  options: CreateApprovalOptions = {},
): Promise<string> {
  return createApprovalToken(approvalInput(overrides), pair.privateJwk, {
    clock: new ManualClock(START),
    ...options,
  });
}

/** Verifies at `at` (default START) for AUDIENCE. */
export function verify(
  token: string,
  keys: KeySource,
  options: Partial<VerifyApprovalOptions> & { at?: number | string } = {},
): Promise<VerifiedApproval> {
  const { at, ...rest } = options;
  return verifyApprovalToken(token, {
    keys,
    audience: AUDIENCE,
    clock: new ManualClock(at ?? START),
    ...rest,
  });
}

/** The GatewayError `promise` rejects with (fails the test when it resolves or throws something else). */
export async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError, but the promise resolved');
}

/** A compact JWS assembled by hand from a header, a payload and a (possibly empty) signature. */
export function craftToken(header: object, payload: object, signature = ''): string {
  const encode = (value: object) => base64url.encode(JSON.stringify(value));
  return `${encode(header)}.${encode(payload)}.${signature}`;
}

/** A key source that counts lookups before delegating, to prove some refusals happen before any lookup. */
export function countingSource(inner: KeySource): { source: KeySource; lookups: () => number } {
  let count = 0;
  const resolve = (header: KeyHeader) => {
    count += 1;
    return inner.resolve(header);
  };
  return {
    source: {
      resolve,
      getKey: async (header) => (await resolve(header)).key,
      resolveJwk: async (header) => (await resolve(header)).jwk,
      lastResolvedJwk: (kid) => inner.lastResolvedJwk(kid),
    },
    lookups: () => count,
  };
}
