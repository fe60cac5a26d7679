import { calculateJwkThumbprint, type JWK } from 'jose';
import type { GatewayStore } from '../store/store.js';

/**
 * The RFC 7638 thumbprint of the copilot key that signed a plan's provenance (from its `plan.provenance_verified`
 * event and the copilot key recorded with it), or undefined when the plan carries no verified signature. Read in
 * `tenantId` only, so nothing of another tenant is looked at. Separation of duties: an approval verified with the
 * same key material as the plan's signer is the copilot approving its own plan.
 */
export async function planSignerThumbprint(
  store: GatewayStore,
  tenantId: string,
  planId: string,
): Promise<string | undefined> {
  const [event] = await store.queryLineage({
    tenantId,
    planId,
    types: ['plan.provenance_verified'],
    limit: 1,
  });
  const kid = event?.data.kid;
  if (typeof kid !== 'string') return undefined;
  const jwk = await store.transaction((tx) => tx.getKey('copilot', kid));
  return jwk === undefined ? undefined : calculateJwkThumbprint(JSON.parse(jwk) as JWK, 'sha256');
}
