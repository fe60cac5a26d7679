import { CopilotIdentitySchema, DigestSchema, PlanIdSchema } from '@handoff/protocol';
import { z } from 'zod';

/**
 * The JWS `typ` of a plan provenance signature (RFC 8725 section 3.11 explicit typing): `handoff-plan+jwt`. It
 * differs from approvals' `handoff-approval+jwt`, so an approval can never pass as provenance or the reverse.
 * Compared as RFC 7515 section 4.1.9 says: case-insensitively, with an optional `application/` prefix.
 */
export const PLAN_SIGNATURE_TYPE = 'handoff-plan+jwt';

/**
 * The payload of a plan provenance signature, as `@handoff/copilot-adapter`'s `signPlan` writes it:
 * - `planId`: the plan's id (UUID v7 or ULID);
 * - `planDigest`: `sha256:<64 hex>` of the plan's RFC 8785 canonical JSON (`planDigest` of `@handoff/protocol`);
 * - `copilot`: the copilot identity the signer vouches for (vendor, model, modelVersion, promptVersion and/or
 *   promptHash), which must equal the plan's `copilot`;
 * - `iat`: NumericDate (whole seconds since the epoch, RFC 7519 section 2) of signing.
 * Other registered claims (`exp`, `nbf`, `jti`, ...) may be present: `exp` and `nbf` are enforced when they are;
 * unknown claims are ignored and not returned.
 */
export const PlanProvenanceClaimsSchema = z.object({
  planId: PlanIdSchema,
  planDigest: DigestSchema,
  copilot: CopilotIdentitySchema,
  iat: z.int().min(0),
});

/** Validated provenance claims. */
export type PlanProvenanceClaims = z.infer<typeof PlanProvenanceClaimsSchema>;

/**
 * Why a provenance signature was refused, carried in `GatewayError.details.reason` (the error `code` is the
 * coarser `VALIDATION_FAILED` or `UNAUTHENTICATED`, until dedicated codes exist):
 *
 * | reason | code | when |
 * | --- | --- | --- |
 * | `PROVENANCE_MALFORMED` | VALIDATION_FAILED | not a compact JWS/JWT, too large, or claims not as above |
 * | `PROVENANCE_WRONG_TYP` | VALIDATION_FAILED | `typ` is not `handoff-plan+jwt` |
 * | `PROVENANCE_ALG_NOT_ALLOWED` | UNAUTHENTICATED | `alg` is not EdDSA or ES256 (`none`, HS256, RS256, ...) |
 * | `PROVENANCE_UNKNOWN_KEY` | UNAUTHENTICATED | no `kid`, or no copilot key has it (for that alg) |
 * | `PROVENANCE_INVALID_SIGNATURE` | UNAUTHENTICATED | the signature does not verify with that key |
 * | `PROVENANCE_EXPIRED` | UNAUTHENTICATED | `exp` passed, or `iat` older than `maxAgeSec` |
 * | `PROVENANCE_NOT_YET_VALID` | UNAUTHENTICATED | `nbf` or `iat` in the future (beyond the tolerance) |
 * | `PROVENANCE_PLAN_MISMATCH` | UNAUTHENTICATED | `planId` is another plan's |
 * | `PROVENANCE_DIGEST_MISMATCH` | UNAUTHENTICATED | `planDigest` differs: the plan changed after signing |
 * | `PROVENANCE_COPILOT_MISMATCH` | UNAUTHENTICATED | `copilot` differs from the plan's copilot identity |
 */
export const PROVENANCE_REASONS = [
  'PROVENANCE_MALFORMED',
  'PROVENANCE_WRONG_TYP',
  'PROVENANCE_ALG_NOT_ALLOWED',
  'PROVENANCE_UNKNOWN_KEY',
  'PROVENANCE_INVALID_SIGNATURE',
  'PROVENANCE_EXPIRED',
  'PROVENANCE_NOT_YET_VALID',
  'PROVENANCE_PLAN_MISMATCH',
  'PROVENANCE_DIGEST_MISMATCH',
  'PROVENANCE_COPILOT_MISMATCH',
] as const;

/** One of {@link PROVENANCE_REASONS}. */
export type ProvenanceReason = (typeof PROVENANCE_REASONS)[number];

/** The copilot identity members compared between the claims and the plan. */
export const COPILOT_IDENTITY_FIELDS = [
  'vendor',
  'model',
  'modelVersion',
  'promptVersion',
  'promptHash',
] as const;
