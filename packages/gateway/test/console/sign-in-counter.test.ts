import { afterAll, beforeAll, expect, test } from 'vitest';
import { type HttpGateway, startHttpGateway } from '../http/http-fixture.js';
import { ConsoleBrowser } from './console-browser.js';
import { enrolledPerson, interceptTx, type Person } from './console-support.js';

/*
 * The passkey signature counter (W3C WebAuthn L3 section 6.1.1) across replicas: two sign-ins with one passkey
 * verify against the counter each read, and the one whose counter is not above what the other stored by then is
 * refused (its counter did not increase: a possible clone), and never lowers the stored counter.
 */

let gw: HttpGateway;
let ana: Person;

beforeAll(async () => {
  gw = await startHttpGateway();
  ana = await enrolledPerson(gw, 'ana.finance', ['finance']);
});
afterAll(() => gw?.close());

const storedCounter = async () =>
  (await gw.store.transaction((tx) => tx.passkeys.getPasskey(ana.authenticator.id)))?.signCount;

/** Signs in with `counter`; while its challenge is taken, "another replica" stores `raceTo` first. */
async function signInRacing(counter: number, raceTo: number) {
  const browser = new ConsoleBrowser(gw.url);
  const { options } = await browser.ok<{ options: { challenge: string } }>(
    'session.signInOptions',
    'mutation',
  );
  ana.authenticator.counter = counter;
  const response = ana.authenticator.assert(options.challenge);
  // The counter was read before the challenge is taken: a sign-in elsewhere commits `raceTo` in between.
  const spy = interceptTx(gw, 'takeWebauthnChallenge', (tx) => async (...args) => {
    await tx.passkeys.raisePasskeySignCount(ana.authenticator.id, raceTo);
    return tx.takeWebauthnChallenge(...args);
  });
  try {
    return await browser.call('session.signIn', 'mutation', { response });
  } finally {
    spy.mockRestore();
  }
}

test('a sign-in whose counter another sign-in overtook is refused, and the counter stays the higher', async () => {
  ana.authenticator.counter = 5;
  const browser = new ConsoleBrowser(gw.url);
  const { options } = await browser.ok<{ options: { challenge: string } }>(
    'session.signInOptions',
    'mutation',
  );
  await browser.ok('session.signIn', 'mutation', {
    response: ana.authenticator.assert(options.challenge),
  });
  expect(await storedCounter()).toBe(5);
  const overtaken = await signInRacing(6, 7);
  expect(overtaken.status).toBe(401);
  expect(overtaken.envelope?.code).toBe('PASSKEY_VERIFICATION_FAILED');
  expect(overtaken.envelope?.message).toContain('signature counter did not increase');
  expect(overtaken.setCookie).toEqual([]);
  expect(await storedCounter()).toBe(7);
});

test('a sign-in whose counter is still above the one stored meanwhile signs in and raises it', async () => {
  const base = (await storedCounter()) ?? 0;
  const answer = await signInRacing(base + 3, base + 2);
  expect(answer.status).toBe(200);
  expect(await storedCounter()).toBe(base + 3);
});
