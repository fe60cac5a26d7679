import { canonicalJson, type Digest } from '@handoff/protocol';
import { CompactSign, compactVerify, importJWK, type CryptoKey as JoseKey, type JWK } from 'jose';
import { GatewayError } from '../errors.js';
import {
  SignedDocumentError,
  type SignedDocumentErrorCode,
} from '../signing/signed-document-error.js';
import { verifySignedDocument } from '../signing/verify-signed-document.js';

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

/** The failure of each signed-document refusal: only a missing key is told apart. */
const FAILURE_OF: Readonly<Record<SignedDocumentErrorCode, TreeHeadFailure>> = {
  SIGNED_DOCUMENT_UNKNOWN_KEY: 'CHECKPOINT_KEY_UNKNOWN',
  SIGNED_DOCUMENT_MALFORMED: 'CHECKPOINT_SIGNATURE_INVALID',
  SIGNED_DOCUMENT_ALG_NOT_ALLOWED: 'CHECKPOINT_SIGNATURE_INVALID',
  SIGNED_DOCUMENT_TYP_MISMATCH: 'CHECKPOINT_SIGNATURE_INVALID',
  SIGNED_DOCUMENT_INVALID_SIGNATURE: 'CHECKPOINT_SIGNATURE_INVALID',
  // Claim codes come from JWT verification only; a checkpoint is not a JWT.
  SIGNED_DOCUMENT_EXPIRED: 'CHECKPOINT_SIGNATURE_INVALID',
  SIGNED_DOCUMENT_NOT_YET_VALID: 'CHECKPOINT_SIGNATURE_INVALID',
  SIGNED_DOCUMENT_WRONG_AUDIENCE: 'CHECKPOINT_SIGNATURE_INVALID',
  SIGNED_DOCUMENT_CLAIM_MISSING: 'CHECKPOINT_SIGNATURE_INVALID',
  SIGNED_DOCUMENT_CLAIM_INVALID: 'CHECKPOINT_SIGNATURE_INVALID',
};

/**
 * Verifies a checkpoint JWS (with `verifySignedDocument`) against the public JWKs recorded for its `kid` (purpose
 * `checkpoint`), so a key rotated out long ago still verifies the heads it signed. Only `EdDSA` and the checkpoint
 * `typ` are accepted.
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
  let verified: Awaited<ReturnType<typeof verifySignedDocument>>;
  try {
    verified = await verifySignedDocument(jws, {
      typ: CHECKPOINT_TYPE,
      algorithms: ['EdDSA'],
      resolveKey: async ({ kid }) => {
        const jwk = keyFor(kid);
        return jwk === undefined ? undefined : { key: jwk };
      },
    });
  } catch (error) {
    if (error instanceof SignedDocumentError) return { ok: false, reason: FAILURE_OF[error.code] };
    throw error;
  }
  try {
    const head = JSON.parse(new TextDecoder().decode(verified.payload)) as TreeHead;
    if (head.kind === 'LineageTreeHead' && Number.isSafeInteger(head.treeSize)) {
      return { ok: true, head, kid: verified.kid };
    }
  } catch {
    // Not JSON: below.
  }
  return { ok: false, reason: 'CHECKPOINT_SIGNATURE_INVALID' };
}
