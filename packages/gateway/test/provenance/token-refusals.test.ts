/** Refusals of the token itself: algorithm, type, shape, time, tampering; and what passes through unchanged. */
import { join } from 'node:path';
import { planDigest } from '@handoff/protocol';
import { exportJWK, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, test } from 'vitest';
import { createApprovalToken } from '../../src/approvals/create-approval.js';
import { createKeySource, type KeySource } from '../../src/approvals/key-source.js';
import { GatewayError } from '../../src/errors.js';
import { PROVENANCE_REASONS } from '../../src/provenance/plan-provenance.js';
import { verifyPlanSignature } from '../../src/provenance/verify-plan-signature.js';
import { fixturePlan } from '../support/harness.js';
import {
  hmacForgery,
  NOW_SEC,
  type ProvenanceFixture,
  provenanceFixture,
  refusal,
  signProvenance,
  unsecuredToken,
} from './signing.js';

let fx: ProvenanceFixture;
beforeAll(async () => {
  fx = await provenanceFixture();
});

describe('verifyPlanSignature refuses the token', () => {
  test('alg none and HS256 (keyed with the public key), before any key lookup', async () => {
    const plan = fixturePlan();
    let lookups = 0;
    const counting: KeySource = {
      ...fx.keys,
      resolve: (header) => {
        lookups += 1;
        return fx.keys.resolve(header);
      },
    };
    for (const token of [
      unsecuredToken(plan, fx.eddsa.kid),
      await hmacForgery(plan, fx.eddsa.publicJwk, fx.eddsa.kid),
    ]) {
      expect(
        await refusal(
          verifyPlanSignature(token, plan, planDigest(plan), fx.options({ keys: counting })),
        ),
      ).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'PROVENANCE_ALG_NOT_ALLOWED' });
    }
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const rs256 = await signProvenance(plan, {
      alg: 'RS256',
      kid: fx.eddsa.kid,
      privateJwk: await exportJWK(privateKey),
    });
    expect(
      await refusal(verifyPlanSignature(rs256, plan, planDigest(plan), fx.options())),
    ).toMatchObject({
      reason: 'PROVENANCE_ALG_NOT_ALLOWED',
    });
    expect(lookups).toBe(0);
  });

  test('an approval presented as provenance, and a missing typ', async () => {
    const plan = fixturePlan();
    const approval = await createApprovalToken(
      {
        iss: 'approvals-app',
        sub: 'fiona',
        aud: 'gw-test',
        planId: plan.planId,
        planDigest: planDigest(plan),
        optionId: plan.recommendedOptionId,
        policyVersion: `sha256:${'b'.repeat(64)}`,
        decision: 'approve',
        maxSpend: { amountMinor: 100_000, currency: 'EUR' },
        role: 'finance',
      },
      fx.eddsa.privateJwk,
      { clock: fx.clock },
    );
    expect(
      await refusal(verifyPlanSignature(approval, plan, planDigest(plan), fx.options())),
    ).toMatchObject({
      code: 'VALIDATION_FAILED',
      reason: 'PROVENANCE_WRONG_TYP',
    });
    const untyped = await signProvenance(plan, fx.eddsa, { header: { typ: undefined } });
    expect(
      await refusal(verifyPlanSignature(untyped, plan, planDigest(plan), fx.options())),
    ).toMatchObject({
      reason: 'PROVENANCE_WRONG_TYP',
    });
  });

  test('malformed tokens and claims', async () => {
    const plan = fixturePlan();
    for (const token of [42, '', 'not.a.jws', 'a.b', 'x'.repeat(20_000)]) {
      expect(
        await refusal(verifyPlanSignature(token, plan, planDigest(plan), fx.options())),
      ).toMatchObject({
        code: 'VALIDATION_FAILED',
        reason: 'PROVENANCE_MALFORMED',
      });
    }
    const noDigest = await signProvenance(plan, fx.eddsa, { omit: ['planDigest'] });
    expect(
      await refusal(verifyPlanSignature(noDigest, plan, planDigest(plan), fx.options())),
    ).toEqual({
      code: 'VALIDATION_FAILED',
      reason: 'PROVENANCE_MALFORMED',
      issues: [{ path: '/planDigest', code: 'PROVENANCE_MALFORMED' }],
    });
    const noIat = await signProvenance(plan, fx.eddsa, { omit: ['iat'] });
    expect(
      await refusal(verifyPlanSignature(noIat, plan, planDigest(plan), fx.options())),
    ).toMatchObject({
      reason: 'PROVENANCE_MALFORMED',
      issues: [{ path: '/iat' }],
    });
    const badCopilot = await signProvenance(plan, fx.eddsa, {
      claims: { copilot: { vendor: 'x' } },
    });
    expect(
      await refusal(verifyPlanSignature(badCopilot, plan, planDigest(plan), fx.options())),
    ).toMatchObject({
      reason: 'PROVENANCE_MALFORMED',
    });
    const noKid = await signProvenance(plan, fx.eddsa, { header: { kid: undefined } });
    expect(
      await refusal(verifyPlanSignature(noKid, plan, planDigest(plan), fx.options())),
    ).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'PROVENANCE_UNKNOWN_KEY',
    });
  });

  test('a signature from the future, too old, expired or not yet valid', async () => {
    const plan = fixturePlan();
    const digest = planDigest(plan);
    const future = await signProvenance(plan, fx.eddsa, { claims: { iat: NOW_SEC + 31 } });
    expect(await refusal(verifyPlanSignature(future, plan, digest, fx.options()))).toMatchObject({
      reason: 'PROVENANCE_NOT_YET_VALID',
    });
    const old = await signProvenance(plan, fx.eddsa, { claims: { iat: NOW_SEC - 3600 } });
    await expect(verifyPlanSignature(old, plan, digest, fx.options())).resolves.toBeDefined();
    expect(
      await refusal(verifyPlanSignature(old, plan, digest, fx.options({ maxAgeSec: 600 }))),
    ).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'PROVENANCE_EXPIRED',
    });
    const expired = await signProvenance(plan, fx.eddsa, { claims: { exp: NOW_SEC - 60 } });
    expect(await refusal(verifyPlanSignature(expired, plan, digest, fx.options()))).toMatchObject({
      reason: 'PROVENANCE_EXPIRED',
    });
    const early = await signProvenance(plan, fx.eddsa, { claims: { nbf: NOW_SEC + 600 } });
    expect(await refusal(verifyPlanSignature(early, plan, digest, fx.options()))).toMatchObject({
      reason: 'PROVENANCE_NOT_YET_VALID',
    });
  });

  test('every single-character change to the signed token', async () => {
    const plan = fixturePlan();
    const token = await signProvenance(plan, fx.eddsa);
    const [header = '', payload = '', signature = ''] = token.split('.');
    const swap = (text: string, i: number) =>
      `${text.slice(0, i)}${text[i] === 'A' ? 'B' : 'A'}${text.slice(i + 1)}`;
    for (let i = 0; i < payload.length; i += 7) {
      await expect(
        verifyPlanSignature(
          `${header}.${swap(payload, i)}.${signature}`,
          plan,
          planDigest(plan),
          fx.options(),
        ),
      ).rejects.toBeInstanceOf(GatewayError);
    }
    for (let i = 0; i < signature.length - 1; i += 5) {
      await expect(
        verifyPlanSignature(
          `${header}.${payload}.${swap(signature, i)}`,
          plan,
          planDigest(plan),
          fx.options(),
        ),
      ).rejects.toBeInstanceOf(GatewayError);
    }
  });
});

describe('verifyPlanSignature passes through', () => {
  test('an unavailable key source and bad options, unchanged', async () => {
    const plan = fixturePlan();
    const token = await signProvenance(plan, fx.eddsa);
    const missing = createKeySource({
      type: 'file',
      path: join('/nonexistent', 'copilots.jwks.json'),
    });
    await expect(
      verifyPlanSignature(token, plan, planDigest(plan), fx.options({ keys: missing })),
    ).rejects.toMatchObject({ code: 'KEY_SOURCE_UNAVAILABLE' });
    await expect(
      verifyPlanSignature(token, plan, planDigest(plan), fx.options({ clockToleranceSec: -1 })),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(
      verifyPlanSignature(token, plan, planDigest(plan), fx.options({ maxAgeSec: 0 })),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  test('every reason it can give is listed', () => {
    expect(PROVENANCE_REASONS).toHaveLength(10);
  });
});
