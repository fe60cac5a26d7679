import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateProvenanceKeyPair, type ProvenanceKeyPair, signPlan } from '../src/index.js';
import { clientOf, freshPlan, rejection } from './support/client-helpers.js';
import { fakeTime, type ServedGateway, serveGateway } from './support/gateway.js';

/**
 * Provenance at a real gateway over HTTP: a gateway configured with the copilot's JWKS (`provenance.copilotKeys`,
 * required) verifies the `signPlan` JWS sent with `submit`, records the binding of the plan to the model and prompt
 * version in its lineage, and refuses unsigned, tampered and foreign-key plans without writing anything.
 */

const time = fakeTime();
let copilotKey: ProvenanceKeyPair;
let strangerKey: ProvenanceKeyPair;
let gw: ServedGateway;
let plain: ServedGateway;

beforeAll(async () => {
  copilotKey = await generateProvenanceKeyPair();
  strangerKey = await generateProvenanceKeyPair({ alg: 'ES256' });
  gw = await serveGateway({
    provenance: {
      copilotKeys: [{ type: 'inline', jwks: { keys: [copilotKey.publicJwk] } }],
      required: true,
    },
  });
  plain = await serveGateway();
});
afterAll(async () => {
  await gw?.close();
  await plain?.close();
});

const sign = (plan: ReturnType<typeof freshPlan>, key = copilotKey) =>
  signPlan(plan, key.privateJwk, { clock: time.clock });

async function lineageOf(planId: string) {
  const { gateway, callers } = gw.harness;
  return (await gateway.queryLineage(callers.auditor.principal, { planId, limit: 500 })).items;
}

describe('plan provenance verified by a real gateway', () => {
  test('a signed plan is accepted and its signature recorded: key id, model, prompt version', async () => {
    const plan = freshPlan();
    const view = await clientOf(gw).submit(plan, { signature: await sign(plan) });
    expect(view).toMatchObject({ planId: plan.planId, created: true });
    const events = await lineageOf(plan.planId);
    // The arrival records the verified signature: its token by digest, its key, model and prompt version.
    const received = events.find((e) => e.type === 'plan.received');
    expect(received).toMatchObject({
      refs: { plan: view.digest, provenance: expect.stringMatching(/^sha256:/) },
      data: { provenance: { kid: copilotKey.kid, alg: 'EdDSA', copilot: plan.copilot } },
    });
  });

  test('a dry run takes the same signature and refuses a plan edited after signing as submit does', async () => {
    const client = clientOf(gw);
    const plan = freshPlan();
    const signature = await sign(plan);
    expect(await client.dryRun(plan, { signature })).toMatchObject({ planId: plan.planId });
    const option = plan.options[0];
    if (option) option.rationale = `${option.rationale} (edited after signing)`;
    expect(await rejection(client.dryRun(plan, { signature }))).toMatchObject({
      code: 'UNAUTHENTICATED',
      issues: [{ code: 'PROVENANCE_DIGEST_MISMATCH' }],
    });
    expect(await lineageOf(plan.planId)).toEqual([]);
  });

  test('unsigned, edited-after-signing and foreign-key plans are refused and leave no trace', async () => {
    const client = clientOf(gw);
    const unsigned = freshPlan();
    expect(await rejection(client.submit(unsigned))).toMatchObject({
      code: 'UNAUTHENTICATED',
      httpStatus: 401,
      issues: [{ path: '/signature', code: 'PROVENANCE_REQUIRED' }],
    });

    const edited = freshPlan();
    const signature = await sign(edited);
    const option = edited.options[0];
    if (option) option.rationale = `${option.rationale} (edited after signing)`;
    expect(await rejection(client.submit(edited, { signature }))).toMatchObject({
      code: 'UNAUTHENTICATED',
      issues: [{ code: 'PROVENANCE_DIGEST_MISMATCH' }],
    });

    const foreign = freshPlan();
    expect(
      await rejection(client.submit(foreign, { signature: await sign(foreign, strangerKey) })),
    ).toMatchObject({ code: 'UNAUTHENTICATED', issues: [{ code: 'PROVENANCE_UNKNOWN_KEY' }] });

    for (const plan of [unsigned, edited, foreign]) {
      expect(await lineageOf(plan.planId)).toEqual([]);
    }
  });

  test('a gateway with no copilot keys refuses a signature rather than ignore it', async () => {
    const plan = freshPlan();
    expect(
      await rejection(clientOf(plain).submit(plan, { signature: await sign(plan) })),
    ).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: '/signature', code: 'PROVENANCE_NOT_CONFIGURED' }],
    });
  });
});
