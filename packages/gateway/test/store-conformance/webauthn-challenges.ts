import { describe, expect, test } from 'vitest';
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

/** WebAuthn challenges live in the store: issued on one replica, taken once on any, refused once expired. */
export function defineWebauthnChallengeConformance(factory: StoreFactory): void {
  describe('webauthn challenges', () => {
    const open = useStores(factory);

    test('a challenge issued by one store is taken by another, once', async () => {
      const [a, b] = await open(2);
      if (!a || !b) throw new Error('no stores');
      await a.transaction((tx) => tx.insertWebauthnChallenge(challenge(1, T0 + 1_000)));
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
        await a.transaction((tx) => tx.insertWebauthnChallenge(challenge(2, T0 + 1_000)));
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
      await store.transaction((tx) => tx.insertWebauthnChallenge(challenge(3, T0 + 10)));
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
        await tx.insertWebauthnChallenge(challenge(4, T0 + 10));
        await tx.insertWebauthnChallenge(challenge(5, T0 + 20));
      });
      expect(await store.transaction((tx) => tx.deleteExpiredWebauthnChallenges(T0 + 10))).toBe(1);
      const live = await store.transaction((tx) =>
        tx.takeWebauthnChallenge(challenge(5, 0).challengeHash, 'sign-in', T0 + 19),
      );
      expect(live?.expiresAt).toBe(T0 + 20);
    });
  });
}
