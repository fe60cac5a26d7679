import {
  type CopilotIdentity,
  type Digest,
  type HandoffPlan,
  sha256Digest,
  toJsonPointer,
} from '@handoff/protocol';
import type { VerificationJwk } from '../approvals/jwks.js';
import type { KeySource } from '../approvals/key-source.js';
import { ALLOWED_ALGORITHMS, type AllowedAlgorithm } from '../approvals/signing-keys.js';
import type { Clock } from '../clock.js';
import { GatewayError, type GatewayErrorCode, isGatewayError } from '../errors.js';
import {
  SignedDocumentError,
  type SignedDocumentErrorCode,
} from '../signing/signed-document-error.js';
import { verifySignedJwt } from '../signing/verify-signed-document.js';
import {
  COPILOT_IDENTITY_FIELDS,
  PLAN_SIGNATURE_TYPE,
  type PlanProvenanceClaims,
  PlanProvenanceClaimsSchema,
  type ProvenanceReason,
} from './plan-provenance.js';

/** Options of {@link verifyPlanSignature}. */
export interface VerifyPlanSignatureOptions {
  /** Where copilot public keys come from (a JWKS keyed by `kid`; see `createKeySource`). */
  keys: KeySource;
  /** "Now", in epoch milliseconds, for `iat`, `exp` and `nbf`. */
  clock: Clock;
  /** Leeway for `iat`, `exp` and `nbf`, in seconds. Default 30. */
  clockToleranceSec?: number;
  /** Oldest accepted signature, in seconds since its `iat`. Default: no limit (the plan's own expiry applies). */
  maxAgeSec?: number;
  /** Largest accepted token, in bytes of UTF-8. Default 16384. */
  maxTokenBytes?: number;
}

/** A verified provenance signature. */
export interface VerifiedPlanSignature {
  /** The key id that verified it. */
  kid: string;
  alg: AllowedAlgorithm;
  /** The copilot public key (RFC 7517) that verified it, to record beside the plan for offline audit. */
  publicJwk: VerificationJwk;
  /** The validated claims (see `PlanProvenanceClaimsSchema`). */
  claims: PlanProvenanceClaims;
  /** `sha256:<hex>` of the token text, to record the exact signature. */
  tokenDigest: Digest;
}

const DEFAULT_TOLERANCE_SEC = 30;
const DEFAULT_MAX_TOKEN_BYTES = 16_384;

const CODE_OF: Readonly<Record<ProvenanceReason, GatewayErrorCode>> = {
  PROVENANCE_MALFORMED: 'VALIDATION_FAILED',
  PROVENANCE_WRONG_TYP: 'VALIDATION_FAILED',
  PROVENANCE_ALG_NOT_ALLOWED: 'UNAUTHENTICATED',
  PROVENANCE_UNKNOWN_KEY: 'UNAUTHENTICATED',
  PROVENANCE_INVALID_SIGNATURE: 'UNAUTHENTICATED',
  PROVENANCE_EXPIRED: 'UNAUTHENTICATED',
  PROVENANCE_NOT_YET_VALID: 'UNAUTHENTICATED',
  PROVENANCE_PLAN_MISMATCH: 'UNAUTHENTICATED',
  PROVENANCE_DIGEST_MISMATCH: 'UNAUTHENTICATED',
  PROVENANCE_COPILOT_MISMATCH: 'UNAUTHENTICATED',
};

interface Issue {
  path: string;
  code: string;
  message: string;
}

/** The refusal for `reason`: its code, a message that never quotes the token, and `details.reason`. */
function refuse(reason: ProvenanceReason, message: string, issues: Issue[] = []): GatewayError {
  return new GatewayError(CODE_OF[reason], message, {
    issues: issues.length > 0 ? issues : [{ path: '', code: reason, message }],
    details: { reason },
  });
}

const ALG_MESSAGE = `Plan signatures must use ${ALLOWED_ALGORITHMS}`;
const MALFORMED_MESSAGE = 'The plan signature is not a well-formed JWS/JWT';

/** A claim refusal names its claim as the issue's path. */
function claimRefusal(error: SignedDocumentError): GatewayError {
  const message = `The signature's "${error.claim}" claim is invalid`;
  return refuse('PROVENANCE_MALFORMED', message, [
    { path: `/${error.claim}`, code: 'PROVENANCE_MALFORMED', message },
  ]);
}

