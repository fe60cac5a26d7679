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
   * Who each trusted approver key (by kid) is registered to, from outside the lineage too (the config's
   * `approvals.approvers`): an approval by such a key must name its subject, one of its roles and its tenant, as the
   * gateway required when it accepted it. Kids not listed are checked by signature only.
   */
  approverIdentities?: ReadonlyMap<string, ApproverIdentity>;
}

/** The registration an approver key is trusted with: its subject, tenant and roles. */
export interface ApproverIdentity {
  subject: string;
  tenantId: string;
  roles: readonly string[];
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

/** Picks the key for a signature's `purpose`, `alg` and `kid`; see {@link keyJudge}. */
export type KeyJudge = (
  purpose: 'checkpoint' | 'approver',
  header: { alg: string; kid: string },
) => Promise<KeyVerdict>;

/**
 * The key each signature of `source` is verified with. Anchored: the trusted key of that kid (never the source's
 * key), and the source's recorded key for the kid, when there is one, must be the same key material (RFC 7638
 * thumbprint), not merely the same kid. Unanchored: the key the source records. One lookup per purpose and kid.
 *
 * @throws GatewayError `KEY_SOURCE_UNAVAILABLE` / `CONFIG_INVALID` (from the key sources) when a trust anchor
 *   cannot be read: no verdict can be given then.
 */
export function keyJudge(trust: VerifierTrust, source: LineageSource): KeyJudge {
  const cache = new Map<string, Promise<KeyVerdict>>();
  const judge = async (
    purpose: 'checkpoint' | 'approver',
    { alg, kid }: { alg: string; kid: string },
  ): Promise<KeyVerdict> => {
    const recorded = source.key(purpose, kid);
    if (trust === 'unanchored')
      return recorded ? { ok: true, jwk: recorded } : { ok: false, reason: 'unknown' };
    const anchors = purpose === 'checkpoint' ? trust.checkpointKeys : trust.approverKeys;
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
    const identity = purpose === 'approver' ? trust.approverIdentities?.get(kid) : undefined;
    return identity ? { ok: true, jwk: trusted, identity } : { ok: true, jwk: trusted };
  };
  return (purpose, header) => {
    const key = `${purpose}\n${header.alg}\n${header.kid}`;
    let verdict = cache.get(key);
    if (verdict === undefined) {
      verdict = judge(purpose, header);
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
