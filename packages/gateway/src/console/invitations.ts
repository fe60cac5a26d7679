import { createHash, randomBytes } from 'node:crypto';
import type { Invitation, InviteInputSchema, RegistrationResponseJson } from '@handoff/protocol';
import {
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { z } from 'zod';
import {
  NO_COPILOTS,
  registerApproverKey,
  toApproverKeyRecord,
} from '../approvals/approver-registry.js';
import { coseToJwk, passkeyKid } from '../audit/passkey-evidence.js';
import { type Principal, type Role, requireTenant } from '../auth/principal.js';
import { GatewayError } from '../errors.js';
import type { InvitationRecord } from '../store/passkey-records.js';
import { type ConsoleContext, INVITATION_TTL_MS } from './console-context.js';

/** The COSE algorithms a console passkey may use: ES256 (-7) and EdDSA (-8) (RFC 9053 sections 2.1 and 2.2). */
export const PASSKEY_ALGORITHMS = [-7, -8];

const iso = (ms: number): string => new Date(ms).toISOString();
const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

function invalidToken(): GatewayError {
  return new GatewayError(
    'ENROLMENT_TOKEN_INVALID',
    'This enrolment link is unknown, already used or expired: ask an operator for a new one',
  );
}

function notVerified(why: string): GatewayError {
  return new GatewayError('PASSKEY_VERIFICATION_FAILED', `The passkey does not verify: ${why}`);
}

/**
 * Invites a person of the operator's tenant (`approvers.invite`): stores an invitation under the SHA-256 of a new
 * one-time token (32 random bytes, base64url; the token itself is only in the answer) and answers the enrolment
 * link `<origin>/console/enrol#<token>`, valid for `invitationTtlMs` (default 72 hours). `access` defaults to
 * `approver`; an approver needs at least one approval role.
 *
 * @throws GatewayError `FORBIDDEN` (a `tenantId` other than the operator's), `VALIDATION_FAILED` (an approver
 *   without approval roles), `APPROVER_REGISTRY_CONFLICT` (the subject is a copilot of the tenant).
 */
export async function invite(
  ctx: ConsoleContext,
  principal: Principal,
  input: z.infer<typeof InviteInputSchema>,
): Promise<Invitation> {
  const tenantId = input.tenantId ?? principal.tenantId;
  requireTenant(principal, tenantId);
  const access = [...new Set(input.access ?? ['approver'])].sort();
  const roles = [...new Set(input.roles)].sort();
  if (access.includes('approver') && roles.length === 0) {
    const message = 'An approver needs at least one approval role (e.g. finance)';
    throw new GatewayError('VALIDATION_FAILED', message, {
      issues: [{ path: '/roles', code: 'TOO_SMALL', message }],
    });
  }
  if ((ctx.deps.copilots ?? NO_COPILOTS)(tenantId, input.subject)) {
    throw new GatewayError(
      'APPROVER_REGISTRY_CONFLICT',
      `${input.subject} holds the copilot role in ${tenantId}: a copilot cannot approve`,
    );
  }
  const token = randomBytes(32).toString('base64url');
  const now = ctx.deps.clock.now();
  const expiresAt = now + (ctx.options.invitationTtlMs ?? INVITATION_TTL_MS);
  const record: InvitationRecord = {
    tokenHash: tokenHash(token),
    tenantId,
    subject: input.subject,
    roles,
    access,
    createdBy: principal.id,
    createdAt: now,
    expiresAt,
    challenge: null,
    usedAt: null,
  };
  await ctx.deps.store.transaction((tx) => tx.passkeys.insertInvitation(record));
  return {
    tenantId,
    subject: input.subject,
    roles,
    access: access as Invitation['access'],
    enrolmentUrl: `${ctx.options.origin}/console/enrol#${token}`,
    expiresAt: iso(expiresAt),
  };
}

async function liveInvitation(ctx: ConsoleContext, token: string): Promise<InvitationRecord> {
  const found = await ctx.deps.store.transaction((tx) =>
    tx.passkeys.getInvitation(tokenHash(token)),
  );
  if (!found || found.usedAt !== null || ctx.deps.clock.now() >= found.expiresAt) {
    throw invalidToken();
  }
  return found;
}

/**
 * The WebAuthn creation options for the person an enrolment link invites (`passkeys.enrolOptions`): a
 * discoverable credential (resident key required) with ES256 or EdDSA, no attestation, excluding the person's
 * passkeys already registered; the challenge is remembered with the invitation (the latest one counts).
 *
 * @throws GatewayError `ENROLMENT_TOKEN_INVALID` for a token unknown, used or expired.
 */
export async function enrolOptions(ctx: ConsoleContext, token: string) {
  const invitation = await liveInvitation(ctx, token);
  const existing = await ctx.deps.store.transaction((tx) =>
    tx.passkeys.listPasskeys(invitation.tenantId, invitation.subject),
  );
  const userId = createHash('sha256')
    .update(`${invitation.tenantId}\n${invitation.subject}`)
    .digest();
  const options = await generateRegistrationOptions({
    rpName: 'Handoff',
    rpID: ctx.options.rpId,
    userName: invitation.subject,
    userID: new Uint8Array(userId),
    userDisplayName: invitation.subject,
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
  });
  await ctx.deps.store.transaction((tx) =>
    tx.passkeys.setInvitationChallenge(invitation.tokenHash, options.challenge),
  );
  return {
    tenantId: invitation.tenantId,
    subject: invitation.subject,
    expiresAt: iso(invitation.expiresAt),
    options,
  };
}

/**
 * Registers the invited person's passkey (`passkeys.enrol`): the registration response is verified with
 * `@simplewebauthn/server` (W3C WebAuthn L3 section 7.1: the invitation's challenge, the console's origin and RP
 * ID, the user present, an ES256 or EdDSA key), then in one transaction the invitation is used up, the credential
 * is registered in the approver registry under kid `webauthn:<credential id>` (its COSE key as a JWK: subject,
 * approval roles, `control.approver_registered`) and kept with its COSE public key and signature counter.
 *
 * @throws GatewayError `ENROLMENT_TOKEN_INVALID` (unknown, used or expired; or no options were asked for),
 *   `PASSKEY_VERIFICATION_FAILED`, `APPROVER_REGISTRY_CONFLICT` (that credential is already registered).
 */
export async function enrol(
  ctx: ConsoleContext,
  token: string,
  response: RegistrationResponseJson,
) {
  const invitation = await liveInvitation(ctx, token);
  if (invitation.challenge === null) throw invalidToken();
  let credential: { id: string; publicKey: Uint8Array; counter: number; transports?: string[] };
  try {
    const result = await verifyRegistrationResponse({
      response: response as unknown as RegistrationResponseJSON,
      expectedChallenge: invitation.challenge,
      expectedOrigin: ctx.options.origin,
      expectedRPID: ctx.options.rpId,
      requireUserVerification: false,
      supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
    });
    if (!result.verified) throw notVerified('the registration was not verified');
    credential = result.registrationInfo.credential;
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw notVerified(error instanceof Error ? error.message : 'invalid registration');
  }
  let jwk: Record<string, unknown>;
  try {
    jwk = { ...coseToJwk(credential.publicKey) };
  } catch (error) {
    throw notVerified(error instanceof Error ? error.message : 'unsupported key');
  }
  const now = ctx.deps.clock.now();
  const kid = passkeyKid(credential.id);
  const actor = { type: 'operator' as const, id: invitation.createdBy };
  const registration = { kid, tenantId: invitation.tenantId, subject: invitation.subject };
  const record = await toApproverKeyRecord(
    { ...registration, roles: invitation.roles, jwk },
    actor,
    now,
  );
  await ctx.deps.store.transaction(async (tx) => {
    if (!(await tx.passkeys.useInvitation(invitation.tokenHash, now))) throw invalidToken();
    await registerApproverKey(tx, record, ctx.deps.copilots ?? NO_COPILOTS, actor);
    const inserted = await tx.passkeys.insertPasskey({
      credentialId: credential.id,
      tenantId: invitation.tenantId,
      subject: invitation.subject,
      kid,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      signCount: credential.counter,
      access: invitation.access as Role[],
      transports: credential.transports ?? null,
      createdAt: now,
    });
    if (!inserted) {
      throw new GatewayError('APPROVER_REGISTRY_CONFLICT', 'This passkey is already registered');
    }
  });
  return {
    tenantId: invitation.tenantId,
    subject: invitation.subject,
    credentialId: credential.id,
    registeredAt: iso(now),
  };
}
