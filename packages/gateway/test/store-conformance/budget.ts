import { describe, expect, test } from 'vitest';
import type { GatewayStore, LedgerLine } from '../../src/store/store.js';
import { ledgerLine, T0, TENANT_ID } from '../store/fixtures.js';
import type { StoreFactory } from './suite.js';
import { race, useStores } from './use-stores.js';

const CAP = 'tenant-month';
const PERIOD = 'month:2026-11';

const usage = (store: GatewayStore) =>
  store.transaction((tx) => tx.budgetUsage(TENANT_ID, CAP, PERIOD));

/** Budget totals are kept by the store; a reservation is one conditional update that refuses in the database. */
export function defineBudgetConformance(factory: StoreFactory): void {
  describe('budget', () => {
    const open = useStores(factory);

    test('reserves up to the limit exactly, refuses one minor unit more, and refusing changes nothing', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      expect(await store.transaction((tx) => tx.reserveBudget(ledgerLine('p-1', 600), 1000))).toBe(
        true,
      );
      expect(await store.transaction((tx) => tx.reserveBudget(ledgerLine('p-2', 401), 1000))).toBe(
        false,
      );
      expect(await store.transaction((tx) => tx.reserveBudget(ledgerLine('p-3', 400), 1000))).toBe(
        true,
      );
      expect(await usage(store)).toEqual({ reserved: 1000n, committed: 0n });
      const refused = await store.transaction((tx) => tx.ledgerForPlan(TENANT_ID, 'p-2'));
      expect(refused).toEqual([]);
    });

    test('two stores racing one cap never overspend it (overspend 0)', async () => {
      const [a, b] = await open(2);
      if (!a || !b) throw new Error('no stores');
      const tries = Array.from({ length: 24 }, (_, i) => ({
        store: i % 2 === 0 ? a : b,
        line: ledgerLine(`race-${i}`, 100),
      }));
      const outcomes = await race(
        tries.map(
          ({ store, line }) =>
            () =>
              store.transaction((tx) => tx.reserveBudget(line, 1000)),
        ),
      );
      expect(outcomes.filter(Boolean)).toHaveLength(10);
      expect(await usage(a)).toEqual({ reserved: 1000n, committed: 0n });
    });

    test('settling and cancelling keep both totals: committed moves over, released and cancelled drop', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      const kept = ledgerLine('p-commit', 300);
      const dropped = ledgerLine('p-release', 200);
      const cancelled: LedgerLine = { ...ledgerLine('p-cancel', 50), createdAt: T0 + 7 };
      await store.transaction(async (tx) => {
        for (const line of [kept, dropped, cancelled]) await tx.reserveBudget(line, 10_000);
        await tx.cancelReservation(cancelled);
        await tx.settleLedger(TENANT_ID, 'p-commit', 'committed', T0 + 10);
        await tx.settleLedger(TENANT_ID, 'p-release', 'released', T0 + 10);
        await tx.insertLedger([
          { ...ledgerLine('p-actual', 25), status: 'committed', expiresAt: null },
        ]);
      });
      expect(await usage(store)).toEqual({ reserved: 0n, committed: 325n });
      const lines = await store.transaction((tx) => tx.ledgerForPlan(TENANT_ID, 'p-cancel'));
      expect(lines).toEqual([]);
      const used = await store.transaction((tx) => tx.usedBudget(TENANT_ID, CAP, PERIOD, T0));
      expect(used).toBe(325n);
    });

    test('refuses to reserve a line that is not reserved, writing nothing', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      const committed: LedgerLine = { ...ledgerLine('p-x', 10), status: 'committed' };
      await expect(store.transaction((tx) => tx.reserveBudget(committed, 1000))).rejects.toThrow(
        /reserved line/,
      );
      expect(await usage(store)).toEqual({ reserved: 0n, committed: 0n });
    });
  });
}
