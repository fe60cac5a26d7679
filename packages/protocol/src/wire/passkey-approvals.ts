/**
 * The passkey approval procedures: `approvals.passkeyOptions` (the WebAuthn challenge for one decision) and
 * `approvals.submitPasskey` (the assertion over it). The challenge is SHA-256 over the RFC 8785 form of the
 * {@link PasskeyStatementSchema} (W3C WebAuthn Level 3 section 13.4.3: the relying party makes the challenge; here
 * it also binds what is approved), so the assertion signs exactly that decision on exactly that view.
 */
import { z } from 'zod';
import { MoneySchema } from '../money.js';
import { DigestSchema, IdentifierSchema, PlanIdSchema, TimestampSchema } from '../primitives.js';
import { ReasonSchema } from './plans.js';
import { AuthenticationResponseJsonSchema, RequestOptionsJsonSchema } from './webauthn.js';

/**
 * What a passkey approval signs (its challenge is SHA-256 over the RFC 8785 form of exactly these members):
 * the plan digest, the option, the decision, the most it may spend (`maxSpend`, the view's unless narrowed), when
 * the challenge expires, and the digest of the approval view the approver was shown.
 */
export const PasskeyStatementSchema = z
  .strictObject({
    planDigest: DigestSchema,
    optionId: IdentifierSchema,
    decision: z.enum(['approve', 'reject']),
    maxSpend: MoneySchema,
    expiresAt: TimestampSchema,
    viewDigest: DigestSchema,
  })
  .meta({
    id: 'PasskeyStatement',
    description:
      'What a passkey approval signs: challenge = SHA-256 of its RFC 8785 form (planDigest, optionId, decision, maxSpend, expiresAt, viewDigest).',
  });

const decisionFields = {
  planId: PlanIdSchema,
  optionId: IdentifierSchema,
  decision: z.enum(['approve', 'reject']),
  maxSpend: MoneySchema.optional(),
  viewDigest: DigestSchema,
};

/**
 * `approvals.passkeyOptions`: the decision to sign. `maxSpend` may narrow the view's (never widen it); absent, it
 * is the view's. `viewDigest` is the digest of the view the console rendered (refused when it is not the one the
 * gateway computes from the stored plan).
 */
export const PasskeyOptionsInputSchema = z.strictObject(decisionFields);

/**
 * What `approvals.passkeyOptions` answers: the statement to sign (show it) and the WebAuthn request options
 * (allow list: the caller's registered passkeys) whose challenge is its hash; valid until `statement.expiresAt`.
 */
export const PasskeyOptionsSchema = z
  .strictObject({ statement: PasskeyStatementSchema, options: RequestOptionsJsonSchema })
  .meta({ id: 'PasskeyOptions', description: 'A passkey approval challenge and what it signs.' });

/**
 * `approvals.submitPasskey`: the same decision fields, the `expiresAt` of the statement, an optional `reason`
 * (read back by the copilot for a rejection), the approval `role` when the person holds several the option's
 * gates ask for, and the assertion (`AuthenticationResponseJSON`).
 */
export const SubmitPasskeyInputSchema = z.strictObject({
  ...decisionFields,
  expiresAt: TimestampSchema,
  reason: ReasonSchema.optional(),
  role: IdentifierSchema.optional(),
  response: AuthenticationResponseJsonSchema,
});

/** What a passkey approval signs (see {@link PasskeyStatementSchema}). */
export type PasskeyStatement = z.infer<typeof PasskeyStatementSchema>;
