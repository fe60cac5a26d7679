import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { GatewayError } from '../errors.js';

/**
 * The only JWS `alg` values (RFC 7515 section 4.1.1, RFC 7518) an approval may use, pinned as RFC 8725 section
 * 3.1 asks: `EdDSA` (RFC 8037; Ed25519 only here) and `ES256` (ECDSA on P-256 with SHA-256). Everything else,
 * `none` and the HMAC family included, is refused before any key is looked up.
 */
export const ALLOWED_ALGORITHMS = ['EdDSA', 'ES256'] as const;

/** One of {@link ALLOWED_ALGORITHMS}. */
export type AllowedAlgorithm = (typeof ALLOWED_ALGORITHMS)[number];

/**
 * The JWS `typ` header of an approval (RFC 8725 section 3.11 explicit typing): `handoff-approval+jwt`. Compared the
 * RFC 7515 section 4.1.9 way: case-insensitively, with an optional `application/` prefix.
 */
export const APPROVAL_TOKEN_TYPE = 'handoff-approval+jwt';

/**
 * JWK members that hold private or secret key material (RFC 7518 section 6: EC/OKP `d`; RSA `p`, `q`, `dp`, `dq`,
 * `qi`, `oth`; symmetric `k`; AKP `priv`). A verification key set carrying any of them is refused.
 */
export const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const;

/** True when `value` is one of {@link ALLOWED_ALGORITHMS} (exact, case-sensitive match). */
export function isAllowedAlgorithm(value: unknown): value is AllowedAlgorithm {
  return typeof value === 'string' && (ALLOWED_ALGORITHMS as readonly string[]).includes(value);
}

/**
 * The algorithm a JWK's key type implies: `OKP` with `crv: "Ed25519"` is `EdDSA` (RFC 8037 section 2), `EC` with
 * `crv: "P-256"` is `ES256` (RFC 7518 section 3.4). Any other key type or curve gives `undefined`.
 */
export function algorithmForJwk(jwk: {
  kty?: unknown;
  crv?: unknown;
}): AllowedAlgorithm | undefined {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  return undefined;
}

/** True when `jwk` has any of {@link PRIVATE_JWK_MEMBERS}. */
export function hasPrivateMembers(jwk: object): boolean {
  return PRIVATE_JWK_MEMBERS.some((member) => Object.hasOwn(jwk, member));
}

/** A freshly generated approver key pair, both halves as JWKs (RFC 7517). */
export interface SigningKeyPair {
  /** The JWS algorithm the pair is for. */
  alg: AllowedAlgorithm;
  /** The key id: the caller's, or the RFC 7638 SHA-256 JWK thumbprint of the public key (base64url). */
  kid: string;
  /** The private JWK (with `d`), plus `kid`, `alg` and `use: "sig"`. Secret: give it to the approver only. */
  privateJwk: JWK;
  /** The public JWK (no private members), plus `kid`, `alg` and `use: "sig"`: what goes in the gateway's JWKS. */
  publicJwk: JWK;
}

/** Options of {@link generateSigningKeyPair}. */
export interface GenerateSigningKeyPairOptions {
  /** `EdDSA` (an Ed25519 key, RFC 8037) or `ES256` (a P-256 key). */
  alg: AllowedAlgorithm;
  /** The key id to publish. Default: the RFC 7638 thumbprint of the public key. */
  kid?: string;
}

/**
 * Generates an approver signing key pair with WebCrypto (via jose). Both halves are extractable so they can be
 * written out as JWKs; the public half is ready for a JWKS (`{ keys: [publicJwk] }`).
 *
 * @throws GatewayError `CONFIG_INVALID` when `alg` is not in {@link ALLOWED_ALGORITHMS} or `kid` is empty.
 */
export async function generateSigningKeyPair(
  options: GenerateSigningKeyPairOptions,
): Promise<SigningKeyPair> {
  const { alg } = options;
  if (!isAllowedAlgorithm(alg)) {
    throw new GatewayError('CONFIG_INVALID', `Signing keys must use one of ${ALLOWED_ALGORITHMS}`);
  }
  if (options.kid !== undefined && (typeof options.kid !== 'string' || options.kid === '')) {
    throw new GatewayError('CONFIG_INVALID', 'A key id must be a non-empty string');
  }
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicMaterial = await exportJWK(publicKey);
  const kid = options.kid ?? (await calculateJwkThumbprint(publicMaterial, 'sha256'));
  const meta = { kid, alg, use: 'sig' };
  return {
    alg,
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), ...meta },
    publicJwk: { ...publicMaterial, ...meta },
  };
}
