import { canonicalJson, type Digest } from '@handoff/protocol';
import {
  CompactSign,
  compactVerify,
  decodeProtectedHeader,
  importJWK,
  type CryptoKey as JoseKey,
  type JWK,
} from 'jose';
import { GatewayError } from '../errors.js';

/**
 * Signed tree heads of the lineage: the gateway's statement "the lineage had `treeSize` events and its RFC 9162
 * Merkle root was `rootHash` at `signedAt`", in the spirit of RFC 9162 section 4.10 (signed tree head) but as a
 * JWS (RFC 7515 compact serialization) signed with Ed25519 (`EdDSA`, RFC 8037) through `jose`.
 *
 * The protected header is `{ alg: "EdDSA", kid, typ: "handoff-checkpoint+jws" }` (explicit typing, RFC 8725
 * section 3.11, so no approval or plan signature can pass as a checkpoint). The payload is the RFC 8785 form of
 * {@link TreeHead}.
 */

/** The `typ` header of a checkpoint JWS. */
export const CHECKPOINT_TYPE = 'handoff-checkpoint+jws';

/** What a checkpoint signs. */
export interface TreeHead {
  /** Always `LineageTreeHead`. */
  kind: 'LineageTreeHead';
  /** The id of the gateway that signed. */
  gatewayId: string;
  /** Number of lineage events covered: seq 1..treeSize (leaves 0..treeSize-1). */
  treeSize: number;
  /** The RFC 9162 Merkle root over those events' hashes, as `sha256:<64 hex>`. */
  rootHash: Digest;
  /** When it was signed, RFC 3339 UTC with milliseconds. */
  signedAt: string;
}

/** A checkpoint signing key: an Ed25519 private key, its `kid`, and the public JWK published in the JWKS. */
export interface CheckpointKey {
  kid: string;
  privateKey: JoseKey;
  /** `{ kty: "OKP", crv: "Ed25519", x, kid, alg: "EdDSA", use: "sig" }`: no private member. */
  publicJwk: JWK;
}

/**
 * Imports the gateway's checkpoint key from a private JWK (RFC 7517) holding an Ed25519 key (`kty: "OKP"`,
 * `crv: "Ed25519"`, `d`, `x`) and a `kid` (e.g. written by `handoff keys generate --alg EdDSA`).
 *
 * @throws GatewayError `CONFIG_INVALID` when it is not a private Ed25519 JWK with a non-empty `kid`; the message
 *   never quotes key material.
 */
export async function importCheckpointKey(privateJwk: JWK): Promise<CheckpointKey> {
  const { kty, crv, d, x, kid } = privateJwk;
  if (kty !== 'OKP' || crv !== 'Ed25519' || typeof d !== 'string' || typeof x !== 'string') {
    throw new GatewayError(
      'CONFIG_INVALID',
      'A checkpoint key must be a private Ed25519 (OKP) JWK',
    );
  }
  if (typeof kid !== 'string' || kid === '') {
    throw new GatewayError('CONFIG_INVALID', 'A checkpoint key needs a kid');
  }
  const publicJwk: JWK = { kty, crv, x, kid, alg: 'EdDSA', use: 'sig' };
  let privateKey: JoseKey;
  try {
    privateKey = (await importJWK({ kty, crv, d, x }, 'EdDSA')) as JoseKey;
    // `d` and `x` must be one key pair: prove it by a signature the public half verifies.
    const probe = await new CompactSign(Uint8Array.of(0))
      .setProtectedHeader({ alg: 'EdDSA' })
      .sign(privateKey);
    await compactVerify(probe, await importJWK(publicJwk, 'EdDSA'));
  } catch {
    throw new GatewayError('CONFIG_INVALID', `Checkpoint key ${JSON.stringify(kid)} is not valid`);
  }
  return { kid, privateKey, publicJwk };
}

/** Signs a tree head: the compact JWS `header.payload.signature`. */
export async function signTreeHead(head: TreeHead, key: CheckpointKey): Promise<string> {
  return new CompactSign(new TextEncoder().encode(canonicalJson(head)))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: CHECKPOINT_TYPE })
    .sign(key.privateKey);
}

/** Why a checkpoint JWS did not verify. */
export type TreeHeadFailure = 'CHECKPOINT_KEY_UNKNOWN' | 'CHECKPOINT_SIGNATURE_INVALID';

/**
 * Verifies a checkpoint JWS against the public JWKs recorded for its `kid` (purpose `checkpoint`), so a key
 * rotated out long ago still verifies the heads it signed. Only `EdDSA` and the checkpoint `typ` are accepted.
 *
 * @param keyFor - the recorded public JWK of a kid, or `undefined` when none was recorded.
 * @returns the signed {@link TreeHead} and the kid, or the failure: `CHECKPOINT_KEY_UNKNOWN` (no `kid`, or none
 *   recorded), `CHECKPOINT_SIGNATURE_INVALID` (anything else: malformed, wrong `alg`/`typ`, bad signature, a
 *   payload that is not a tree head).
 */
export async function verifyTreeHead(
  jws: string,
  keyFor: (kid: string) => JWK | undefined,
): Promise<{ ok: true; head: TreeHead; kid: string } | { ok: false; reason: TreeHeadFailure }> {
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(jws).kid;
  } catch {
    return { ok: false, reason: 'CHECKPOINT_SIGNATURE_INVALID' };
  }
  const jwk = typeof kid === 'string' ? keyFor(kid) : undefined;
  if (typeof kid !== 'string' || jwk === undefined) {
    return { ok: false, reason: 'CHECKPOINT_KEY_UNKNOWN' };
  }
  try {
    const key = await importJWK(jwk, 'EdDSA');
    const { payload, protectedHeader } = await compactVerify(jws, key, { algorithms: ['EdDSA'] });
    if (protectedHeader.typ !== CHECKPOINT_TYPE) throw new Error('typ');
    const head = JSON.parse(new TextDecoder().decode(payload)) as TreeHead;
    if (head.kind !== 'LineageTreeHead' || !Number.isSafeInteger(head.treeSize)) {
      throw new Error('payload');
    }
    return { ok: true, head, kid };
  } catch {
    return { ok: false, reason: 'CHECKPOINT_SIGNATURE_INVALID' };
  }
}
