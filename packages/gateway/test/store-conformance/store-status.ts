import { describe, expect, test } from 'vitest';
import type { StoredCap } from '../../src/store/store.js';
import { ledgerLine, planRecord, T0, TENANT_ID } from '../store/fixtures.js';
import type { StoreFactory } from './suite.js';
import { useStores } from './use-stores.js';

const CAP: StoredCap = {
  capId: 'tenant-month',
  tenantId: TENANT_ID,
  scopeType: 'tenant',
  scopeValue: TENANT_ID,
  period: 'month',
  currency: 'EUR',
  limitMinor: 100_000,
  timeZone: 'UTC',
};

/** What metrics and readiness read (`GatewayStore.stateSnapshot` and `health`, `store-status.ts`). */
export function defineStoreStatusConformance(factory: StoreFactory): void {
  describe('store status', () => {
    const open = useStores(factory);

    test('the snapshot counts plans by state, outbox rows by status, kill switches, and each cap in its period', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await store.transaction(async (tx) => {
        await tx.replaceCaps(TENANT_ID, [CAP], T0);
        await tx.insertPlan(planRecord('p-1'));
        await tx.insertPlan(planRecord('p-2'));
        await tx.insertPlan(planRecord('p-3', { state: 'dispatched' }));
        await tx.insertLedger([ledgerLine('p-1', 300), ledgerLine('p-2', 200)]);
        await tx.insertLedger([{ ...ledgerLine('p-3', 50), status: 'committed', expiresAt: null }]);
        await tx.putControl({
          tenantId: TENANT_ID,
          scopeType: 'workflow',
          scopeValue: 'term-deposit-q4',
          reason: 'audit',
          pausedBy: 'olga',
          pausedAt: T0,
        });
      });
      // The fixtures' ledger lines are in November 2026: the snapshot at T0 reads that month.
      const snapshot = await store.stateSnapshot(T0);
      expect([...snapshot.plans].sort((a, b) => a.state.localeCompare(b.state))).toEqual([
        { tenantId: TENANT_ID, state: 'awaiting_approval', count: 2 },
        { tenantId: TENANT_ID, state: 'dispatched', count: 1 },
      ]);
      expect(snapshot.outbox).toEqual([]);
      expect(snapshot.oldestWaitingOutboxAt).toBeNull();
      expect(snapshot.controls).toEqual([{ tenantId: TENANT_ID, scopeType: 'workflow', count: 1 }]);
      expect(snapshot.caps).toEqual([
        { cap: CAP, periodKey: 'month:2026-11', reservedMinor: 500n, committedMinor: 50n },
      ]);
      // A month later the cap's period holds nothing yet.
      const later = await store.stateSnapshot(Date.parse('2026-12-15T00:00:00Z'));
      expect(later.caps).toEqual([
        { cap: CAP, periodKey: 'month:2026-12', reservedMinor: 0n, committedMinor: 0n },
      ]);
    });

    test('outbox rows by status and the oldest waiting row', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await store.transaction(async (tx) => {
        await tx.insertPlan(planRecord('p-1'));
        const row = (n: number, status: 'pending' | 'succeeded', createdAt: number) => ({
          idempotencyKey: `k-${n}`,
          planId: 'p-1',
          tenantId: TENANT_ID,
          optionId: 'o-1',
          actionIndex: n,
          actionId: `a-${n}`,
          adapter: 'webhook',
          status,
          attempts: 0,
          nextAttemptAt: T0,
          lastError: null,
          receiptDigest: null,
          createdAt,
          updatedAt: createdAt,
        });
        await tx.insertOutbox([
          row(0, 'succeeded', T0),
          row(1, 'pending', T0 + 7),
          row(2, 'pending', T0 + 9),
        ]);
      });
      const snapshot = await store.stateSnapshot(T0 + 60_000);
      expect([...snapshot.outbox].sort((a, b) => a.status.localeCompare(b.status))).toEqual([
        { status: 'pending', count: 2 },
        { status: 'succeeded', count: 1 },
      ]);
      expect(snapshot.oldestWaitingOutboxAt).toBe(T0 + 7);
    });

    test('health: writable while open, not writable once closed (never a throw)', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      expect(await store.health()).toEqual({ status: 'writable' });
      await store.close();
      const closed = await store.health();
      expect(closed.status).not.toBe('writable');
      expect(closed).toMatchObject({ message: expect.any(String) });
    });
  });
}
