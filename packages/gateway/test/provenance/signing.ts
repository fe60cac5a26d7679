import { type HandoffPlan, planDigest } from '@handoff/protocol';
import { importJWK, type JWK, SignJWT } from 'jose';
import { expect } from 'vitest';
import { createKeySource, type KeySource } from '../../src/approvals/key-source.js';
import { generateSigningKeyPair, type SigningKeyPair } from '../../src/approvals/signing-keys.js';
import { ManualClock } from '../../src/clock.js';
import { GatewayError } from '../../src/errors.js';
import { PLAN_SIGNATURE_TYPE } from '../../src/provenance/plan-provenance.js';
import type { VerifyPlanSignatureOptions } from '../../src/provenance/verify-plan-signature.js';

/** 2026-11-21T09:30:00Z, the harness clock, in NumericDate seconds. */
export const NOW_SEC = Date.parse('2026-11-21T09:30:00Z') / 1000;

/** What a test may change in a provenance token: header members and claims, or extra claims. */
export interface TokenOverrides {
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  /** Claims to remove. */
  omit?: string[];
}

/**
 * Signs provenance for `plan` the way `@handoff/copilot-adapter`'s `signPlan` does (same header and claims), with
 * overrides so tests can build every kind of bad token. Written with jose here so the gateway tests do not depend
 * on the adapter package.
 */
export async function signProvenance(
  plan: HandoffPlan,
  key: { alg: string; kid: string; privateJwk: JWK },
  overrides: TokenOverrides = {},
): Promise<string> {
  const claims: Record<string, unknown> = {
    planId: plan.planId,
    planDigest: planDigest(plan),
    copilot: plan.copilot,
    iat: NOW_SEC,
    ...overrides.claims,
  };
  for (const name of overrides.omit ?? []) delete claims[name];
  const header = { alg: key.alg, kid: key.kid, typ: PLAN_SIGNATURE_TYPE, ...overrides.header };
  const privateKey = await importJWK(key.privateJwk, key.alg);
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(privateKey);
}

/** An HS256 token whose secret is the public key's JSON: the classic algorithm-confusion forgery. */
export async function hmacForgery(plan: HandoffPlan, publicJwk: JWK, kid: string): Promise<string> {
  const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
  return new SignJWT({
    planId: plan.planId,
    planDigest: planDigest(plan),
    copilot: plan.copilot,
    iat: NOW_SEC,
  })
    .setProtectedHeader({ alg: 'HS256', kid, typ: PLAN_SIGNATURE_TYPE })
    .sign(secret);
}

/** An unsigned token (`alg: "none"`, empty signature), RFC 7519 section 6. */
export function unsecuredToken(plan: HandoffPlan, kid: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'none', kid, typ: PLAN_SIGNATURE_TYPE });
  const payload = encode({
    planId: plan.planId,
    planDigest: planDigest(plan),
    copilot: plan.copilot,
    iat: NOW_SEC,
  });
  return `${header}.${payload}.`;
}

/** Copilot keys for the tests: EdDSA and ES256 keys the gateway knows, and an outsider's it does not. */
export interface ProvenanceFixture {
  eddsa: SigningKeyPair;
  es256: SigningKeyPair;
  outsider: SigningKeyPair;
  /** An inline key source with the EdDSA and ES256 public keys. */
  keys: KeySource;
  /** Frozen at 2026-11-21T09:30:00Z ({@link NOW_SEC}). */
  clock: ManualClock;
  /** Verification options over `keys` and `clock`, with `extra` on top. */
  options(extra?: Partial<VerifyPlanSignatureOptions>): VerifyPlanSignatureOptions;
}

/** Fresh keys and a key source for one test file. */
export async function provenanceFixture(): Promise<ProvenanceFixture> {
  const eddsa = await generateSigningKeyPair({ alg: 'EdDSA', kid: 'northwind-2026-11' });
  const es256 = await generateSigningKeyPair({ alg: 'ES256', kid: 'northwind-p256' });
  const outsider = await generateSigningKeyPair({ alg: 'EdDSA' });
  const keys = createKeySource({
    type: 'inline',
    jwks: { keys: [eddsa.publicJwk, es256.publicJwk] },
  });
  const clock = new ManualClock('2026-11-21T09:30:00Z');
  return {
    eddsa,
    es256,
    outsider,
    keys,
    clock,
    options: (extra = {}) => ({ keys, clock, ...extra }),
  };
}

/** The refusal `run` ends with, as `{ code, reason, issues }`; fails the test when it resolves. */
export async function refusal(run: Promise<unknown>) {
  const error = await run.then(
    () => expect.unreachable('expected a refusal'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayError);
  const { code, details, issues, message } = error as GatewayError;
  expect(message).not.toMatch(/eyJ/); // never quotes the token
  return {
    code,
    reason: details.reason,
    issues: issues.map((i) => ({ path: i.path, code: i.code })),
  };
}
