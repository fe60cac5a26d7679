import type { CheckpointKey } from '@handoff/lineage';
import type { JWK } from 'jose';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { importCheckpointKey } from '../../src/audit/checkpoint-key.js';
import { Sequencer } from '../../src/audit/sequencer.js';
import { anchorsFromJwks } from '../../src/audit/trust-anchors.js';
import { autoApprovablePlan, planVariant } from '../pipeline/helpers.js';
import { createHarness, defaultCaps, GATEWAY_ID, type Harness } from '../support/harness.js';

/** A fresh checkpoint key (Ed25519, made at test time) and its public JWK. */
export async function checkpointKey(kid: string) {
  const pair = await generateSigningKeyPair({ alg: 'EdDSA', kid });
  return importCheckpointKey(pair.privateJwk as JWK);
}

/** A sequencer over a harness's store, signing with a fresh key `kid` (or `key`). */
export async function sequencerOf(
  h: Harness,
  kid = 'cp-2026-11',
  key?: CheckpointKey,
): Promise<Sequencer> {
  return new Sequencer(h.runtime.store, {
    key: key ?? (await checkpointKey(kid)),
    gatewayId: GATEWAY_ID,
    clock: h.clock,
  });
}

/**
 * A harness holding a small but complete lineage: one plan approved automatically, one approved by two signed
 * approvals (EdDSA and ES256 keys), one cancelled, then a checkpoint, more events, a second checkpoint. With the
 * public keys an auditor trusts (`jwks`, and as `trust` for `verifyLineage`).
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
  const november = await checkpointKey('cp-2026-11');
  await (await sequencerOf(h, november.kid, november)).sequenceAll();
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
  const december = await checkpointKey('cp-2026-12');
  await (await sequencerOf(h, december.kid, december)).sequenceAll();
  // What an auditor trusts, from outside the database: both checkpoint keys and both approver keys.
  const jwks = {
    checkpoint: { keys: [november.publicJwk, december.publicJwk] },
    approver: { keys: [h.keys.finance.publicJwk, h.keys.marketing.publicJwk] },
  };
  const trust = anchorsFromJwks(jwks.checkpoint, jwks.approver);
  return { h, planIds: { gated: gated.planId, cancelled: cancelled.planId }, jwks, trust };
}
