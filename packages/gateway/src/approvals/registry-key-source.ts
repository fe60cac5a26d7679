import type { CryptoKey } from 'jose';
import { GatewayError } from '../errors.js';
import type { ApproverKeyRecord } from '../store/approver-keys.js';
import type { GatewayStore } from '../store/store.js';
import { checkHeader, importVerificationKey, type VerificationJwk } from './jwks.js';
import type { KeyHeader, KeySource, ResolvedVerificationKey } from './key-source.js';

/**
 * The approver keys one tenant's approvals are verified with, by that tenant's id: the presenting principal's
 * tenant, never one named by the token (see {@link registryKeySources}).
 */
export type TenantKeySources = (tenantId: string) => KeySource;

/**
 * The approver keys of the registry, per tenant: `registryKeySources(store)(tenantId)` is a {@link KeySource} that
 * reads the registration of a token's `kid` in `tenantId` only, and the key that verifies the token is the JWK
 * pinned in that registration, never one read from a JWKS file or URL at verification time, so a changed key set
 * cannot swap the key under a registered kid. A kid registered only in another tenant is not registered here,
 * and is refused exactly as an unused kid is (no existence oracle across tenants).
 *
 * Each lookup throws GatewayError `APPROVAL_ALG_NOT_ALLOWED` or `APPROVAL_UNKNOWN_KEY` (see `checkHeader`),
 * `APPROVAL_KEY_NOT_REGISTERED` (the tenant has no registration of the kid), `APPROVAL_KEY_REVOKED` (its
 * registration is revoked), or `APPROVAL_UNKNOWN_KEY` (the pinned key is for another alg than the header's).
 */
export function registryKeySources(store: GatewayStore): TenantKeySources {
  // Parsed JWKs by their stored text: a registration is immutable but for its status, read on every lookup.
  const parsed = new Map<string, VerificationJwk>();
  const jwkOf = (record: ApproverKeyRecord): VerificationJwk => {
    let jwk = parsed.get(record.jwk);
    if (jwk === undefined) {
      jwk = JSON.parse(record.jwk) as VerificationJwk;
      parsed.set(record.jwk, jwk);
    }
    return jwk;
  };
  return (tenantId) => {
    // The JWKs this tenant's source handed out, by kid (another tenant's are never shown here).
    const handedOut = new Map<string, VerificationJwk>();
    const resolve = async (header: KeyHeader): Promise<ResolvedVerificationKey> => {
      const { alg, kid } = checkHeader(header);
      const record = await store.transaction((tx) => tx.getApproverKey(tenantId, kid));
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
      handedOut.set(kid, jwk);
      return { key: await importVerificationKey(jwk), jwk };
    };
    return {
      resolve,
      getKey: async (header): Promise<CryptoKey> => (await resolve(header)).key,
      resolveJwk: async (header) => (await resolve(header)).jwk,
      lastResolvedJwk: (kid) => handedOut.get(kid),
    };
  };
}
