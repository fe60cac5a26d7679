import type { AuthenticationResponseJson, SessionView } from '@handoff/protocol';
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
} from '@simplewebauthn/server';
import type { ConsoleSession } from '../auth/sessions.js';
import { GatewayError } from '../errors.js';
import type { PasskeyRecord } from '../store/passkey-records.js';
import type { ConsoleContext } from './console-context.js';

const iso = (ms: number): string => new Date(ms).toISOString();

function notVerified(why: string): GatewayError {
  return new GatewayError('PASSKEY_VERIFICATION_FAILED', `The passkey does not verify: ${why}`);
}

/** The wire view of a session (`SessionView`): never its id, which travels only in the HttpOnly cookie. */
export function sessionView(session: ConsoleSession): SessionView {
  return {
    tenantId: session.tenantId,
    subject: session.subject,
    roles: session.access.filter(
      (r): r is SessionView['roles'][number] =>
        r === 'approver' || r === 'operator' || r === 'auditor',
    ),
    approvalRoles: session.approvalRoles,
    csrfToken: session.csrfToken,
    expiresAt: iso(session.expiresAt),
  };
}

/**
 * A sign-in challenge (`session.signInOptions`): single use, for any discoverable passkey of the console, expiring
 * after `CHALLENGE_TTL_MS` (5 minutes; `expiresAt` ISO 8601).
 * @throws GatewayError `RATE_LIMITED` when `console.maxOpenSignInChallenges` challenges are open already (nothing
 *   is stored); the store's error when it cannot be reached, unchanged.
 */
export async function signInOptions(ctx: ConsoleContext) {
  const { challenge, expiresAt } = await ctx.challenges.issue();
  const options = await generateAuthenticationOptions({
    rpID: ctx.options.rpId,
    challenge: new Uint8Array(Buffer.from(challenge, 'base64url')),
    userVerification: 'preferred',
  });
  return { options, expiresAt: iso(expiresAt) };
}

/**
 * Verifies an assertion with `@simplewebauthn/server` against a registered passkey (W3C WebAuthn L3 section 7.2:
 * `expectedChallenge` decides which challenges count, the console's origin and RP ID, the user present, the
 * registered COSE key and signature counter) and stores the new counter, only ever raising it (see
 * `PasskeysTx.raisePasskeySignCount`): when another sign-in with the same passkey stored a counter at least as
 * high in the meantime, the assertion is refused as one whose counter did not increase. The approver registry's
 * registration of the passkey must still be active (a revoked passkey signs nothing). The credential is looked up
 * first: `expectedChallenge` is asked (with the passkey found) only for a registered, active passkey, before the
 * signature is checked, so it is not asked at all when the credential is unknown or revoked.
 *
 * @throws GatewayError `PASSKEY_VERIFICATION_FAILED` when the credential is unknown or revoked, the assertion
 *   does not verify, or its signature counter did not increase (W3C WebAuthn L3 section 6.1.1); whatever
 *   `expectedChallenge` throws (e.g. the store's error when it cannot be reached), unchanged.
 */
export async function verifyAssertion(
  ctx: ConsoleContext,
  response: AuthenticationResponseJson,
  expectedChallenge: (challenge: string, passkey: PasskeyRecord) => boolean | Promise<boolean>,
): Promise<PasskeyRecord> {
  const passkey = await ctx.deps.store.transaction((tx) => tx.passkeys.getPasskey(response.id));
  const registration =
    passkey &&
    (await ctx.deps.store.transaction((tx) => tx.getApproverKey(passkey.tenantId, passkey.kid)));
  if (!passkey || registration?.status !== 'active') {
    throw notVerified('no active passkey has this credential id');
  }
  let newCounter: number;
  // What the challenge check itself threw (the store unreachable, a bug): passed on as it is, never told as
  // "the passkey does not verify" (which would hide an outage behind a refusal and put the driver's text in it).
  let checkFailed: { error: unknown } | undefined;
  const checkChallenge = async (challenge: string): Promise<boolean> => {
    try {
      return await expectedChallenge(challenge, passkey);
    } catch (error) {
      checkFailed = { error };
      throw error;
    }
  };
  try {
    const result = await verifyAuthenticationResponse({
      response: response as unknown as AuthenticationResponseJSON,
      expectedChallenge: checkChallenge,
      expectedOrigin: ctx.options.origin,
      expectedRPID: ctx.options.rpId,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
        counter: passkey.signCount,
      },
      requireUserVerification: false,
    });
    if (!result.verified) throw notVerified('the assertion was not verified');
    newCounter = result.authenticationInfo.newCounter;
  } catch (error) {
    if (checkFailed) throw checkFailed.error;
    if (error instanceof GatewayError) throw error;
    throw notVerified(error instanceof Error ? error.message : 'invalid assertion');
  }
  // The counter is only ever raised, by a conditional update: had another sign-in with this passkey (on any
  // replica) stored a counter as high as this one since it was read, this assertion would not have verified
  // after it, so it does not verify now either (a non-increasing counter may be a cloned authenticator).
  const raised = await ctx.deps.store.transaction((tx) =>
    tx.passkeys.raisePasskeySignCount(passkey.credentialId, newCounter),
  );
  if (!raised) throw notVerified('the signature counter did not increase');
  return { ...passkey, signCount: newCounter };
}

/**
 * Signs a person in (`session.signIn`): the assertion must come from a registered, active passkey, answer a
 * sign-in challenge that some replica of this gateway issued (for no tenant, or for the passkey's) and that is
 * neither expired nor answered yet, and verify (see {@link verifyAssertion}); the session opened carries the
 * passkey's tenant, the person's principal roles and the approval roles of its registration.
 *
 * When the challenge is used up: an assertion from an unknown or revoked credential is refused before its
 * challenge is looked at, so that challenge stays open (it still needs an active passkey's valid assertion, and
 * still expires); an assertion from an active passkey uses its challenge up as soon as the challenge is checked,
 * whether or not the rest then verifies (origin, signature, counter), so a challenge is never answered twice.
 *
 * @throws GatewayError `PASSKEY_VERIFICATION_FAILED`; the store's error when it cannot be reached, unchanged (the API
 *   answers it 503 `DATABASE_UNAVAILABLE`).
 */
export async function signIn(
  ctx: ConsoleContext,
  response: AuthenticationResponseJson,
): Promise<{ id: string; session: ConsoleSession }> {
  const passkey = await verifyAssertion(ctx, response, (c, found) =>
    ctx.challenges.take(c, found.tenantId),
  );
  const registration = await ctx.deps.store.transaction((tx) =>
    tx.getApproverKey(passkey.tenantId, passkey.kid),
  );
  return ctx.sessions.open({
    tenantId: passkey.tenantId,
    subject: passkey.subject,
    access: passkey.access as ConsoleSession['access'],
    approvalRoles: registration?.roles ?? [],
  });
}
