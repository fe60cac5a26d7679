import { planDigest } from '@handoff/protocol';
import {
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
} from 'jose';
import { beforeAll, describe, expect, test } from 'vitest';
import { createKeySource } from '../../gateway/src/approvals/key-source.js';
import { PLAN_SIGNATURE_TYPE as GATEWAY_SIGNATURE_TYPE } from '../../gateway/src/provenance/plan-provenance.js';
import { verifyPlanSignature } from '../../gateway/src/provenance/verify-plan-signature.js';
import {
  generateProvenanceKeyPair,
  PLAN_SIGNATURE_TYPE,
  PlanSigningError,
  type ProvenanceKeyPair,
  signPlan,
} from '../src/index.js';
import { cardPlan } from './support/fixtures.js';

const clock = { now: () => Date.parse('2026-11-21T09:00:00Z') };
let eddsa: ProvenanceKeyPair;
let es256: ProvenanceKeyPair;

beforeAll(async () => {
  eddsa = await generateProvenanceKeyPair();
  es256 = await generateProvenanceKeyPair({ alg: 'ES256', kid: 'northwind-p256' });
});

function gatewayKeys() {
  return createKeySource({ type: 'inline', jwks: { keys: [eddsa.publicJwk, es256.publicJwk] } });
}

describe('signPlan', () => {
  test('writes the header and claims the gateway expects', async () => {
    const plan = cardPlan();
    const token = await signPlan(plan, eddsa.privateJwk, { clock });
    expect(decodeProtectedHeader(token)).toEqual({
      alg: 'EdDSA',
      kid: eddsa.kid,
      typ: 'handoff-plan+jwt',
    });
    expect(decodeJwt(token)).toEqual({
      planId: plan.planId,
      planDigest: planDigest(plan),
      copilot: plan.copilot,
      iat: Date.parse('2026-11-21T09:00:00Z') / 1000,
    });
    expect(PLAN_SIGNATURE_TYPE).toBe(GATEWAY_SIGNATURE_TYPE);
  });

  test.each([
    ['EdDSA', () => eddsa],
    ['ES256', () => es256],
  ])('is verified by the gateway (%s)', async (_alg, key) => {
    const plan = cardPlan();
    const token = await signPlan(plan, key().privateJwk, { clock });
    const verified = await verifyPlanSignature(token, plan, planDigest(plan), {
      keys: gatewayKeys(),
      clock: { now: () => Date.parse('2026-11-21T09:30:00Z') },
    });
    expect(verified).toMatchObject({
      kid: key().kid,
      alg: key().alg,
      claims: { planId: plan.planId },
    });
  });

  test('binds the plan: an edit after signing is refused by the gateway', async () => {
    const plan = cardPlan();
    const token = await signPlan(plan, eddsa.privateJwk, { clock });
    const edited = cardPlan();
    edited.copilot.model = 'gpt-5';
    await expect(
      verifyPlanSignature(token, edited, planDigest(edited), { keys: gatewayKeys(), clock }),
    ).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      details: { reason: 'PROVENANCE_DIGEST_MISMATCH' },
    });
  });

  test('uses the kid option, else the JWK kid, else the RFC 7638 thumbprint', async () => {
    const plan = cardPlan();
    const named = await signPlan(plan, eddsa.privateJwk, { kid: 'rotated-key' });
    expect(decodeProtectedHeader(named).kid).toBe('rotated-key');
    const { kid: _kid, ...anonymous } = es256.privateJwk;
    const thumbprinted = await signPlan(plan, anonymous);
    expect(decodeProtectedHeader(thumbprinted).kid).toBe(
      await calculateJwkThumbprint(es256.publicJwk),
    );
  });

  test('refuses an invalid plan, with hints for the model', async () => {
    const plan = cardPlan();
    const option = plan.options[0];
    if (!option) throw new Error('fixture');
    option.budget.amount.amountMinor = 560.5;
    const error = await signPlan(plan, eddsa.privateJwk).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanSigningError);
    expect(error).toMatchObject({
      code: 'INVALID_PLAN',
      issues: [{ path: '/options/0/budget/amount/amountMinor', code: 'MONEY_NOT_INTEGER' }],
    });
    expect((error as PlanSigningError).issues[0]?.hint).toMatch(/minor units/);
  });

  test('refuses keys that are not private Ed25519 or P-256 keys', async () => {
    const plan = cardPlan();
    const rsa = await generateKeyPair('RS256', { extractable: true });
    const cases = [
      eddsa.publicJwk,
      await exportJWK(rsa.privateKey),
      { ...eddsa.privateJwk, alg: 'ES256' },
      { ...eddsa.privateJwk, d: 'not-a-key' },
    ];
    for (const jwk of cases) {
      await expect(signPlan(plan, jwk)).rejects.toMatchObject({ code: 'INVALID_KEY' });
    }
  });
});

describe('generateProvenanceKeyPair', () => {
  test('gives JWKs for a JWKS, the public half without private members', async () => {
    expect(eddsa.publicJwk).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
      alg: 'EdDSA',
      use: 'sig',
      kid: eddsa.kid,
    });
    expect(eddsa.publicJwk).not.toHaveProperty('d');
    expect(eddsa.kid).toBe(await calculateJwkThumbprint(eddsa.publicJwk));
    expect(es256.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'northwind-p256' });
    await expect(generateProvenanceKeyPair({ alg: 'RS256' as never })).rejects.toThrow(RangeError);
    await expect(generateProvenanceKeyPair({ kid: '' })).rejects.toThrow(RangeError);
  });
});
