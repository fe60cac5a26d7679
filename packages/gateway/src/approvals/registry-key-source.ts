import type { CryptoKey } from 'jose';
import { GatewayError } from '../errors.js';
import type { ApproverKeyRecord } from '../store/approver-keys.js';
import type { GatewayStore } from '../store/store.js';
import { checkHeader, importVerificationKey, type VerificationJwk } from './jwks.js';
import type { KeyHeader, KeySource, ResolvedVerificationKey } from './key-source.js';

/**
 * The approver keys of the registry as a {@link KeySource}: the key that verifies a token is the JWK pinned in
 * the registration of its `kid`, never one read from a JWKS file or URL at verification time, so a changed key
 * set cannot swap the key under a registered kid.
 *
 * Each lookup throws GatewayError `APPROVAL_ALG_NOT_ALLOWED` or `APPROVAL_UNKNOWN_KEY` (see `checkHeader`),
 * `APPROVAL_KEY_NOT_REGISTERED` (no registration has the kid), `APPROVAL_KEY_REVOKED` (the registration is
 * revoked), or `APPROVAL_UNKNOWN_KEY` (the pinned key is for another alg than the header's).
 */
export function registryKeySource(store: GatewayStore): KeySource {
  // Imported keys by thumbprint: a registration is immutable but for its status, which is read on every lookup.
  const pinned = new Map<string, VerificationJwk>();
  const jwkOf = (record: ApproverKeyRecord): VerificationJwk => {
    let jwk = pinned.get(record.thumbprint);
    if (jwk === undefined) {
      jwk = JSON.parse(record.jwk) as VerificationJwk;
      pinned.set(record.thumbprint, jwk);
    }
    return jwk;
  };
  const resolve = async (header: KeyHeader): Promise<ResolvedVerificationKey> => {
    const { alg, kid } = checkHeader(header);
    const record = await store.transaction((tx) => tx.getApproverKey(kid));
    if (record === undefined) {
      throw new GatewayError(
        'APPROVAL_KEY_NOT_REGISTERED',
        `Approver key ${JSON.stringify(kid)} is not registered`,
      );
    }
    if (record.status !== 'active') {
      throw new GatewayError(
        'APPROVAL_KEY_REVOKED',
        `Approver key ${JSON.stringify(kid)} was revoked`,
      );
    }
    const jwk = jwkOf(record);
    if (jwk.alg !== alg) {
      throw new GatewayError(
        'APPROVAL_UNKNOWN_KEY',
        `Approver key ${JSON.stringify(kid)} is not an ${alg} key`,
      );
    }
    return { key: await importVerificationKey(jwk), jwk };
  };
  return {
    resolve,
    getKey: async (header): Promise<CryptoKey> => (await resolve(header)).key,
    resolveJwk: async (header) => (await resolve(header)).jwk,
    // Only the pinned JWK of a registration is ever handed out (the registry keeps it; see `listApproverKeys`).
    lastResolvedJwk: (kid) => [...pinned.values()].find((jwk) => jwk.kid === kid),
  };
}
