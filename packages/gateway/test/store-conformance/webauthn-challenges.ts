import { describe, expect, test } from 'vitest';
import type { GatewayStore } from '../../src/store/store.js';
import type { WebauthnChallengeRecord } from '../../src/store/webauthn-challenges.js';
import { T0 } from '../store/fixtures.js';
import type { StoreFactory } from './suite.js';
import { race, useStores } from './use-stores.js';

const challenge = (n: number, expiresAt: number): WebauthnChallengeRecord => ({
  challengeHash: String(n).repeat(64).slice(0, 64),
  purpose: 'sign-in',
  tenantId: null,
  expiresAt,
});

/** A bound on open challenges that no case but the bound's own reaches. */
const NO_CAP = 1_000_000;

const issue = (store: GatewayStore, n: number, atMs: number, maxOpen: number) =>
  store.transaction((tx) => tx.issueWebauthnChallenge(challenge(n, atMs + 100), atMs, maxOpen));

/**
 * WebAuthn challenges live in the store: issued on one replica, taken once on any, refused once expired; issued
 * within a bound on how many are open at once, over all replicas.
 */
export function defineWebauthnChallengeConformance(factory: StoreFactory): void {
  describe('webauthn challenges', () => {
    const open = useStores(factory);

    test('a challenge issued by one store is taken by another, once', async () => {
      const [a, b] = await open(2);
      if (!a || !b) throw new Error('no stores');
      await a.transaction((tx) => tx.issueWebauthnChallenge(challenge(1, T0 + 1_000), T0, NO_CAP));
      const hash = challenge(1, 0).challengeHash;
      expect(await b.transaction((tx) => tx.takeWebauthnChallenge(hash, 'sign-in', T0))).toEqual(
        challenge(1, T0 + 1_000),
      );
      expect(
        await a.transaction((tx) => tx.takeWebauthnChallenge(hash, 'sign-in', T0)),
      ).toBeUndefined();
    });

    test('two stores racing to take one challenge: exactly one gets it', async () => {
      const [a, b] = await open(2);
      if (!a || !b) throw new Error('no stores');
      const hash = challenge(2, 0).challengeHash;
      for (let round = 0; round < 5; round += 1) {
        await a.transaction((tx) =>
          tx.issueWebauthnChallenge(challenge(2, T0 + 1_000), T0, NO_CAP),
        );
        const taken = await race(
          [a, b, a, b].map(
            (store) => () =>
              store.transaction((tx) => tx.takeWebauthnChallenge(hash, 'sign-in', T0)),
          ),
        );
        expect(taken.filter((row) => row !== undefined)).toHaveLength(1);
      }
    });

    test('an expired challenge is refused and its row is gone; an unknown one is refused', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      const hash = challenge(3, 0).challengeHash;
      await store.transaction((tx) => tx.issueWebauthnChallenge(challenge(3, T0 + 10), T0, NO_CAP));
      expect(
        await store.transaction((tx) => tx.takeWebauthnChallenge(hash, 'sign-in', T0 + 10)),
      ).toBeUndefined();
      expect(await store.transaction((tx) => tx.deleteExpiredWebauthnChallenges(T0 + 10))).toBe(0);
      expect(
        await store.transaction((tx) =>
          tx.takeWebauthnChallenge(challenge(9, 0).challengeHash, 'sign-in', T0),
        ),
      ).toBeUndefined();
    });

    test('the expiry sweep deletes only the expired challenges', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await store.transaction(async (tx) => {
        await tx.issueWebauthnChallenge(challenge(4, T0 + 10), T0, NO_CAP);
        await tx.issueWebauthnChallenge(challenge(5, T0 + 20), T0, NO_CAP);
      });
      expect(await store.transaction((tx) => tx.deleteExpiredWebauthnChallenges(T0 + 10))).toBe(1);
      const live = await store.transaction((tx) =>
        tx.takeWebauthnChallenge(challenge(5, 0).challengeHash, 'sign-in', T0 + 19),
      );
      expect(live?.expiresAt).toBe(T0 + 20);
    });

    test('issuing stops at the bound and stores nothing past it; expired challenges are cleared first', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      expect(await issue(store, 1, T0, 2)).toBe(true);
      expect(await issue(store, 2, T0 + 50, 2)).toBe(true);
      expect(await issue(store, 3, T0 + 60, 2)).toBe(false);
      const refused = challenge(3, 0).challengeHash;
      expect(
        await store.transaction((tx) => tx.takeWebauthnChallenge(refused, 'sign-in', T0 + 60)),
      ).toBeUndefined();
      // At T0 + 100 the first has expired: it is deleted, which makes room for one more.
      expect(await issue(store, 3, T0 + 100, 2)).toBe(true);
      expect(await issue(store, 4, T0 + 100, 2)).toBe(false);
      expect(
        await store.transaction((tx) => tx.takeWebauthnChallenge(refused, 'sign-in', T0 + 100)),
      ).toMatchObject({ expiresAt: T0 + 200 });
      expect(
        await store.transaction((tx) =>
          tx.deleteExpiredWebauthnChallenges(Number.MAX_SAFE_INTEGER),
        ),
      ).toBe(1);
    });

    test('stores racing to issue past the bound: exactly the bound is issued, over all of them', async () => {
      const [a, b] = await open(2);
      if (!a || !b) throw new Error('no stores');
      const issued = await race(
        [1, 2, 3, 4, 5, 6, 7, 8].map((n) => () => issue(n % 2 === 0 ? a : b, n, T0, 5)),
      );
      expect(issued.filter(Boolean)).toHaveLength(5);
      expect(
        await a.transaction((tx) => tx.deleteExpiredWebauthnChallenges(Number.MAX_SAFE_INTEGER)),
      ).toBe(5);
    });
  });
}
