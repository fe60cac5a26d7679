import { canonicalJson, type Digest } from '@handoff/protocol';
import {
  CompactSign,
  compactVerify,
  decodeProtectedHeader,
  importJWK,
  type CryptoKey as JoseKey,
  type JWK,
} from 'jose';

/**
 * Signed tree heads of the lineage's log: the gateway's statement "the log had `treeSize` leaves and its RFC 9162
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
  /** Number of log leaves covered: log indexes 0..treeSize-1. */
  treeSize: number;
  /** The RFC 9162 Merkle root over those leaves, as `sha256:<64 hex>`. */
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
 * Imports a checkpoint signing key from a private JWK (RFC 7517) holding an Ed25519 key (`kty: "OKP"`,
 * `crv: "Ed25519"`, `d`, `x`) and a `kid`, and proves `d` and `x` are one key pair by a probe signature.
 *
 * @throws TypeError when it is not a private Ed25519 JWK with a non-empty `kid`, or the pair does not verify;
 *   the message never quotes key material.
 */
export async function importCheckpointKey(privateJwk: JWK): Promise<CheckpointKey> {
  const { kty, crv, d, x, kid } = privateJwk;
  if (kty !== 'OKP' || crv !== 'Ed25519' || typeof d !== 'string' || typeof x !== 'string') {
    throw new TypeError('A checkpoint key must be a private Ed25519 (OKP) JWK');
  }
  if (typeof kid !== 'string' || kid === '') throw new TypeError('A checkpoint key needs a kid');
  const publicJwk: JWK = { kty, crv, x, kid, alg: 'EdDSA', use: 'sig' };
  let privateKey: JoseKey;
  try {
    privateKey = (await importJWK({ kty, crv, d, x }, 'EdDSA')) as JoseKey;
    const probe = await new CompactSign(Uint8Array.of(0))
      .setProtectedHeader({ alg: 'EdDSA' })
      .sign(privateKey);
    await compactVerify(probe, await importJWK(publicJwk, 'EdDSA'));
  } catch {
    throw new TypeError(`Checkpoint key ${JSON.stringify(kid)} is not valid`);
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

/** The outcome of {@link verifyTreeHead}. */
export type TreeHeadVerdict =
  | { ok: true; head: TreeHead; kid: string }
  | { ok: false; reason: TreeHeadFailure };

const INVALID: TreeHeadVerdict = { ok: false, reason: 'CHECKPOINT_SIGNATURE_INVALID' };

/**
 * Verifies a checkpoint JWS against the trusted public JWK of its `kid`, the RFC 8725 way: a compact JWS whose
 * protected header has no `crit`/`b64`, `alg` exactly `EdDSA` (checked before any key is looked up), `typ`
 * {@link CHECKPOINT_TYPE}, a `kid` the caller trusts; then the signature with jose; then a payload that is a
 * {@link TreeHead}. Keys named in the header (`jwk`, `jku`, `x5c`) are never read.
 *
 * @param keyFor - the trusted public JWK of a kid, or `undefined` when none is trusted.
 * @returns the signed head and the kid, or the failure: `CHECKPOINT_KEY_UNKNOWN` (no `kid`, or none trusted),
 *   `CHECKPOINT_SIGNATURE_INVALID` (anything else: malformed, wrong `alg`/`typ`, bad signature, a payload that
 *   is not a tree head).
 */
export async function verifyTreeHead(
  jws: string,
  keyFor: (kid: string) => JWK | undefined,
): Promise<TreeHeadVerdict> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    return INVALID;
  }
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
  if ('crit' in header || 'b64' in header || header.alg !== 'EdDSA') return INVALID;
  if (typ !== CHECKPOINT_TYPE && typ !== `application/${CHECKPOINT_TYPE}`) return INVALID;
  const kid = header.kid;
  const jwk = typeof kid === 'string' && kid !== '' ? keyFor(kid) : undefined;
  if (kid === undefined || jwk === undefined || (jwk.alg !== undefined && jwk.alg !== 'EdDSA')) {
    return { ok: false, reason: 'CHECKPOINT_KEY_UNKNOWN' };
  }
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, await importJWK(jwk, 'EdDSA'), {
      algorithms: ['EdDSA'],
    }));
  } catch {
    return INVALID;
  }
  try {
    const head = JSON.parse(new TextDecoder().decode(payload)) as TreeHead;
    if (head.kind === 'LineageTreeHead' && Number.isSafeInteger(head.treeSize)) {
      return { ok: true, head, kid };
    }
  } catch {
    // Not JSON: below.
  }
  return INVALID;
}
