/** Accepted signatures, and refusals for a signature that does not vouch for the plan it came with. */
import { type HandoffPlan, planDigest } from '@handoff/protocol';
import { beforeAll, describe, expect, test } from 'vitest';
import { verifyPlanSignature } from '../../src/provenance/verify-plan-signature.js';
import { fixturePlan } from '../support/harness.js';
import {
  NOW_SEC,
  type ProvenanceFixture,
  provenanceFixture,
  refusal,
  signProvenance,
} from './signing.js';

let fx: ProvenanceFixture;
beforeAll(async () => {
  fx = await provenanceFixture();
});

describe('verifyPlanSignature accepts', () => {
  test.each([
    ['EdDSA', () => fx.eddsa],
    ['ES256', () => fx.es256],
  ])('a %s signature bound to the plan, its digest and its copilot', async (_alg, key) => {
    const plan = fixturePlan();
    const token = await signProvenance(plan, key());
    const verified = await verifyPlanSignature(token, plan, planDigest(plan), fx.options());
    expect(verified.kid).toBe(key().kid);
    expect(verified.alg).toBe(key().alg);
    expect(verified.publicJwk).toMatchObject({ kid: key().kid, alg: key().alg, use: 'sig' });
    expect(verified.publicJwk).not.toHaveProperty('d');
    expect(verified.claims).toEqual({
      planId: plan.planId,
      planDigest: planDigest(plan),
      copilot: plan.copilot,
      iat: NOW_SEC,
    });
    expect(verified.tokenDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('a typ with the application/ prefix in any case, extra claims, and iat within the tolerance', async () => {
    const plan = fixturePlan();
    const token = await signProvenance(plan, fx.eddsa, {
      header: { typ: 'application/Handoff-Plan+JWT' },
      claims: { jti: 'x1', iat: NOW_SEC + 20, exp: NOW_SEC + 3600 },
    });
    const verified = await verifyPlanSignature(token, plan, planDigest(plan), fx.options());
    expect(verified.claims).not.toHaveProperty('jti');
  });
});

describe('verifyPlanSignature refuses a signature for another plan or copilot', () => {
  test('a plan changed after signing (digest mismatch)', async () => {
    const plan = fixturePlan();
    const token = await signProvenance(plan, fx.eddsa);
    const tampered: HandoffPlan = structuredClone(plan);
    const option = tampered.options[0];
    if (!option) throw new Error('fixture');
    option.budget.amount.amountMinor += 100_000;
    expect(
      await refusal(verifyPlanSignature(token, tampered, planDigest(tampered), fx.options())),
    ).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'PROVENANCE_DIGEST_MISMATCH',
      issues: [{ path: '', code: 'PROVENANCE_DIGEST_MISMATCH' }],
    });
  });

  test('a wrong digest handed in for the plan', async () => {
    const plan = fixturePlan();
    const token = await signProvenance(plan, fx.eddsa);
    const wrong = `sha256:${'0'.repeat(64)}`;
    expect(await refusal(verifyPlanSignature(token, plan, wrong, fx.options()))).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'PROVENANCE_DIGEST_MISMATCH',
    });
  });

  test('a signature naming another model than the plan, member by member', async () => {
    const plan = fixturePlan();
    const token = await signProvenance(plan, fx.eddsa, {
      claims: {
        copilot: {
          ...plan.copilot,
          model: 'other-planner',
          promptHash: `sha256:${'a'.repeat(64)}`,
        },
      },
    });
    expect(await refusal(verifyPlanSignature(token, plan, planDigest(plan), fx.options()))).toEqual(
      {
        code: 'UNAUTHENTICATED',
        reason: 'PROVENANCE_COPILOT_MISMATCH',
        issues: [
          { path: '/copilot/model', code: 'PROVENANCE_COPILOT_MISMATCH' },
          { path: '/copilot/promptHash', code: 'PROVENANCE_COPILOT_MISMATCH' },
        ],
      },
    );
  });

  test('a plan whose model was edited after signing: digest and copilot both reported', async () => {
    const plan = fixturePlan();
    const token = await signProvenance(plan, fx.eddsa);
    const edited = { ...plan, copilot: { ...plan.copilot, modelVersion: '2027-01-01' } };
    expect(
      await refusal(verifyPlanSignature(token, edited, planDigest(edited), fx.options())),
    ).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'PROVENANCE_DIGEST_MISMATCH',
      issues: [
        { path: '', code: 'PROVENANCE_DIGEST_MISMATCH' },
        { path: '/copilot/modelVersion', code: 'PROVENANCE_COPILOT_MISMATCH' },
      ],
    });
  });

  test("another plan's signature", async () => {
    const plan = fixturePlan();
    const other = { ...plan, planId: '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6f71' };
    const token = await signProvenance(other, fx.eddsa);
    expect(
      await refusal(verifyPlanSignature(token, plan, planDigest(plan), fx.options())),
    ).toMatchObject({
      reason: 'PROVENANCE_PLAN_MISMATCH',
      issues: [
        { path: '/planId', code: 'PROVENANCE_PLAN_MISMATCH' },
        { path: '', code: 'PROVENANCE_DIGEST_MISMATCH' },
      ],
    });
  });

  test('a key the gateway does not know, and a known kid signed with another key', async () => {
    const plan = fixturePlan();
    const unknown = await signProvenance(plan, fx.outsider);
    expect(
      await refusal(verifyPlanSignature(unknown, plan, planDigest(plan), fx.options())),
    ).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'PROVENANCE_UNKNOWN_KEY',
    });
    const impostor = await signProvenance(plan, { ...fx.outsider, kid: fx.eddsa.kid });
    expect(
      await refusal(verifyPlanSignature(impostor, plan, planDigest(plan), fx.options())),
    ).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'PROVENANCE_INVALID_SIGNATURE',
    });
    // A kid whose key is for the other algorithm.
    const crossed = await signProvenance(plan, { ...fx.es256, kid: fx.eddsa.kid });
    expect(
      await refusal(verifyPlanSignature(crossed, plan, planDigest(plan), fx.options())),
    ).toMatchObject({
      reason: 'PROVENANCE_UNKNOWN_KEY',
    });
  });

  test('an embedded jwk header is never trusted', async () => {
    const plan = fixturePlan();
    const token = await signProvenance(plan, fx.outsider, {
      header: { kid: 'attacker', jwk: fx.outsider.publicJwk },
    });
    expect(
      await refusal(verifyPlanSignature(token, plan, planDigest(plan), fx.options())),
    ).toMatchObject({
      reason: 'PROVENANCE_UNKNOWN_KEY',
    });
  });
});
