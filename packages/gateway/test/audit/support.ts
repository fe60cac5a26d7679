import type { JWK } from 'jose';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { Checkpointer } from '../../src/audit/checkpointer.js';
import { importCheckpointKey } from '../../src/audit/tree-head.js';
import { autoApprovablePlan, planVariant } from '../pipeline/helpers.js';
import { createHarness, defaultCaps, GATEWAY_ID, type Harness } from '../support/harness.js';

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
  // Caps large enough for every plan: the lineage then holds approvals, a cancellation and dispatches.
  const caps = defaultCaps().map((cap) => ({
    ...(cap as object),
    limit: { amountMinor: 10_000_000, currency: 'EUR' },
  }));
  const h = await createHarness({ caps });
  const { copilot, approver, operator } = h.callers;
  await h.gateway.submitPlan(copilot.principal, autoApprovablePlan(1));
  const gated = await h.gateway.submitPlan(copilot.principal, planVariant(2));
  await (await checkpointerOf(h, 'cp-2026-11')).checkpoint();
  h.clock.advance(60_000);
  for (const [key, sub, role] of [
    [h.keys.finance, 'fiona.finance', 'finance'],
    [h.keys.marketing, 'mark.lead', 'marketing_lead'],
  ] as const) {
    await h.gateway.submitApproval(approver.principal, await h.sign(gated, { key, sub, role }));
  }
  const cancelled = await h.gateway.submitPlan(copilot.principal, planVariant(3));
  await h.gateway.cancelPlan(operator.principal, cancelled.planId, 'duplicate campaign');
  h.clock.advance(60_000);
  // The second checkpoint is signed by a rotated key: both must stay verifiable.
  await (await checkpointerOf(h, 'cp-2026-12')).checkpoint();
  return { h, planIds: { gated: gated.planId, cancelled: cancelled.planId } };
}
