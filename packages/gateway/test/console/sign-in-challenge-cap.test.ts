import { afterAll, beforeAll, expect, test } from 'vitest';
import { CHALLENGE_TTL_MS } from '../../src/console/console-context.js';
import { type HttpGateway, startHttpGateway } from '../http/http-fixture.js';
import { ConsoleBrowser } from './console-browser.js';
import { enrolledPerson, type Person } from './console-support.js';

/*
 * `session.signInOptions` is public: the challenges it stores are bounded (config
 * `console.maxOpenSignInChallenges`), so an unauthenticated caller cannot grow the table. Past the bound it
 * answers 429 RATE_LIMITED and stores nothing; answered and expired challenges make room again.
 */

let gw: HttpGateway;
let ana: Person;

beforeAll(async () => {
  gw = await startHttpGateway({ console: { maxOpenSignInChallenges: 2 } });
  // Enrolling signs ana in, which answers (and deletes) the challenge it asked for: none is left open.
  ana = await enrolledPerson(gw, 'ana.finance', ['finance']);
});
afterAll(() => gw?.close());

const askChallenge = () => new ConsoleBrowser(gw.url).call('session.signInOptions', 'mutation');

test('past the bound, signInOptions answers 429 RATE_LIMITED and stores nothing', async () => {
  const first = await askChallenge();
  expect((await askChallenge()).status).toBe(200);
  const refused = await askChallenge();
  expect(refused.status).toBe(429);
  expect(refused.envelope?.code).toBe('RATE_LIMITED');
  expect(refused.envelope?.message).toContain('at most 2');
  expect(refused.data).toBeUndefined();
  // Answering a challenge makes room for one more, and only one.
  const { challenge } = (first.data as { options: { challenge: string } }).options;
  const signedIn = await new ConsoleBrowser(gw.url).call('session.signIn', 'mutation', {
    response: ana.authenticator.assert(challenge),
  });
  expect(signedIn.status).toBe(200);
  expect((await askChallenge()).status).toBe(200);
  expect((await askChallenge()).envelope?.code).toBe('RATE_LIMITED');
  // Two challenges open, none stored by the refusals.
  const open = await gw.store.transaction((tx) =>
    tx.deleteExpiredWebauthnChallenges(gw.clock.now() + CHALLENGE_TTL_MS),
  );
  expect(open).toBe(2);
});

test('expired challenges are cleared when the next is issued: the bound holds open ones only', async () => {
  expect((await askChallenge()).status).toBe(200);
  expect((await askChallenge()).status).toBe(200);
  expect((await askChallenge()).status).toBe(429);
  gw.clock.advance(CHALLENGE_TTL_MS);
  expect((await askChallenge()).status).toBe(200);
  expect((await askChallenge()).status).toBe(200);
  expect((await askChallenge()).envelope?.code).toBe('RATE_LIMITED');
});
