import {
  type ApprovalClaims,
  type Digest,
  safeParseDocument,
  sha256Digest,
} from '@handoff/protocol';
import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';
import {
  SignedDocumentError,
  type SignedDocumentErrorCode,
} from '../signing/signed-document-error.js';
import { verifySignedJwt } from '../signing/verify-signed-document.js';
import type { VerificationJwk } from './jwks.js';
import type { KeySource } from './key-source.js';
import { ALLOWED_ALGORITHMS, type AllowedAlgorithm, APPROVAL_TOKEN_TYPE } from './signing-keys.js';

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

function malformed(message: string, path = '', code = 'APPROVAL_MALFORMED'): GatewayError {
  return new GatewayError('APPROVAL_MALFORMED', message, { issues: [{ path, code, message }] });
}

function numericDate(error: SignedDocumentError): Record<string, unknown> {
  const { claim, claimValue } = error;
  return claim !== undefined && typeof claimValue === 'number' ? { [claim]: claimValue } : {};
}

/** The public refusal of each signed-document failure. Messages never quote the token. */
const REFUSAL_OF: Readonly<
  Record<SignedDocumentErrorCode, (e: SignedDocumentError) => GatewayError>
> = {
  SIGNED_DOCUMENT_MALFORMED: () => malformed('The approval is not a well-formed JWS/JWT'),
  SIGNED_DOCUMENT_ALG_NOT_ALLOWED: () =>
    new GatewayError('APPROVAL_ALG_NOT_ALLOWED', `Approvals must use ${ALLOWED_ALGORITHMS}`),
  SIGNED_DOCUMENT_TYP_MISMATCH: () =>
    malformed(`The approval's typ header must be ${APPROVAL_TOKEN_TYPE}`, '', 'WRONG_TYP'),
  SIGNED_DOCUMENT_UNKNOWN_KEY: () =>
    new GatewayError('APPROVAL_UNKNOWN_KEY', 'No approver key matches the approval'),
  SIGNED_DOCUMENT_INVALID_SIGNATURE: () =>
    new GatewayError('APPROVAL_INVALID_SIGNATURE', 'The approval signature does not verify'),
  SIGNED_DOCUMENT_EXPIRED: (e) =>
    new GatewayError('APPROVAL_EXPIRED', 'The approval has expired', { details: numericDate(e) }),
  SIGNED_DOCUMENT_NOT_YET_VALID: (e) =>
    new GatewayError('APPROVAL_NOT_YET_VALID', 'The approval is not valid yet', {
      details: numericDate(e),
    }),
  SIGNED_DOCUMENT_WRONG_AUDIENCE: () =>
    new GatewayError('APPROVAL_WRONG_AUDIENCE', 'The approval is for another gateway'),
  SIGNED_DOCUMENT_CLAIM_MISSING: (e) =>
    malformed(`The approval's "${e.claim}" is missing`, `/${e.claim}`),
  SIGNED_DOCUMENT_CLAIM_INVALID: (e) =>
    malformed(`The approval's "${e.claim}" is invalid`, `/${e.claim}`),
};

/**
 * Verifies a signed approval: a JWT (RFC 7519) in JWS compact serialization (RFC 7515), following the RFC 8725
 * JWT BCP, through the gateway's one signed-document verifier (`verifySignedJwt`, whose codes `REFUSAL_OF`
 * maps). Checks, in this order, each refusal with its own GatewayError code:
 * 1. size: at most `maxTokenBytes` (`APPROVAL_MALFORMED`, issue `TOKEN_TOO_LARGE`);
 * 2. three parts whose protected header decodes, with no `crit` or `b64` (`APPROVAL_MALFORMED`); nothing in it is
 *    trusted yet;
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
  const verified = await verifySignedJwt(token, {
    typ: APPROVAL_TOKEN_TYPE,
    algorithms: ALLOWED_ALGORITHMS,
    resolveKey: (header) => options.keys.resolve(header),
    claims: {
      nowMs: options.clock.now(),
      clockToleranceSec: tolerance,
      audience: options.audience,
      requiredClaims: REQUIRED_CLAIMS,
    },
  }).catch((error: unknown) => {
    if (!(error instanceof SignedDocumentError)) throw error;
    // The expected audience is this gateway's id (public); the token's own `aud` is never echoed.
    if (error.code === 'SIGNED_DOCUMENT_WRONG_AUDIENCE') {
      throw new GatewayError(
        'APPROVAL_WRONG_AUDIENCE',
        `The approval is for another gateway: its aud must be ${JSON.stringify(options.audience)} (this gateway's id)`,
      );
    }
    throw REFUSAL_OF[error.code](error);
  });
  const { payload, alg, kid } = verified;
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
    header: { alg, kid, typ: String(verified.protectedHeader.typ) },
    publicJwk: verified.key.jwk,
    tokenDigest: sha256Digest(token),
  };
}
