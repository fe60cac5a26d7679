import {
  type ApprovalClaims,
  type Digest,
  safeParseDocument,
  sha256Digest,
} from '@handoff/protocol';
import { decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from 'jose';
import type { Clock } from '../clock.js';
import { GatewayError, isGatewayError } from '../errors.js';
import { checkHeader, type VerificationJwk } from './jwks.js';
import type { KeyHeader, KeySource } from './key-source.js';
import {
  ALLOWED_ALGORITHMS,
  type AllowedAlgorithm,
  APPROVAL_TOKEN_TYPE,
  isAllowedAlgorithm,
} from './signing-keys.js';

/** Options of {@link verifyApprovalToken}. */
export interface VerifyApprovalOptions {
  /**
   * Where approver public keys come from: in the gateway, the approver registry of the presenting principal's
   * tenant (`registryKeySources`).
   */
  keys: KeySource;
  /** This gateway's id: the token's `aud` must equal it. */
  audience: string;
  /** "Now", in epoch milliseconds, for `exp` and `nbf`. */
  clock: Clock;
  /** Leeway for `exp` and `nbf`, in seconds. Default 30. */
  clockToleranceSec?: number;
  /** Largest accepted token, in bytes of UTF-8. Default 16384. */
  maxTokenBytes?: number;
}

/** A verified approval. */
export interface VerifiedApproval {
  /** The claims, validated as protocol `ApprovalClaims` (`iat`, `nbf`, `exp` in NumericDate seconds). */
  claims: ApprovalClaims;
  /** The protected header as received (`typ` as sent, e.g. `handoff-approval+jwt`). */
  header: { alg: AllowedAlgorithm; kid: string; typ: string };
  /** The public JWK (RFC 7517) that verified the signature, for key history and offline audit. */
  publicJwk: VerificationJwk;
  /** `sha256:<hex>` of the token text, to record the exact approval without storing it twice. */
  tokenDigest: Digest;
}

/** The default {@link VerifyApprovalOptions.clockToleranceSec}, in seconds. */
export const DEFAULT_CLOCK_TOLERANCE_SEC = 30;
/** The default {@link VerifyApprovalOptions.maxTokenBytes}. */
export const DEFAULT_MAX_TOKEN_BYTES = 16_384;

const REQUIRED_CLAIMS = ['exp', 'nbf', 'iat', 'jti', 'sub', 'aud'];

/** A media type as RFC 7515 section 4.1.9 compares it: case-insensitive, `application/` optional. */
function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.includes('/') ? lower : `application/${lower}`;
}

function malformed(message: string, path = '', code = 'APPROVAL_MALFORMED'): GatewayError {
  return new GatewayError('APPROVAL_MALFORMED', message, { issues: [{ path, code, message }] });
}

function numericDate(payload: JWTPayload, claim: 'exp' | 'nbf'): Record<string, unknown> {
  const value = payload[claim];
  return typeof value === 'number' ? { [claim]: value } : {};
}

/** Maps a jose (or key source) failure to the GatewayError of the refusal. Messages never quote the token. */
function toGatewayError(error: unknown): GatewayError {
  if (isGatewayError(error)) return error;
  if (!(error instanceof errors.JOSEError)) {
    return new GatewayError('APPROVAL_MALFORMED', 'The approval could not be verified');
  }
  if (error instanceof errors.JWTExpired) {
    return new GatewayError('APPROVAL_EXPIRED', 'The approval has expired', {
      details: numericDate(error.payload, 'exp'),
    });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const { claim, reason } = error;
    if (claim === 'nbf' && reason === 'check_failed') {
      return new GatewayError('APPROVAL_NOT_YET_VALID', 'The approval is not valid yet', {
        details: numericDate(error.payload, 'nbf'),
      });
    }
    if (claim === 'aud' && reason === 'check_failed') {
      return new GatewayError('APPROVAL_WRONG_AUDIENCE', 'The approval is for another gateway');
    }
    const problem = reason === 'missing' ? 'is missing' : 'is invalid';
    return malformed(`The approval's "${claim}" ${problem}`, `/${claim}`);
  }
  switch (error.code) {
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new GatewayError(
        'APPROVAL_INVALID_SIGNATURE',
        'The approval signature does not verify',
      );
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return new GatewayError('APPROVAL_UNKNOWN_KEY', 'No approver key matches the approval');
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new GatewayError(
        'APPROVAL_ALG_NOT_ALLOWED',
        `Approvals must use ${ALLOWED_ALGORITHMS}`,
      );
    case 'ERR_JWKS_TIMEOUT':
      return new GatewayError(
        'KEY_SOURCE_UNAVAILABLE',
        'The approver key set did not answer in time',
      );
    default:
      return malformed('The approval is not a well-formed JWS/JWT');
  }
}

