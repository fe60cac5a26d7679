/**
 * The one error convention of signed-document verification (`verify-signed-document.ts`): a
 * {@link SignedDocumentError} with a stable {@link SignedDocumentErrorCode}. Callers map each code to their own
 * public codes (`APPROVAL_*`, `PROVENANCE_*`, `CHECKPOINT_*`) in one table each, so those public codes never depend
 * on the library's error classes or messages.
 */

/** Why a signed document was refused. */
export const SIGNED_DOCUMENT_ERROR_CODES = [
  /** Not a compact JWS (three base64url parts), an undecodable header, a `crit` or `b64` header, a bad payload. */
  'SIGNED_DOCUMENT_MALFORMED',
  /** `alg` is not one of the caller's pinned algorithms (`none` and HMAC never are). */
  'SIGNED_DOCUMENT_ALG_NOT_ALLOWED',
  /** `typ` is missing or is not the caller's document type. */
  'SIGNED_DOCUMENT_TYP_MISMATCH',
  /** No `kid`, or no pinned key for that `kid` and `alg`. */
  'SIGNED_DOCUMENT_UNKNOWN_KEY',
  /** The signature does not verify with the pinned key. */
  'SIGNED_DOCUMENT_INVALID_SIGNATURE',
  /** JWT only: `exp` has passed (RFC 7519 section 4.1.4). */
  'SIGNED_DOCUMENT_EXPIRED',
  /** JWT only: `nbf` is still ahead (RFC 7519 section 4.1.5). */
  'SIGNED_DOCUMENT_NOT_YET_VALID',
  /** JWT only: `aud` does not name the expected audience. */
  'SIGNED_DOCUMENT_WRONG_AUDIENCE',
  /** JWT only: a required claim is missing ({@link SignedDocumentError.claim} names it). */
  'SIGNED_DOCUMENT_CLAIM_MISSING',
  /** JWT only: a registered claim has the wrong type ({@link SignedDocumentError.claim} names it). */
  'SIGNED_DOCUMENT_CLAIM_INVALID',
] as const;

/** One of {@link SIGNED_DOCUMENT_ERROR_CODES}. */
export type SignedDocumentErrorCode = (typeof SIGNED_DOCUMENT_ERROR_CODES)[number];

/** What a refusal knows besides its code. Never token text or key material. */
export interface SignedDocumentErrorFacts {
  /** The header's `kid`, once the header decoded and named one. */
  kid?: string;
  /** The claim a JWT refusal is about (`exp`, `nbf`, `aud`, or a required claim). */
  claim?: string;
  /** That claim's value as signed (for `exp` and `nbf`: NumericDate seconds), when there is one. */
  claimValue?: unknown;
}

/** A signed document was refused; `code` says why. Messages never quote the token or keys. */
export class SignedDocumentError extends Error {
  override readonly name = 'SignedDocumentError';
  readonly code: SignedDocumentErrorCode;
  readonly kid: string | undefined;
  readonly claim: string | undefined;
  readonly claimValue: unknown;

  constructor(
    code: SignedDocumentErrorCode,
    message: string,
    facts: SignedDocumentErrorFacts = {},
  ) {
    super(message);
    this.code = code;
    this.kid = facts.kid;
    this.claim = facts.claim;
    this.claimValue = facts.claimValue;
  }
}
