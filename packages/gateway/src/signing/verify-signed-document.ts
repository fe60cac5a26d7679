import {
  type CryptoKey,
  compactVerify,
  decodeProtectedHeader,
  errors,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  type ProtectedHeaderParameters,
} from 'jose';
import { SignedDocumentError, type SignedDocumentErrorCode } from './signed-document-error.js';

/**
 * The one place the gateway verifies a signed document: approvals (online and offline), plan provenance
 * signatures and checkpoints (signed tree heads). Each is a JWS in compact serialization (RFC 7515) checked the
 * RFC 8725 way, in this order, each refusal a {@link SignedDocumentError}:
 * 1. a string of three parts whose protected header decodes, with no `crit` or `b64` (no extension is understood:
 *    an unencoded payload is refused too) - `SIGNED_DOCUMENT_MALFORMED`;
 * 2. `alg` is one of the caller's pinned algorithms, before any key is looked up, so `none` and HMAC keyed with a
 *    public key can never verify - `SIGNED_DOCUMENT_ALG_NOT_ALLOWED`;
 * 3. `typ` is the caller's type, compared as RFC 7515 section 4.1.9 says (case-insensitive, `application/`
 *    optional) - `SIGNED_DOCUMENT_TYP_MISMATCH`; then `kid` is a non-empty string - `SIGNED_DOCUMENT_UNKNOWN_KEY`;
 * 4. the caller's resolver gives the pinned key for `kid` and `alg` (`undefined`, or a JWK whose own `alg` is
 *    another, is `SIGNED_DOCUMENT_UNKNOWN_KEY`; whatever the resolver throws passes through unchanged). Keys named
 *    in the header (`jwk`, `jku`, `x5u`, `x5c`) are never read;
 * 5. the signature, with jose - `SIGNED_DOCUMENT_INVALID_SIGNATURE` (also when the key cannot verify that `alg`);
 * 6. for {@link verifySignedJwt} only, the JWT claims with jose's `jwtVerify` (RFC 7519): `exp`, `nbf` with the
 *    given leeway, `aud`, the required claims - `SIGNED_DOCUMENT_EXPIRED`, `_NOT_YET_VALID`, `_WRONG_AUDIENCE`,
 *    `_CLAIM_MISSING`, `_CLAIM_INVALID`, and `_MALFORMED` when the payload is not a JSON object.
 * Claim checks are here, through jose, so every JWT is checked one way; the document-specific checks (claim
 * shapes, plan binding, replay) stay with each caller.
 */

/** The algorithms a signed document may be pinned to: Ed25519 (`EdDSA`, RFC 8037) and ECDSA P-256 (`ES256`). */
export type SignatureAlgorithm = 'EdDSA' | 'ES256';

/** A pinned verification key as a resolver gives it: a public WebCrypto key or a public JWK (RFC 7517). */
export interface PinnedKey {
  key: CryptoKey | JWK;
}

/** What a document is checked against. */
export interface SignedDocumentOptions<K extends PinnedKey> {
  /** The expected `typ` header, e.g. `handoff-checkpoint+jws`. */
  typ: string;
  /** The pinned algorithms: the header's `alg` must be one of them. */
  algorithms: readonly SignatureAlgorithm[];
  /** The pinned key for a checked `alg` and `kid`, or `undefined` when there is none. */
  resolveKey: (header: { alg: SignatureAlgorithm; kid: string }) => Promise<K | undefined>;
}

/** The JWT claim checks of {@link verifySignedJwt}. Times in NumericDate seconds except `nowMs`. */
export interface JwtClaimChecks {
  /** "Now", in epoch milliseconds. */
  nowMs: number;
  /** Leeway for `exp` and `nbf`, in seconds. */
  clockToleranceSec: number;
  /** When set, `aud` must name it. */
  audience?: string;
  /** Claims that must be present. */
  requiredClaims?: readonly string[];
}

/** A verified document: what was signed, the header as received, and the pinned key that verified it. */
export interface VerifiedDocument<P, K extends PinnedKey> {
  payload: P;
  protectedHeader: ProtectedHeaderParameters;
  alg: SignatureAlgorithm;
  kid: string;
  key: K;
}

function refuse(code: SignedDocumentErrorCode, message: string, kid?: string): SignedDocumentError {
  return new SignedDocumentError(code, message, { kid });
}

function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.includes('/') ? lower : `application/${lower}`;
}

/** True for a JWK (an object with a `kty` string); a WebCrypto `CryptoKey` has no `kty`. */
function isJwk(key: CryptoKey | JWK): key is JWK {
  return typeof (key as JWK).kty === 'string';
}

const imported = new WeakMap<JWK, Map<string, Promise<CryptoKey | Uint8Array>>>();

/** Imports a pinned JWK for `alg` once per JWK object (an offline verification reuses a handful of keys). */
function importOnce(jwk: JWK, alg: SignatureAlgorithm): Promise<CryptoKey | Uint8Array> {
  const byAlg = imported.get(jwk) ?? new Map<string, Promise<CryptoKey | Uint8Array>>();
  imported.set(jwk, byAlg);
  let key = byAlg.get(alg);
  if (key === undefined) {
    key = importJWK(jwk, alg);
    byAlg.set(alg, key);
  }
  return key;
}

