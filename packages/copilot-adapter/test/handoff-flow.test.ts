import { afterAll, beforeAll, expect, test } from 'vitest';
import { createKeySource } from '../../gateway/src/approvals/key-source.js';
import { verifyPlanSignature } from '../../gateway/src/provenance/verify-plan-signature.js';
import {
  digestAndFreeze,
  generateProvenanceKeyPair,
  HandoffClient,
  parsePlanFromModelOutput,
  signPlan,
} from '../src/index.js';
import { modelOutput } from './support/fixtures.js';
import { approveFully, fakeTime, type ServedGateway, serveGateway } from './support/gateway.js';

let gw: ServedGateway;
beforeAll(async () => {
  gw = await serveGateway();
});
afterAll(() => gw?.close());

test('a recorded strict-mode answer goes from model output to an approved plan', async () => {
  // 1. The model's answer becomes a contract plan; it is frozen with its digest.
  const parsed = parsePlanFromModelOutput(modelOutput('openai-strict-valid.txt'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const { plan } = parsed;
  const digest = digestAndFreeze(plan);

  // 2. The copilot signs its provenance; the gateway-side check accepts it for this plan and digest.
  const key = await generateProvenanceKeyPair({ kid: 'northwind-2026-11' });
  const clock = { now: () => Date.parse('2026-11-21T09:29:00Z') };
  const signature = await signPlan(plan, key.privateJwk, { clock });
  const verified = await verifyPlanSignature(signature, plan, digest, {
    keys: createKeySource({ type: 'inline', jwks: { keys: [key.publicJwk] } }),
    clock: gw.harness.clock,
  });
  expect(verified.claims.copilot.model).toBe('gpt-4.1');

  // 3. Submitted over HTTP, the gateway computes the same digest and waits for two approvals.
  const time = fakeTime();
  const client = new HandoffClient({
    url: gw.url,
    credential: gw.harness.callers.copilot.apiKey,
    clock: time.clock,
    sleep: async (ms, signal) => {
      if (time.sleeps.length === 0) await approveFully(gw, submitted);
      await time.sleep(ms, signal);
    },
  });
  const submitted = await client.submit(plan);
  expect(submitted).toMatchObject({
    state: 'awaiting_approval',
    digest,
    outcome: 'require_approval',
  });

  // 4. Finance and the marketing lead approve; the copilot's wait ends.
  const decided = await client.waitForDecision(plan.planId, {
    timeoutMs: 600_000,
    pollIntervalMs: 10_000,
  });
  expect(decided).toMatchObject({ state: 'approved', selectedOptionId: 'email-sms-cashback' });
  expect(decided.approvals.map((a) => a.role).sort()).toEqual(['finance', 'marketing_lead']);
});