/**
 * Verifies a signed approval: a JWT (RFC 7519) in JWS compact serialization (RFC 7515), following the RFC 8725
 * JWT BCP. Checks, in this order, each refusal with its own GatewayError code:
 * 1. size: at most `maxTokenBytes` (`APPROVAL_MALFORMED`, issue `TOKEN_TOO_LARGE`);
 * 2. the protected header decodes (`APPROVAL_MALFORMED`); nothing in it is trusted yet;
 * 3. `alg` is in `ALLOWED_ALGORITHMS`, before any key lookup, so `none` and HMAC with a public key as the secret
 *    can never verify (`APPROVAL_ALG_NOT_ALLOWED`);
 * 4. `typ` is `handoff-approval+jwt` (RFC 8725 section 3.11; `APPROVAL_MALFORMED`) and `kid` is present
 *    (`APPROVAL_UNKNOWN_KEY`). Embedded keys (`jwk`, `jku`, `x5u`) are never used;
 * 5. the key for `kid` and `alg` from `keys` (the gateway passes the presenting principal's tenant's approver
 *    registry, `registryKeySources`: `APPROVAL_KEY_NOT_REGISTERED`, `APPROVAL_KEY_REVOKED`; other sources: `APPROVAL_UNKNOWN_KEY`,
 *    `KEY_SOURCE_UNAVAILABLE`, `CONFIG_INVALID`), then the signature (`APPROVAL_INVALID_SIGNATURE`);
 * 6. `exp` (`APPROVAL_EXPIRED`) and `nbf` (`APPROVAL_NOT_YET_VALID`) against `clock.now()` with
 *    `clockToleranceSec` of leeway (NumericDate seconds), `aud` equals `audience` (`APPROVAL_WRONG_AUDIENCE`), and
 *    `exp`, `nbf`, `iat`, `jti`, `sub`, `aud` are present (`APPROVAL_MALFORMED`);
 * 7. the payload is valid protocol `ApprovalClaims` (`APPROVAL_MALFORMED` with the protocol issues, e.g.
 *    `MONEY_NOT_INTEGER` at `/maxSpend/amountMinor`).
 * Replay (`jti`), plan binding and the registration's subject and roles are the caller's checks. Error messages
 * never contain the token or keys.
 *
 * @throws GatewayError `CONFIG_INVALID` when `clockToleranceSec` or `maxTokenBytes` is not a usable number.
 */
export async function verifyApprovalToken(
  token: string,
  options: VerifyApprovalOptions,
): Promise<VerifiedApproval> {
  const tolerance = options.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC;
  const maxBytes = options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  if (
    !(Number.isFinite(tolerance) && tolerance >= 0) ||
    !(Number.isSafeInteger(maxBytes) && maxBytes > 0)
  ) {
    throw new GatewayError('CONFIG_INVALID', 'clockToleranceSec or maxTokenBytes is out of range');
  }
  if (typeof token !== 'string') throw malformed('The approval is not a string');
  const size = Buffer.byteLength(token, 'utf8');
  if (size > maxBytes) {
    throw malformed(
      `The approval is ${size} bytes; the limit is ${maxBytes}`,
      '',
      'TOKEN_TOO_LARGE',
    );
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw malformed('The approval has no decodable JWS protected header');
  }
  if (!isAllowedAlgorithm(header.alg)) {
    throw new GatewayError('APPROVAL_ALG_NOT_ALLOWED', `Approvals must use ${ALLOWED_ALGORITHMS}`);
  }
  const { typ } = header;
  if (typeof typ !== 'string' || normalizeTyp(typ) !== normalizeTyp(APPROVAL_TOKEN_TYPE)) {
    throw malformed(`The approval's typ header must be ${APPROVAL_TOKEN_TYPE}`, '', 'WRONG_TYP');
  }
  const { alg, kid } = checkHeader(header);

  let publicJwk: VerificationJwk | undefined;
  const getKey = async (protectedHeader: KeyHeader) => {
    const resolved = await options.keys.resolve(protectedHeader);
    publicJwk = resolved.jwk;
    return resolved.key;
  };
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, getKey, {
      algorithms: [...ALLOWED_ALGORITHMS],
      audience: options.audience,
      currentDate: new Date(options.clock.now()),
      clockTolerance: tolerance,
      typ: APPROVAL_TOKEN_TYPE,
      requiredClaims: REQUIRED_CLAIMS,
    }));
  } catch (error) {
    throw toGatewayError(error);
  }
  if (publicJwk === undefined) throw new GatewayError('INTERNAL', 'No key was resolved');

  const parsed = safeParseDocument('ApprovalClaims', payload);
  if (!parsed.success) {
    throw new GatewayError(
      'APPROVAL_MALFORMED',
      'The approval payload is not valid ApprovalClaims',
      {
        issues: parsed.error.issues,
      },
    );
  }
  return {
    claims: parsed.data,
    header: { alg, kid, typ },
    publicJwk,
    tokenDigest: sha256Digest(token),
  };
}
