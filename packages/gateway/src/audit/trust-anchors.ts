import { calculateJwkThumbprint, type JWK } from 'jose';
import { createKeySource, type KeySource } from '../approvals/key-source.js';
import { isGatewayError } from '../errors.js';
import type { LineageSource } from './lineage-source.js';

/**
 * The keys an offline verifier trusts, taken from OUTSIDE the lineage it verifies (a JWKS file or URL, the
 * gateway config): a database or export carries its own `keys`, and whoever can rewrite the file can rewrite
 * those too (re-sign the checkpoints with a new key under the same kid and record it). Each purpose is a
 * {@link KeySource}, so a JWKS file, an HTTPS URL and an inline JWKS all work, and more sources (an approver
 * registry) can be combined in later.
 */
export interface TrustAnchors {
  /** Public keys whose checkpoint (signed tree head) signatures are trusted: the gateway's checkpoint keys. */
  checkpointKeys: KeySource;
  /** Public keys whose approval tokens are trusted: the approvers' keys. */
  approverKeys: KeySource;
  /**
   * The registrations of approver keys, by kid, from outside the lineage too (the config's `approvals.approvers`).
   * Kids are per tenant, so a kid may have one registration per tenant. An approval recorded in a tenant that
   * registered its kid is verified with that registration's `jwk` (when given; else `approverKeys`) and must name
   * its subject and one of its roles, as the gateway required when it accepted it; an approval by a listed kid in a
   * tenant that did not register it is refused (`APPROVAL_CLAIMS_MISMATCH`, `registration.tenantId`). Kids not
   * listed are checked by signature only.
   */
  approverIdentities?: ReadonlyMap<string, readonly ApproverIdentity[]>;
}

/**
 * One tenant's registration of an approver key: its subject, tenant and roles, and its public JWK (RFC 7517) when
 * the registration pins one (a config entry's inline `jwk`).
 */
export interface ApproverIdentity {
  subject: string;
  tenantId: string;
  roles: readonly string[];
  jwk?: JWK;
}

/**
 * What `verifyLineage` trusts: {@link TrustAnchors}, or, only when asked for explicitly, `'unanchored'`: the keys
 * recorded in the source itself. An unanchored verification shows the file is consistent (no accident, no
 * clumsy edit); it cannot show that nobody who could write the file rewrote it, and its report says
 * `anchored: false`.
 */
export type VerifierTrust = TrustAnchors | 'unanchored';

/** Anchors from two JWK Sets held in memory (e.g. `{ keys: [checkpointPublicJwk] }`). */
export function anchorsFromJwks(
  checkpoint: { keys: JWK[] },
  approver: { keys: JWK[] },
): TrustAnchors {
  return {
    checkpointKeys: createKeySource({ type: 'inline', jwks: checkpoint }),
    approverKeys: createKeySource({ type: 'inline', jwks: approver }),
  };
}

/** The key to verify a signature with, or why there is none. */
export type KeyVerdict =
  /** `identity`: an approver key's trusted registration, when the anchors name one. */
  | { ok: true; jwk: JWK; identity?: ApproverIdentity }
  /** `unknown`: unanchored, and the source records no key for the kid. */
  | { ok: false; reason: 'unknown' }
  /**
   * `untrusted`: anchored, and no trusted key has the kid (for the header's `alg`), or the source records a
   * different key (another RFC 7638 thumbprint) under it than the trusted one.
   */
  | { ok: false; reason: 'untrusted'; message: string };

/**
 * Picks the key for a signature's `purpose`, `alg` and `kid`, and for an approval the tenant of the event that
 * records it (approver kids are per tenant); see {@link keyJudge}.
 */
export type KeyJudge = (
  purpose: 'checkpoint' | 'approver',
  header: { alg: string; kid: string },
  tenantId?: string,
) => Promise<KeyVerdict>;

/**
 * The registration an approval recorded in `tenantId` is judged against: that tenant's registration of `kid`, else
 * (the kid is registered in other tenants only) the first of those, whose tenant then differs from the event's.
 */
function registrationOf(
  trust: TrustAnchors,
  kid: string,
  tenantId: string | undefined,
): ApproverIdentity | undefined {
  const bound = trust.approverIdentities?.get(kid) ?? [];
  return bound.find((identity) => identity.tenantId === tenantId) ?? bound[0];
}

/**
 * The key each signature of `source` is verified with. Anchored: the trusted key of that kid (never the source's
 * key; for an approval, the key its tenant's registration pins, when the anchors name one), and the source's
 * recorded key for the kid, when there is one, must be the same key material (RFC 7638 thumbprint), not merely
 * the same kid. Unanchored: the key the source records. One lookup per purpose, kid and tenant.
 *
 * @throws GatewayError `KEY_SOURCE_UNAVAILABLE` / `CONFIG_INVALID` (from the key sources) when a trust anchor
 *   cannot be read: no verdict can be given then.
 */
export function keyJudge(trust: VerifierTrust, source: LineageSource): KeyJudge {
  const cache = new Map<string, Promise<KeyVerdict>>();
  const judge = async (
    purpose: 'checkpoint' | 'approver',
    { alg, kid }: { alg: string; kid: string },
    tenantId: string | undefined,
  ): Promise<KeyVerdict> => {
    const recorded = source.key(purpose, kid, tenantId);
    if (trust === 'unanchored')
      return recorded ? { ok: true, jwk: recorded } : { ok: false, reason: 'unknown' };
    const identity = purpose === 'approver' ? registrationOf(trust, kid, tenantId) : undefined;
    const anchors = identity?.jwk
      ? createKeySource({ type: 'inline', jwks: { keys: [{ ...identity.jwk, kid }] } })
      : purpose === 'checkpoint'
        ? trust.checkpointKeys
        : trust.approverKeys;
    let trusted: JWK;
    try {
      trusted = await anchors.resolveJwk({ alg, kid });
    } catch (error) {
      if (
        isGatewayError(error, 'APPROVAL_UNKNOWN_KEY') ||
        isGatewayError(error, 'APPROVAL_ALG_NOT_ALLOWED')
      ) {
        return {
          ok: false,
          reason: 'untrusted',
          message: `No trusted ${purpose} key has kid ${kid} (${alg})`,
        };
      }
      throw error;
    }
    if (recorded && (await thumbprint(recorded)) !== (await calculateJwkThumbprint(trusted))) {
      return {
        ok: false,
        reason: 'untrusted',
        message: `The ${purpose} key recorded under kid ${kid} is not the trusted key of that kid`,
      };
    }
    return identity ? { ok: true, jwk: trusted, identity } : { ok: true, jwk: trusted };
  };
  return (purpose, header, tenantId) => {
    const key = JSON.stringify([purpose, header.alg, header.kid, tenantId ?? null]);
    let verdict = cache.get(key);
    if (verdict === undefined) {
      verdict = judge(purpose, header, tenantId);
      cache.set(key, verdict);
    }
    return verdict;
  };
}

/** The RFC 7638 thumbprint of a recorded key; one that has none (malformed) matches nothing. */
async function thumbprint(jwk: JWK): Promise<string> {
  try {
    return await calculateJwkThumbprint(jwk);
  } catch {
    return 'malformed';
  }
}
