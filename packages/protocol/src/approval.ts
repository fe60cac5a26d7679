import { z } from 'zod';
import { MoneySchema } from './money.js';
import {
  DigestSchema,
  IdentifierSchema,
  NameSchema,
  PlanIdSchema,
  rule,
  TextSchema,
} from './primitives.js';
import { ProtocolVersionSchema } from './version.js';

/** A JWT NumericDate: whole seconds since 1970-01-01T00:00:00Z (RFC 7519 section 2). */
const NumericDateSchema = z.int().min(0);

/**
 * The payload of a signed approval: a compact JWS (RFC 7515) whose protected header names `alg` (EdDSA or ES256)
 * and the approver key's `kid`. Registered claims follow RFC 7519: `iss` (the approver tool), `sub` (the approver),
 * `aud` (the gateway id), `iat`, `nbf`, `exp` (NumericDate, seconds) and `jti` (single-use token id).
 *
 * The approval is bound to one plan (`planId` and `planDigest`, RFC 8785 + SHA-256), one strategy option, the
 * policy version the approver saw, and the most it may spend (`maxSpend`). `decision: "reject"` stops the plan.
 * Rule: `exp` must be after `nbf` and `iat` (`EXPIRY_NOT_AFTER_CREATION`).
 */
export const ApprovalClaimsSchema = z
  .strictObject({
    protocolVersion: ProtocolVersionSchema,
    kind: z.literal('ApprovalClaims'),
    iss: NameSchema,
    sub: NameSchema.meta({ description: 'The approver subject (principal id).' }),
    aud: NameSchema.meta({ description: 'The gateway id this approval is for.' }),
    iat: NumericDateSchema,
    nbf: NumericDateSchema,
    exp: NumericDateSchema,
    jti: z
      .string()
      .min(16)
      .max(128)
      .regex(/^[A-Za-z0-9_-]+$/),
    planId: PlanIdSchema,
    planDigest: DigestSchema,
    optionId: IdentifierSchema,
    policyVersion: NameSchema.meta({
      description: 'The policy set version (digest) the approver saw.',
    }),
    decision: z.enum(['approve', 'reject']),
    maxSpend: MoneySchema,
    role: IdentifierSchema.meta({
      description: 'The role the approver acts in, e.g. finance, marketing_lead.',
    }),
    comment: TextSchema.optional(),
  })
  .superRefine(
    (claims, ctx) => {
      if (claims.exp <= claims.nbf || claims.exp <= claims.iat) {
        ctx.addIssue({
          code: 'custom',
          path: ['exp'],
          message: 'exp must be after nbf and iat',
          ...rule('EXPIRY_NOT_AFTER_CREATION'),
        });
      }
    },
    { when: (payload) => payload.issues.length === 0 },
  )
  .meta({
    id: 'ApprovalClaims',
    title: 'ApprovalClaims',
    description: 'Claims of a signed approval JWS (Handoff protocol v1).',
  });
export type ApprovalClaims = z.infer<typeof ApprovalClaimsSchema>;