/** The refusal of each signed-document failure. */
const REFUSAL_OF: Readonly<
  Record<SignedDocumentErrorCode, (e: SignedDocumentError) => GatewayError>
> = {
  SIGNED_DOCUMENT_MALFORMED: () => refuse('PROVENANCE_MALFORMED', MALFORMED_MESSAGE),
  SIGNED_DOCUMENT_ALG_NOT_ALLOWED: () => refuse('PROVENANCE_ALG_NOT_ALLOWED', ALG_MESSAGE),
  SIGNED_DOCUMENT_TYP_MISMATCH: () =>
    refuse('PROVENANCE_WRONG_TYP', `The signature's typ header must be ${PLAN_SIGNATURE_TYPE}`),
  SIGNED_DOCUMENT_UNKNOWN_KEY: () =>
    refuse('PROVENANCE_UNKNOWN_KEY', 'No copilot key matches the signature kid'),
  SIGNED_DOCUMENT_INVALID_SIGNATURE: () =>
    refuse('PROVENANCE_INVALID_SIGNATURE', 'The plan signature does not verify'),
  SIGNED_DOCUMENT_EXPIRED: () => refuse('PROVENANCE_EXPIRED', 'The plan signature has expired'),
  SIGNED_DOCUMENT_NOT_YET_VALID: () =>
    refuse('PROVENANCE_NOT_YET_VALID', 'The plan signature is not valid yet'),
  SIGNED_DOCUMENT_WRONG_AUDIENCE: (e) => claimRefusal(e),
  SIGNED_DOCUMENT_CLAIM_MISSING: (e) => claimRefusal(e),
  SIGNED_DOCUMENT_CLAIM_INVALID: (e) => claimRefusal(e),
};

/** The copilot identity members that differ between the signed claims and the plan. */
function copilotDifferences(signed: CopilotIdentity, plan: CopilotIdentity): Issue[] {
  return COPILOT_IDENTITY_FIELDS.filter((field) => signed[field] !== plan[field]).map((field) => ({
    path: `/copilot/${field}`,
    code: 'PROVENANCE_COPILOT_MISMATCH',
    message: `The signature names ${field} ${JSON.stringify(signed[field] ?? null)}; the plan says ${JSON.stringify(plan[field] ?? null)}`,
  }));
}

function checkOptions(options: VerifyPlanSignatureOptions) {
  const tolerance = options.clockToleranceSec ?? DEFAULT_TOLERANCE_SEC;
  const maxBytes = options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  const maxAge = options.maxAgeSec;
  if (
    !(Number.isFinite(tolerance) && tolerance >= 0) ||
    !(Number.isSafeInteger(maxBytes) && maxBytes > 0) ||
    (maxAge !== undefined && !(Number.isFinite(maxAge) && maxAge > 0))
  ) {
    throw new GatewayError(
      'CONFIG_INVALID',
      'clockToleranceSec, maxAgeSec or maxTokenBytes is out of range',
    );
  }
  return { tolerance, maxBytes, maxAge };
}

/**
 * Verifies a copilot's provenance signature over a plan the gateway has already validated: a JWT (RFC 7519) in
 * JWS compact serialization (RFC 7515), checked the RFC 8725 way. In order, each refusal with its
 * `details.reason` (see `PROVENANCE_REASONS`):
 * 1. a string of at most `maxTokenBytes` whose protected header decodes, with no `crit` or `b64`
 *    (`PROVENANCE_MALFORMED`); the checks of steps 1 to 4 are the signed-document verifier's (`verifySignedJwt`);
 * 2. `alg` is EdDSA or ES256, before any key lookup, so `none` and HMAC-with-a-public-key can never verify
 *    (`PROVENANCE_ALG_NOT_ALLOWED`); `typ` is `handoff-plan+jwt` (`PROVENANCE_WRONG_TYP`);
 * 3. the key for `kid` and `alg` from `keys` (`PROVENANCE_UNKNOWN_KEY`; `KEY_SOURCE_UNAVAILABLE` and
 *    `CONFIG_INVALID` from the key source pass through unchanged); embedded `jwk`, `jku`, `x5u` are never used;
 * 4. the signature (`PROVENANCE_INVALID_SIGNATURE`), then `exp`/`nbf` when present (`PROVENANCE_EXPIRED`,
 *    `PROVENANCE_NOT_YET_VALID`), with `clockToleranceSec` of leeway;
 * 5. the claims' shape (`PROVENANCE_MALFORMED`, issues per claim), `iat` not in the future
 *    (`PROVENANCE_NOT_YET_VALID`) nor older than `maxAgeSec` (`PROVENANCE_EXPIRED`);
 * 6. the binding: `planId` equals the plan's (`PROVENANCE_PLAN_MISMATCH`), `planDigest` equals `planDigest`
 *    (`PROVENANCE_DIGEST_MISMATCH`), and `copilot` equals the plan's `copilot`, member by member
 *    (`PROVENANCE_COPILOT_MISMATCH`, one issue per differing member). All binding issues are reported together;
 *    `details.reason` names the first.
 *
 * @param token - the compact JWS, as received.
 * @param plan - the validated plan.
 * @param planDigest - the digest the gateway computed for `plan` (`planDigest(plan)`); not recomputed here.
 * @throws GatewayError `VALIDATION_FAILED` or `UNAUTHENTICATED` with `details.reason` and issues, as above;
 *   `KEY_SOURCE_UNAVAILABLE`; `CONFIG_INVALID` (bad options, or a key source that cannot load).
 */
