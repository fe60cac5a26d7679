import type { LineageEvent } from '@handoff/protocol';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { PlanRecord, StoreTx } from '../store/store.js';

/** Thumbprints computed once per public JWK text in this process (a key never changes under its text). */
const thumbprints = new Map<string, Promise<string>>();
const MAX_REMEMBERED = 1024;

/**
 * The RFC 7638 thumbprint of the copilot key that signed a plan's provenance, or undefined when the plan carries
 * no verified signature. The key id is read from the plan's `plan.received` event (`data.provenance.kid`, lineage
 * format 2: pass the event when the caller has it; then nothing else is read for a plan without one) or its
 * `plan.provenance_verified` event (format 1), and the
 * key from the copilot key history, in the caller's transaction and the plan's tenant only. Separation of duties:
 * an approval verified with the same key material as the plan's signer is the copilot approving its own plan.
 */
export async function planSignerThumbprint(
  tx: StoreTx,
  record: Pick<PlanRecord, 'tenantId' | 'planId'>,
  received?: LineageEvent,
): Promise<string | undefined> {
  const provenance = received?.data.provenance as { kid?: unknown } | undefined;
  let kid = provenance?.kid;
  // A format-2 `plan.received` (one with a `chain`) is the whole record of the signer: only format 1 wrote a
  // separate event, so an unsigned format-2 plan costs no further read.
  if (kid === undefined && received?.chain === undefined) {
    const event = await tx.lastPlanEvent(
      record.tenantId,
      record.planId,
      'plan.provenance_verified',
    );
    kid = event?.data.kid;
  }
  if (typeof kid !== 'string') return undefined;
  const jwk = await tx.getKey('copilot', kid);
  if (jwk === undefined) return undefined;
  let thumbprint = thumbprints.get(jwk);
  if (!thumbprint) {
    if (thumbprints.size >= MAX_REMEMBERED) thumbprints.clear();
    thumbprint = calculateJwkThumbprint(JSON.parse(jwk) as JWK, 'sha256');
    thumbprints.set(jwk, thumbprint);
  }
  return thumbprint;
}
