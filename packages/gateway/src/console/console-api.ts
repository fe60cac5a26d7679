import type {
  AuthenticationResponseJson,
  InviteInputSchema,
  PasskeyOptionsInputSchema,
  RegistrationResponseJson,
  SubmitPasskeyInputSchema,
} from '@handoff/protocol';
import type { z } from 'zod';
import { OPERATION_ROLES, type Operation } from '../access.js';
import { type Principal, requireRole } from '../auth/principal.js';
import type { ConsoleSession } from '../auth/sessions.js';
import type { PipelineDeps } from '../pipeline/deps.js';
import { type ConsoleContext, type ConsoleOptions, consoleContext } from './console-context.js';
import { enrol, enrolOptions, invite } from './invitations.js';
import { passkeyOptions, submitPasskey, viewApproval } from './passkey-approval.js';
import { signIn, signInOptions } from './sign-in.js';

/**
 * The console's operations (issue 17), in process: invitations, passkey enrolment, sign-in and sessions, the
 * approval view and passkey approvals. Each checks the caller's role against `OPERATION_ROLES` first; enrolment
 * and sign-in are public (the enrolment token, or the passkey assertion, is the credential). See the functions
 * each method calls for its checks and error codes.
 */
export class ConsoleApi {
  readonly context: ConsoleContext;

  constructor(deps: PipelineDeps, options?: ConsoleOptions) {
    this.context = consoleContext(deps, options);
  }

  #authorize(principal: Principal, operation: Operation): void {
    requireRole(principal, ...OPERATION_ROLES[operation]);
  }

  /** `approvers.invite` (operator). See `invite`. */
  async invite(principal: Principal, input: z.infer<typeof InviteInputSchema>) {
    this.#authorize(principal, 'approvers.invite');
    return invite(this.context, principal, input);
  }

  /** `passkeys.enrolOptions` (public). See `enrolOptions`. */
  enrolOptions(token: string) {
    return enrolOptions(this.context, token);
  }

  /** `passkeys.enrol` (public). See `enrol`. */
  enrol(token: string, response: RegistrationResponseJson) {
    return enrol(this.context, token, response);
  }

  /** `session.signInOptions` (public). See `signInOptions`. */
  signInOptions() {
    return signInOptions(this.context);
  }

  /** `session.signIn` (public): the new session and its id (the cookie value). See `signIn`. */
  signIn(response: AuthenticationResponseJson): Promise<{ id: string; session: ConsoleSession }> {
    return signIn(this.context, response);
  }

  /** The live session of a cookie value, or undefined. */
  session(id: string): Promise<ConsoleSession | undefined> {
    return this.context.sessions.get(id);
  }

  /** `session.signOut`: ends the session of a cookie value. */
  async signOut(principal: Principal, id: string): Promise<void> {
    this.#authorize(principal, 'session.signOut');
    await this.context.sessions.close(id);
  }

  /** `approvals.view` (approver, operator, auditor). See `viewApproval`. */
  async view(principal: Principal, planId: string, optionId: string) {
    this.#authorize(principal, 'approvals.view');
    return viewApproval(this.context, principal, planId, optionId);
  }

  /** `approvals.passkeyOptions` (approver). See `passkeyOptions`. */
  async passkeyOptions(principal: Principal, input: z.infer<typeof PasskeyOptionsInputSchema>) {
    this.#authorize(principal, 'approvals.passkeyOptions');
    return passkeyOptions(this.context, principal, input);
  }

  /** `approvals.submitPasskey` (approver). See `submitPasskey`. */
  async submitPasskey(principal: Principal, input: z.infer<typeof SubmitPasskeyInputSchema>) {
    this.#authorize(principal, 'approvals.submitPasskey');
    const result = await submitPasskey(this.context, principal, input);
    if (result.decisive && result.state === 'approved') this.context.deps.onActionsQueued?.();
    return result;
  }
}
