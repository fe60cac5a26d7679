import { describe, expect, test } from 'vitest';
import type { PasskeyRecord } from '../../src/store/passkey-records.js';
import type { GatewayStore } from '../../src/store/store.js';
import { T0, TENANT_ID } from '../store/fixtures.js';
import type { StoreFactory } from './suite.js';
import { race, useStores } from './use-stores.js';

const passkey = (credentialId: string, signCount: number): PasskeyRecord => ({
  credentialId,
  tenantId: TENANT_ID,
  subject: 'ana.finance',
  kid: `webauthn:${credentialId}`,
  publicKey: 'cHVibGljLWtleQ',
  signCount,
  access: ['approver'],
  transports: null,
  createdAt: T0,
});

const counterOf = async (store: GatewayStore, credentialId: string) =>
  (await store.transaction((tx) => tx.passkeys.getPasskey(credentialId)))?.signCount;

const raise = (store: GatewayStore, credentialId: string, signCount: number) =>
  store.transaction((tx) => tx.passkeys.raisePasskeySignCount(credentialId, signCount));

/**
 * A passkey's signature counter (W3C WebAuthn L3 section 6.1.1) is only ever raised, by any replica: a sign-in
 * whose counter is not above the stored one changes nothing and is told so.
 */
export function definePasskeyConformance(factory: StoreFactory): void {
  describe('passkey signature counters', () => {
    const open = useStores(factory);

    test('a counter is raised, never lowered nor rewritten; an unknown credential changes nothing', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await store.transaction((tx) => tx.passkeys.insertPasskey(passkey('cred-1', 5)));
      expect(await raise(store, 'cred-1', 7)).toBe(true);
      expect(await raise(store, 'cred-1', 6)).toBe(false);
      expect(await raise(store, 'cred-1', 7)).toBe(false);
      expect(await raise(store, 'cred-1', 0)).toBe(false);
      expect(await counterOf(store, 'cred-1')).toBe(7);
      expect(await raise(store, 'no-such-credential', 9)).toBe(false);
    });

    test('an authenticator that keeps no counter (0) signs in while the stored counter is 0', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await store.transaction((tx) => tx.passkeys.insertPasskey(passkey('cred-2', 0)));
      expect(await raise(store, 'cred-2', 0)).toBe(true);
      expect(await raise(store, 'cred-2', 0)).toBe(true);
      expect(await counterOf(store, 'cred-2')).toBe(0);
    });

    test('a lower counter written while a higher one is being committed by another store loses', async () => {
      const [a, b] = await open(2);
      if (!a || !b) throw new Error('no stores');
      await a.transaction((tx) => tx.passkeys.insertPasskey(passkey('cred-3', 5)));
      let lower: Promise<boolean> | undefined;
      await a.transaction(async (tx) => {
        expect(await tx.passkeys.raisePasskeySignCount('cred-3', 7)).toBe(true);
        // Another replica, with an assertion verified against the counter 5 it read before, writes 6 meanwhile.
        lower = raise(b, 'cred-3', 6);
      });
      expect(await lower).toBe(false);
      expect(await counterOf(b, 'cred-3')).toBe(7);
    });

    test('stores racing to raise one counter: it ends at the highest, which always wins', async () => {
      const [a, b] = await open(2);
      if (!a || !b) throw new Error('no stores');
      await a.transaction((tx) => tx.passkeys.insertPasskey(passkey('cred-4', 0)));
      const counters = [3, 8, 5, 6, 2, 7, 4, 1];
      const raised = await race(
        counters.map((n, i) => () => raise(i % 2 === 0 ? a : b, 'cred-4', n)),
      );
      expect(raised[counters.indexOf(8)]).toBe(true);
      expect(await counterOf(a, 'cred-4')).toBe(8);
    });
  });
}
