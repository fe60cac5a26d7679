import type { JWK } from 'jose';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { Checkpointer } from '../../src/audit/checkpointer.js';
import { importCheckpointKey } from '../../src/audit/tree-head.js';
import { autoApprovablePlan, planVariant } from '../pipeline/helpers.js';
import { createHarness, GATEWAY_ID, type Harness } from '../support/harness.js';

/** A fresh checkpoint key (Ed25519, made at test time) and its public JWK. */
export async function checkpointKey(kid: string) {
  const pair = await generateSigningKeyPair({ alg: 'EdDSA', kid });
  return importCheckpointKey(pair.privateJwk as JWK);
}

/** A checkpointer over a harness's store, signing with a fresh key `kid`. */
export async function checkpointerOf(h: Harness, kid = 'cp-2026-11'): Promise<Checkpointer> {
  return new Checkpointer(h.runtime.store, {
    key: await checkpointKey(kid),
    gatewayId: GATEWAY_ID,
    clock: h.clock,
  });
}

/**
 * A harness holding a small but complete lineage: one plan approved automatically, one approved by two signed
 * approvals (EdDSA and ES256 keys), one cancelled, then a checkpoint, more events, a second checkpoint.
 */
export async function auditedHarness() {
  const h = await createHarness();
  const { copilot, approver, operator } = h.callers;
  await h.gateway.submitPlan(copilot.principal, autoApprovablePlan(1));
  const gated = await h.gateway.submitPlan(copilot.principal, planVariant(2));
  const checkpointer = await checkpointerOf(h);
  await checkpointer.checkpoint();
  h.clock.advance(60_000);
  for (const [key, sub, role] of [
    [h.keys.finance, 'ana.finance', 'finance'],
    [h.keys.marketing, 'bruno.marketing', 'marketing_lead'],
  ] as const) {
    await h.gateway.submitApproval(approver.principal, await h.sign(gated, { key, sub, role }));
  }
  const cancelled = await h.gateway.submitPlan(copilot.principal, planVariant(3));
  await h.gateway.cancelPlan(operator.principal, cancelled.planId, 'duplicate campaign');
  h.clock.advance(60_000);
  await checkpointer.checkpoint();
  return {
    h,
    checkpointer,
    planIds: { auto: 'p1', gated: gated.planId, cancelled: cancelled.planId },
  };
}