/** Steps 1 to 4: the header checks and the pinned key. */
async function pinnedKey<K extends PinnedKey>(jws: unknown, options: SignedDocumentOptions<K>) {
  if (typeof jws !== 'string' || jws.split('.').length !== 3) {
    throw refuse('SIGNED_DOCUMENT_MALFORMED', 'Not a JWS in compact serialization');
  }
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    throw refuse('SIGNED_DOCUMENT_MALFORMED', 'The JWS protected header does not decode');
  }
  const { alg, kid } = header;
  if ('crit' in header || 'b64' in header) {
    throw refuse('SIGNED_DOCUMENT_MALFORMED', 'No JWS extension (crit, b64) is understood');
  }
  const pinned = options.algorithms.find((allowed) => allowed === alg);
  if (pinned === undefined) {
    throw refuse(
      'SIGNED_DOCUMENT_ALG_NOT_ALLOWED',
      `alg must be ${options.algorithms.join(' or ')}`,
    );
  }
  if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== normalizeTyp(options.typ)) {
    throw refuse('SIGNED_DOCUMENT_TYP_MISMATCH', `typ must be ${options.typ}`);
  }
  if (typeof kid !== 'string' || kid === '') {
    throw refuse('SIGNED_DOCUMENT_UNKNOWN_KEY', 'The JWS names no key id (kid)');
  }
  const resolved = await options.resolveKey({ alg: pinned, kid });
  const jwk = resolved !== undefined && isJwk(resolved.key) ? resolved.key : undefined;
  if (resolved === undefined || (jwk?.alg !== undefined && jwk.alg !== pinned)) {
    throw refuse('SIGNED_DOCUMENT_UNKNOWN_KEY', `No pinned ${pinned} key has kid ${kid}`, kid);
  }
  let key: CryptoKey | Uint8Array;
  try {
    key = isJwk(resolved.key) ? await importOnce(resolved.key, pinned) : resolved.key;
  } catch {
    const message = `The key of kid ${kid} cannot verify ${pinned}`;
    throw refuse('SIGNED_DOCUMENT_INVALID_SIGNATURE', message, kid);
  }
  return { header, alg: pinned, kid, resolved, key };
}

/** Maps a jose failure of step 5 or 6 to its refusal. */
function refusalOf(error: unknown, kid: string): SignedDocumentError {
  if (error instanceof errors.JWTExpired || error instanceof errors.JWTClaimValidationFailed) {
    const { claim, reason } = error;
    const facts = { kid, claim, claimValue: error.payload[claim] };
    if (error instanceof errors.JWTExpired) {
      return new SignedDocumentError('SIGNED_DOCUMENT_EXPIRED', 'The document has expired', facts);
    }
    const code: SignedDocumentErrorCode =
      reason === 'missing'
        ? 'SIGNED_DOCUMENT_CLAIM_MISSING'
        : reason !== 'check_failed'
          ? 'SIGNED_DOCUMENT_CLAIM_INVALID'
          : claim === 'nbf'
            ? 'SIGNED_DOCUMENT_NOT_YET_VALID'
            : claim === 'aud'
              ? 'SIGNED_DOCUMENT_WRONG_AUDIENCE'
              : 'SIGNED_DOCUMENT_CLAIM_INVALID';
    return new SignedDocumentError(code, `The "${claim}" claim is refused (${reason})`, facts);
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    !(error instanceof errors.JOSEError)
  ) {
    // Not a JOSE error: the key does not fit the alg (jose throws a TypeError).
    return refuse('SIGNED_DOCUMENT_INVALID_SIGNATURE', 'The signature does not verify', kid);
  }
  return refuse('SIGNED_DOCUMENT_MALFORMED', 'Not a well-formed JWS', kid);
}

/**
 * Verifies a signed document whose payload is any bytes (a checkpoint, or an approval re-verified offline, where
 * time claims are not re-checked). See the module note for the checks and their order.
 *
 * @throws SignedDocumentError `SIGNED_DOCUMENT_MALFORMED`, `_ALG_NOT_ALLOWED`, `_TYP_MISMATCH`, `_UNKNOWN_KEY`,
 *   `_INVALID_SIGNATURE`; and whatever `resolveKey` throws, unchanged.
 */
export async function verifySignedDocument<K extends PinnedKey>(
  jws: unknown,
  options: SignedDocumentOptions<K>,
): Promise<VerifiedDocument<Uint8Array, K>> {
  const { header, alg, kid, resolved, key } = await pinnedKey(jws, options);
  try {
    const { payload } = await compactVerify(jws as string, key, { algorithms: [alg] });
    return { payload, protectedHeader: header, alg, kid, key: resolved };
  } catch (error) {
    throw refusalOf(error, kid);
  }
}

/**
 * Verifies a signed JWT (RFC 7519): the checks of {@link verifySignedDocument}, then the claims (`exp`, `nbf`,
 * `aud`, required claims) with jose.
 *
 * @throws SignedDocumentError any code of {@link verifySignedDocument}, and `SIGNED_DOCUMENT_EXPIRED`,
 *   `_NOT_YET_VALID`, `_WRONG_AUDIENCE`, `_CLAIM_MISSING`, `_CLAIM_INVALID` (with `claim` and `claimValue`).
 */
export async function verifySignedJwt<K extends PinnedKey>(
  jws: unknown,
  options: SignedDocumentOptions<K> & { claims: JwtClaimChecks },
): Promise<VerifiedDocument<JWTPayload, K>> {
  const { header, alg, kid, resolved, key } = await pinnedKey(jws, options);
  const { nowMs, clockToleranceSec, audience, requiredClaims } = options.claims;
  try {
    const { payload } = await jwtVerify(jws as string, key, {
      algorithms: [alg],
      currentDate: new Date(nowMs),
      clockTolerance: clockToleranceSec,
      ...(audience === undefined ? {} : { audience }),
      ...(requiredClaims === undefined ? {} : { requiredClaims: [...requiredClaims] }),
    });
    return { payload, protectedHeader: header, alg, kid, key: resolved };
  } catch (error) {
    throw refusalOf(error, kid);
  }
}
