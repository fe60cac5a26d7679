/**
 * The approval console of a story's gateway (`/console/`, served by the gateway itself): the port chosen before
 * start, so the config can name the console's origin (`http://localhost:<port>`; WebAuthn needs a domain as
 * relying party id, `localhost`, not `127.0.0.1`), and, for `--keep`, the console's URL and a one-time enrolment
 * link for a person who may approve, operate and audit.
 */
import type { AppRouter } from '@handoff/gateway';
import type { WireOutput } from '@handoff/protocol';
import type { TRPCClient } from '@trpc/client';
import getPort from 'get-port';
import { detail, paint } from './terminal.js';

/** A free TCP port on 127.0.0.1 (get-port asks the OS for one; the gateway binds it right after). */
export function freePort(): Promise<number> {
  return getPort({ host: '127.0.0.1' });
}

/** The config's `console` section for a gateway listening on `port` of this machine. */
export function consoleSection(port: number): { rpId: string; origin: string } {
  return { rpId: 'localhost', origin: `http://localhost:${port}` };
}

/**
 * Prints the console's URL and an enrolment link made by the operator (`approvers.invite`) for `subject` with
 * approval `roles` and every kind of access; open the link in a browser on this machine to register a passkey.
 */
export async function printConsoleLink(
  operator: TRPCClient<AppRouter>,
  port: number,
  subject: string,
  roles: string[],
): Promise<void> {
  const { origin } = consoleSection(port);
  detail(`approval console: ${paint('bold', `${origin}/console/`)}`);
  try {
    const invitation: WireOutput<'approvers.invite'> = await operator.approvers.invite.mutate({
      subject,
      roles,
      access: ['approver', 'operator', 'auditor'],
    });
    detail(`enrol ${subject} (${roles.join(', ')}; once, until ${invitation.expiresAt}):`, 4);
    detail(paint('bold', invitation.enrolmentUrl), 4);
  } catch (error) {
    detail(`no enrolment link: ${error instanceof Error ? error.message : String(error)}`, 4);
  }
}
