import type { HandoffPlan } from '@handoff/protocol';
import { GatewayError } from '../errors.js';
import type { PipelineDeps } from '../pipeline/deps.js';
import type { StoreTx } from '../store/store.js';
import { type VerifiedPlanSignature, verifyPlanSignature } from './verify-plan-signature.js';

/** A verified provenance signature and its token, to record with the plan it signs. */
export interface PlanProvenance {
  verified: VerifiedPlanSignature;
  token: string;
}

/**
 * Verifies a plan's provenance signature when one is given or the gateway requires one.
 *
 * @throws GatewayError `VALIDATION_FAILED` (a signature to a gateway that verifies none: issue
 *   `PROVENANCE_NOT_CONFIGURED` at `/signature`), `UNAUTHENTICATED` with `details.reason: 'PROVENANCE_REQUIRED'`
 *   (none given where required), or any refusal of `verifyPlanSignature`.
 */
export async function checkProvenance(
  deps: PipelineDeps,
  plan: HandoffPlan,
  digest: string,
  signature: string | undefined,
): Promise<PlanProvenance | undefined> {
  const { provenance } = deps;
  if (signature === undefined) {
    if (!provenance?.required) return undefined;
    throw new GatewayError('UNAUTHENTICATED', 'This gateway requires a signed plan', {
      issues: [
        {
          path: '/signature',
          code: 'PROVENANCE_REQUIRED',
          message: 'Sign the plan with the copilot key (signPlan) and send it as `signature`',
        },
      ],
      details: { reason: 'PROVENANCE_REQUIRED' },
    });
  }
  if (!provenance) {
    throw new GatewayError('VALIDATION_FAILED', 'This gateway verifies no plan signatures', {
      issues: [
        {
          path: '/signature',
          code: 'PROVENANCE_NOT_CONFIGURED',
          message: 'No copilot keys are configured (provenance.copilotKeys)',
        },
      ],
    });
  }
  const verified = await verifyPlanSignature(signature, plan, digest, {
    keys: provenance.keys,
    clock: deps.clock,
    clockToleranceSec: provenance.clockToleranceSec,
  });
  return { verified, token: signature };
}

/**
 * Stores a verified provenance signature with the plan, in the submission's transaction: the copilot's public key
 * (unless this process already remembered it: `rememberKey` false) and the token by digest. Returns what the
 * plan's `plan.received` event records of it: `refs.provenance` (the token's digest) and `data.provenance` (key
 * id, algorithm, the copilot it vouches for, when it was signed).
 */
export async function storeProvenance(
  tx: StoreTx,
  provenance: PlanProvenance,
  now: number,
  rememberKey: boolean,
): Promise<{ tokenDigest: string; facts: Record<string, unknown> }> {
  const { verified, token } = provenance;
  if (rememberKey) {
    await tx.rememberKey('copilot', verified.kid, JSON.stringify(verified.publicJwk), now);
  }
  await tx.putPayload(verified.tokenDigest, 'PlanSignature', token, now);
  return {
    tokenDigest: verified.tokenDigest,
    facts: {
      kid: verified.kid,
      alg: verified.alg,
      copilot: verified.claims.copilot,
      signedAt: new Date(verified.claims.iat * 1000).toISOString(),
    },
  };
}
