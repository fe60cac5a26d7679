import { describe, expect, test } from 'vitest';
import type { ConsoleSessionRecord } from '../../src/store/console-sessions.js';
import { T0, TENANT_ID } from '../store/fixtures.js';
import type { StoreFactory } from './suite.js';
import { useStores } from './use-stores.js';

const session = (n: number, expiresAt: number): ConsoleSessionRecord => ({
  tokenHash: String(n).repeat(64).slice(0, 64),
  tenantId: TENANT_ID,
  subject: `person-${n}`,
  access: ['approver', 'operator'],
  approvalRoles: ['finance'],
  csrfToken: `csrf-${n}`,
  createdAt: T0,
  expiresAt,
});

/** Console sessions live in the store: any replica accepts one opened on another, until it expires or ends. */
export function defineSessionConformance(factory: StoreFactory): void {
  describe('console sessions', () => {
    const open = useStores(factory);

    test('a session stored by one store is read by another, until its expiry', async () => {
      const [a, b] = await open(2);
      if (!a || !b) throw new Error('no stores');
      await a.transaction((tx) => tx.insertConsoleSession(session(1, T0 + 1_000)));
      expect(
        await b.transaction((tx) => tx.consoleSession(session(1, 0).tokenHash, T0 + 999)),
      ).toEqual(session(1, T0 + 1_000));
      expect(
        await b.transaction((tx) => tx.consoleSession(session(1, 0).tokenHash, T0 + 1_000)),
      ).toBeUndefined();
    });

    test('ends one session, and deletes only the expired ones', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await store.transaction(async (tx) => {
        await tx.insertConsoleSession(session(1, T0 + 10));
        await tx.insertConsoleSession(session(2, T0 + 20));
        await tx.insertConsoleSession(session(3, T0 + 30));
      });
      expect(
        await store.transaction((tx) => tx.deleteConsoleSession(session(3, 0).tokenHash)),
      ).toBe(true);
      expect(
        await store.transaction((tx) => tx.deleteConsoleSession(session(3, 0).tokenHash)),
      ).toBe(false);
      expect(await store.transaction((tx) => tx.deleteExpiredConsoleSessions(T0 + 10))).toBe(1);
      const left = await store.transaction((tx) => tx.consoleSession(session(2, 0).tokenHash, T0));
      expect(left?.subject).toBe('person-2');
    });
  });
}