export async function verifyPlanSignature(
  token: unknown,
  plan: HandoffPlan,
  planDigest: string,
  options: VerifyPlanSignatureOptions,
): Promise<VerifiedPlanSignature> {
  const { tolerance, maxBytes, maxAge } = checkOptions(options);
  if (typeof token !== 'string')
    throw refuse('PROVENANCE_MALFORMED', 'The plan signature is not a string');
  const size = Buffer.byteLength(token, 'utf8');
  if (size > maxBytes) {
    throw refuse(
      'PROVENANCE_MALFORMED',
      `The plan signature is ${size} bytes; the limit is ${maxBytes}`,
    );
  }
  const verified = await verifySignedJwt(token, {
    typ: PLAN_SIGNATURE_TYPE,
    algorithms: ALLOWED_ALGORITHMS,
    // A kid the key source does not know is the module's unknown key; its other failures pass through.
    resolveKey: (header) =>
      options.keys.resolve(header).catch((error: unknown) => {
        if (isGatewayError(error, 'APPROVAL_UNKNOWN_KEY')) return undefined;
        throw error;
      }),
    claims: { nowMs: options.clock.now(), clockToleranceSec: tolerance, requiredClaims: ['iat'] },
  }).catch((error: unknown) => {
    throw error instanceof SignedDocumentError ? REFUSAL_OF[error.code](error) : error;
  });
  const { payload, kid, alg } = verified;
  const parsed = PlanProvenanceClaimsSchema.safeParse(payload);
  if (!parsed.success) {
    throw refuse(
      'PROVENANCE_MALFORMED',
      'The plan signature claims are not planId, planDigest, copilot and iat',
      parsed.error.issues.map((i) => ({
        path: toJsonPointer(i.path),
        code: 'PROVENANCE_MALFORMED',
        message: i.message,
      })),
    );
  }
  const claims = parsed.data;
  const nowSec = options.clock.now() / 1000;
  if (claims.iat > nowSec + tolerance) {
    throw refuse('PROVENANCE_NOT_YET_VALID', 'The plan signature was issued in the future');
  }
  if (maxAge !== undefined && nowSec - claims.iat > maxAge + tolerance) {
    throw refuse('PROVENANCE_EXPIRED', `The plan signature is older than ${maxAge} seconds`);
  }

  const binding: [ProvenanceReason, Issue][] = [];
  if (claims.planId !== plan.planId) {
    const message = `The signature is for plan ${claims.planId}, not ${plan.planId}`;
    binding.push([
      'PROVENANCE_PLAN_MISMATCH',
      { path: '/planId', code: 'PROVENANCE_PLAN_MISMATCH', message },
    ]);
  }
  if (claims.planDigest !== planDigest) {
    const message =
      'The signed digest differs from the plan received: the plan changed after signing';
    binding.push([
      'PROVENANCE_DIGEST_MISMATCH',
      { path: '', code: 'PROVENANCE_DIGEST_MISMATCH', message },
    ]);
  }
  for (const issue of copilotDifferences(claims.copilot, plan.copilot)) {
    binding.push(['PROVENANCE_COPILOT_MISMATCH', issue]);
  }
  const first = binding[0];
  if (first !== undefined) {
    throw refuse(
      first[0],
      'The plan signature does not vouch for this plan',
      binding.map(([, i]) => i),
    );
  }
  return { kid, alg, publicJwk: verified.key.jwk, claims, tokenDigest: sha256Digest(token) };
}
