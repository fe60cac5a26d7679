/**
 * The console's people procedures: `approvers.invite` (an operator invites a person), `passkeys.enrolOptions` /
 * `passkeys.enrol` (the person registers a passkey from the one-time enrolment link) and `session.*` (sign-in
 * with a passkey, the session, sign-out). Times are RFC 3339 UTC.
 *
 * A session travels as the cookie `handoff_session` (HttpOnly, SameSite=Strict, Secure over TLS); every mutation
 * made with it carries the header `x-handoff-csrf` equal to the session's `csrfToken`.
 */
import { z } from 'zod';
import { IdentifierSchema, TimestampSchema } from '../primitives.js';
import {
  AuthenticationResponseJsonSchema,
  Base64UrlSchema,
  CreationOptionsJsonSchema,
  RegistrationResponseJsonSchema,
  RequestOptionsJsonSchema,
} from './webauthn.js';

/** The principal roles a person invited to the console may hold: `approver` (default), `operator`, `auditor`. */
export const PERSON_ACCESS_ROLES = ['approver', 'operator', 'auditor'] as const;
const AccessSchema = z.array(z.enum(PERSON_ACCESS_ROLES)).min(1).max(3);

/** The one-time enrolment token of an invitation (the fragment of its enrolment link): base64url, 43 characters. */
export const EnrolmentTokenSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/)
  .meta({ description: 'The token of an enrolment link (base64url of 32 random bytes).' });

/**
 * `approvers.invite`: invite `subject` of the operator's tenant (`tenantId`, when given, must be it) with approval
 * `roles` (the gate roles it may approve in, e.g. `finance`) and principal `access` (default `['approver']`).
 */
export const InviteInputSchema = z.strictObject({
  tenantId: IdentifierSchema.optional(),
  subject: z.string().min(1).max(200),
  roles: z.array(IdentifierSchema).max(20),
  access: AccessSchema.optional(),
});

/**
 * What `approvers.invite` answers: the one-time enrolment link (`<console.origin>/console/enrol#<token>`; the
 * token is stored only as its SHA-256) and when it expires.
 */
export const InvitationSchema = z
  .strictObject({
    tenantId: IdentifierSchema,
    subject: z.string(),
    roles: z.array(z.string()),
    access: z.array(z.enum(PERSON_ACCESS_ROLES)),
    enrolmentUrl: z.string(),
    expiresAt: TimestampSchema,
  })
  .meta({
    id: 'Invitation',
    description: 'A one-time enrolment link for an invited person and when it expires.',
  });

/** `passkeys.enrolOptions`: the token of the enrolment link. */
export const EnrolOptionsInputSchema = z.strictObject({ token: EnrolmentTokenSchema });

/** What `passkeys.enrolOptions` answers: who is enrolling and the WebAuthn creation options. */
export const EnrolOptionsSchema = z
  .strictObject({
    tenantId: IdentifierSchema,
    subject: z.string(),
    expiresAt: TimestampSchema,
    options: CreationOptionsJsonSchema,
  })
  .meta({ id: 'EnrolOptions', description: 'WebAuthn creation options for an invited person.' });

/** `passkeys.enrol`: the token and the new passkey (the browser's `RegistrationResponseJSON`). */
export const EnrolInputSchema = z.strictObject({
  token: EnrolmentTokenSchema,
  response: RegistrationResponseJsonSchema,
});

/** What `passkeys.enrol` answers: the registered credential (its id, base64url) and whose it is. */
export const EnrolledPasskeySchema = z
  .strictObject({
    tenantId: IdentifierSchema,
    subject: z.string(),
    credentialId: Base64UrlSchema,
    registeredAt: TimestampSchema,
  })
  .meta({ id: 'EnrolledPasskey', description: 'A passkey registered for a person.' });

/** What `session.signInOptions` answers: WebAuthn request options (discoverable credentials, no allow list). */
export const SignInOptionsSchema = z
  .strictObject({ options: RequestOptionsJsonSchema, expiresAt: TimestampSchema })
  .meta({
    id: 'SignInOptions',
    description: 'WebAuthn request options to sign in with a passkey.',
  });

/** `session.signIn`: the assertion over the sign-in challenge. */
export const SignInInputSchema = z.strictObject({ response: AuthenticationResponseJsonSchema });

/**
 * A signed-in person's session: who (`subject`, `tenantId`), the principal `roles` it acts with, the approval
 * roles it holds (`approvalRoles`), the CSRF token to send as `x-handoff-csrf` on every mutation, and when it
 * expires. The session id itself travels only in the HttpOnly cookie.
 */
export const SessionViewSchema = z
  .strictObject({
    tenantId: IdentifierSchema,
    subject: z.string(),
    roles: z.array(z.enum(PERSON_ACCESS_ROLES)),
    approvalRoles: z.array(z.string()),
    csrfToken: z.string(),
    expiresAt: TimestampSchema,
  })
  .meta({
    id: 'SessionView',
    description: "A signed-in person's session (cookie handoff_session).",
  });

/** What `session.signOut` answers. */
export const SignedOutSchema = z
  .strictObject({ signedOut: z.literal(true) })
  .meta({ id: 'SignedOut', description: 'The session is ended.' });

/** A person's session (see {@link SessionViewSchema}). */
export type SessionView = z.infer<typeof SessionViewSchema>;
/** An invitation (see {@link InvitationSchema}). */
export type Invitation = z.infer<typeof InvitationSchema>;
