import { vi } from 'vitest';
import type { StoreTx } from '../../src/store/store.js';
import type { HttpGateway } from '../http/http-fixture.js';
import { rawCall } from '../http/http-fixture.js';
import { ConsoleBrowser } from './console-browser.js';
import { SoftAuthenticator } from './soft-authenticator.js';

/** A person of the console: a browser with its session, and the software authenticator holding its passkey. */
export interface Person {
  subject: string;
  browser: ConsoleBrowser;
  authenticator: SoftAuthenticator;
  token: string;
}

/** Invites `subject` as acme's operator; answers the enrolment token (the link's fragment). */
export async function inviteAs(
  gw: HttpGateway,
  input: { subject: string; roles: string[]; access?: string[] },
): Promise<string> {
  const answer = await rawCall(gw.url, 'approvers.invite', {
    type: 'mutation',
    input,
    credential: gw.callers.acme.operator.apiKey,
  });
  const data = (answer.body as { result: { data: { enrolmentUrl: string } } }).result.data;
  const [, token] = data.enrolmentUrl.split('#');
  return token ?? '';
}

/** Signs `browser` in with `authenticator`'s passkey; keeps the CSRF token. */
export async function signIn(browser: ConsoleBrowser, authenticator: SoftAuthenticator) {
  const { options } = await browser.ok<{ options: { challenge: string } }>(
    'session.signInOptions',
    'mutation',
  );
  const session = await browser.ok<{ csrfToken: string; subject: string }>(
    'session.signIn',
    'mutation',
    { response: authenticator.assert(options.challenge) },
  );
  browser.csrf = session.csrfToken;
  return session;
}

/** Invites, enrols (a new software passkey) and signs in a person of acme. */
export async function enrolledPerson(
  gw: HttpGateway,
  subject: string,
  roles: string[],
): Promise<Person> {
  const token = await inviteAs(gw, { subject, roles });
  const browser = new ConsoleBrowser(gw.url);
  const authenticator = new SoftAuthenticator();
  const { options } = await browser.ok<{ options: { challenge: string } }>(
    'passkeys.enrolOptions',
    'mutation',
    { token },
  );
  await browser.ok('passkeys.enrol', 'mutation', {
    token,
    response: authenticator.register(options.challenge),
  });
  await signIn(browser, authenticator);
  return { subject, browser, authenticator, token };
}

/** The body of `approvals.submitPasskey` for `person`'s approval of an option, signed over the view it is shown. */
export async function signedDecision(
  person: Person,
  planId: string,
  optionId: string,
  decision: 'approve' | 'reject' = 'approve',
) {
  const { viewDigest } = await person.browser.ok<{ viewDigest: string }>(
    'approvals.view',
    'query',
    {
      planId,
      optionId,
    },
  );
  const { statement, options } = await person.browser.ok<{
    statement: { expiresAt: string };
    options: { challenge: string };
  }>('approvals.passkeyOptions', 'mutation', { planId, optionId, decision, viewDigest });
  return {
    planId,
    optionId,
    decision,
    viewDigest,
    expiresAt: statement.expiresAt,
    response: person.authenticator.assert(options.challenge),
  };
}

/**
 * Until the spy it answers is restored, every store transaction of `gw` runs as usual but for `method`, which is
 * `replace(tx)` instead (e.g. the database gone, or another replica's write landing first).
 */
export function interceptTx<K extends keyof StoreTx>(
  gw: HttpGateway,
  method: K,
  replace: (tx: StoreTx) => StoreTx[K],
) {
  const transaction = gw.store.transaction.bind(gw.store);
  return vi.spyOn(gw.store, 'transaction').mockImplementation((work) =>
    transaction((tx) =>
      work(
        new Proxy(tx, {
          get(target, name) {
            if (name === method) return replace(target);
            const member = Reflect.get(target, name, target);
            return typeof member === 'function' ? member.bind(target) : member;
          },
        }),
      ),
    ),
  );
}
