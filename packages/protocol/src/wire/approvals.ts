/**
 * The `approvals.submit` and `approvers.*` procedures' inputs and outputs: signed approvals, and the registry of
 * approver keys an operator keeps for its tenant.
 */
import { z } from 'zod';
import { IdentifierSchema, TimestampSchema } from '../primitives.js';
import { PlanViewSchema } from './plan-view.js';
import { ReasonSchema } from './plans.js';

const KidSchema = z.string().min(1).max(200);
/** A public JWK (RFC 7517) as given: the gateway checks it (Ed25519 OKP or EC P-256, no private members). */
const JwkInputSchema = z.record(z.string(), z.unknown());
const ApproverRolesSchema = z.array(IdentifierSchema).min(1).max(20);

/** The input of `approvals.submit`: the approver's signed approval or rejection, a compact JWS. */
export const ApprovalSubmitInputSchema = z.strictObject({ token: z.string().min(1).max(16_384) });

/**
 * What `approvals.submit` answers: the plan's view after the decision, and `decisive` (true when this approval or
 * rejection decided the plan: its last gate met, or a rejection).
 */
export const ApprovalResultSchema = PlanViewSchema.extend({ decisive: z.boolean() }).meta({
  id: 'ApprovalResult',
  description: 'The plan view after the approval, and whether it decided the plan.',
});

/** `approvers.register`: a key for an approver of the operator's own tenant (`tenantId`, when given, must be it). */
export const RegisterApproverInputSchema = z.strictObject({
  kid: KidSchema,
  subject: z.string().min(1).max(200),
  roles: ApproverRolesSchema,
  jwk: JwkInputSchema,
  tenantId: IdentifierSchema.optional(),
});

/** `approvers.revoke`: the kid to revoke and why. */
export const RevokeApproverInputSchema = z.strictObject({ kid: KidSchema, reason: ReasonSchema });

/**
 * `approvers.rotate`: registers `kid` with `jwk` for the subject, tenant and roles of `oldKid` (or `roles`) and
 * revokes `oldKid` with `reason`, in one transaction.
 */
export const RotateApproverInputSchema = z.strictObject({
  oldKid: KidSchema,
  kid: KidSchema,
  jwk: JwkInputSchema,
  roles: ApproverRolesSchema.optional(),
  reason: ReasonSchema,
});

/** An approver's public verification key (RFC 7517): Ed25519 (`OKP`, `EdDSA`) or P-256 (`EC`, `ES256`). */
export const VerificationJwkSchema = z.looseObject({
  kty: z.enum(['OKP', 'EC']),
  crv: z.enum(['Ed25519', 'P-256']),
  x: z.string(),
  y: z.string().optional(),
  kid: z.string(),
  alg: z.enum(['EdDSA', 'ES256']),
  use: z.literal('sig'),
});

/**
 * An approver key as the API shows it: the registration with its public JWK and RFC 7638 thumbprint; times are
 * RFC 3339 UTC; `revokedAt`, `revokedBy` and `reason` are null while the key is active.
 */
export const ApproverViewSchema = z
  .strictObject({
    kid: z.string(),
    tenantId: IdentifierSchema,
    subject: z.string(),
    roles: z.array(z.string()),
    jwk: VerificationJwkSchema,
    thumbprint: z.string(),
    status: z.enum(['active', 'revoked']),
    registeredAt: TimestampSchema,
    registeredBy: z.string(),
    revokedAt: TimestampSchema.nullable(),
    revokedBy: z.string().nullable(),
    reason: z.string().nullable(),
  })
  .meta({
    id: 'ApproverView',
    description: 'A registered approver key: subject, roles, public JWK, thumbprint, status.',
  });

/** What `approvers.rotate` answers: the new registration and the revoked one. */
export const ApproverRotationSchema = z
  .strictObject({
    registered: ApproverViewSchema,
    revoked: ApproverViewSchema,
  })
  .meta({ id: 'ApproverRotation', description: 'The new registration and the revoked one.' });

/** An approver key as the API shows it (see {@link ApproverViewSchema}). */
export type ApproverView = z.infer<typeof ApproverViewSchema>;
