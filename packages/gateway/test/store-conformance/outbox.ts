import { describe, expect, test } from 'vitest';
import type { GatewayStore, OutboxRow } from '../../src/store/store.js';
import { T0, TENANT_ID } from '../store/fixtures.js';
import type { StoreFactory } from './suite.js';
import { race, useStores } from './use-stores.js';

const LEASE_MS = 60_000;

/** A `pending` outbox row due at `dueAt`. */
function row(n: number, dueAt = T0): OutboxRow {
  return {
    idempotencyKey: `key-${n}`,
    planId: `p-${n % 3}`,
    tenantId: TENANT_ID,
    optionId: 'o-1',
    actionIndex: n,
    actionId: `a-${n}`,
    adapter: 'webhook',
    status: 'pending',
    attempts: 0,
    nextAttemptAt: dueAt,
    lastError: null,
    receiptDigest: null,
    createdAt: T0,
    updatedAt: T0,
  };
}

const claim = (store: GatewayStore, owner: string, atMs: number, limit = 50) =>
  store.transaction((tx) => tx.claimOutbox({ atMs, limit, leaseMs: LEASE_MS, owner }));

/** Moves a leased row to `in_flight` as a dispatcher's claim does (lease renewed from `atMs`). */
const startAttempt = (store: GatewayStore, key: string, owner: string, atMs: number) =>
  store.transaction((tx) =>
    tx.updateOutbox(key, 'pending', {
      status: 'in_flight',
      attempts: 1,
      leaseOwner: owner,
      leaseUntil: atMs + LEASE_MS,
      updatedAt: atMs,
    }),
  );

/** Outbox claims are leases: never handed to two replicas at once, recovered by anyone once they end. */
export function defineOutboxConformance(factory: StoreFactory): void {
  describe('outbox leases', () => {
    const open = useStores(factory);

    test('claims lease due rows only, each to one owner; two stores racing never share a row', async () => {
      const [a, b] = await open(2);
      if (!a || !b) throw new Error('no stores');
      await a.transaction((tx) =>
        tx.insertOutbox([...Array.from({ length: 30 }, (_, i) => row(i)), row(99, T0 + 5_000)]),
      );
      const claims = await race(
        Array.from({ length: 6 }, (_, i) => () => claim(i % 2 ? b : a, `replica-${i}`, T0, 7)),
      );
      const keys = claims.flat().map((r) => r.idempotencyKey);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).toHaveLength(30);
      expect(keys).not.toContain('key-99');
      for (const [i, rows] of claims.entries()) {
        for (const r of rows) {
          expect(r).toMatchObject({
            status: 'pending',
            leaseOwner: `replica-${i}`,
            leaseUntil: T0 + LEASE_MS,
          });
        }
      }
      // Every due row is leased: another owner gets nothing until a lease ends; the holder may take its own again.
      expect(await claim(b, 'replica-9', T0 + 1)).toEqual([]);
      const own = await claim(a, 'replica-0', T0 + 1);
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((r) => r.leaseOwner === 'replica-0')).toBe(true);
    });

    test('an expired lease is recovered by another replica; a running one is never touched', async () => {
      const [a, b] = await open(2);
      if (!a || !b) throw new Error('no stores');
      await a.transaction((tx) => tx.insertOutbox([row(1), row(2)]));
      await claim(a, 'replica-a', T0);
      expect(await startAttempt(a, 'key-1', 'replica-a', T0 + 10)).toBe(true);
      // key-1 in flight with replica-a's lease, key-2 leased but still pending.
      const running = await b.transaction((tx) => tx.outboxLeaseExpired(T0 + LEASE_MS, 10));
      expect(running).toEqual([]);
      expect(await claim(b, 'replica-b', T0 + LEASE_MS - 1)).toEqual([]);
      const after = T0 + 10 + LEASE_MS;
      const expired = await b.transaction((tx) => tx.outboxLeaseExpired(after, 10));
      expect(expired.map((r) => [r.idempotencyKey, r.leaseOwner])).toEqual([
        ['key-1', 'replica-a'],
      ]);
      const taken = await claim(b, 'replica-b', after);
      expect(taken.map((r) => [r.idempotencyKey, r.leaseOwner])).toEqual([['key-2', 'replica-b']]);
    });

    test('a row leaving in_flight sheds its lease; an in_flight row with no lease counts as expired', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await store.transaction((tx) => tx.insertOutbox([row(1), row(2)]));
      await claim(store, 'replica-a', T0);
      await startAttempt(store, 'key-1', 'replica-a', T0);
      await store.transaction((tx) =>
        tx.updateOutbox('key-1', 'in_flight', { status: 'succeeded', updatedAt: T0 + 1 }),
      );
      const done = await store.transaction((tx) => tx.getOutbox('key-1'));
      expect(done?.status).toBe('succeeded');
      expect(done?.leaseOwner ?? null).toBeNull();
      expect(done?.leaseUntil ?? null).toBeNull();
      // A gateway older than leases left key-2 in flight: recovered at once.
      await store.transaction((tx) =>
        tx.updateOutbox('key-2', 'pending', {
          status: 'in_flight',
          leaseOwner: null,
          leaseUntil: null,
          updatedAt: T0 + 2,
        }),
      );
      const expired = await store.transaction((tx) => tx.outboxLeaseExpired(T0 + 3, 10));
      expect(expired.map((r) => r.idempotencyKey)).toEqual(['key-2']);
    });

    test('an update expecting one attempt of one replica changes that attempt only', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await store.transaction((tx) => tx.insertOutbox([row(1)]));
      await claim(store, 'replica-a', T0);
      await startAttempt(store, 'key-1', 'replica-a', T0);
      // Replica a's lease ended; replica b recovered the row and holds it in flight on attempt 2.
      await store.transaction((tx) =>
        tx.updateOutbox('key-1', 'in_flight', { status: 'pending', updatedAt: T0 + 1 }),
      );
      await claim(store, 'replica-b', T0 + LEASE_MS + 1);
      await store.transaction((tx) =>
        tx.updateOutbox('key-1', 'pending', {
          status: 'in_flight',
          attempts: 2,
          leaseOwner: 'replica-b',
          leaseUntil: T0 + 2 * LEASE_MS,
          updatedAt: T0 + LEASE_MS + 1,
        }),
      );
      const outcome = { status: 'succeeded' as const, updatedAt: T0 + LEASE_MS + 2 };
      const stale = [
        { status: 'in_flight' as const, attempts: 1, leaseOwner: 'replica-a' },
        { status: 'in_flight' as const, attempts: 2, leaseOwner: 'replica-a' },
        { status: 'in_flight' as const, attempts: 1, leaseOwner: 'replica-b' },
      ];
      for (const expected of stale) {
        expect(await store.transaction((tx) => tx.updateOutbox('key-1', expected, outcome))).toBe(
          false,
        );
      }
      expect(await store.transaction((tx) => tx.getOutbox('key-1'))).toMatchObject({
        status: 'in_flight',
        attempts: 2,
        leaseOwner: 'replica-b',
      });
      const own = { status: 'in_flight' as const, attempts: 2, leaseOwner: 'replica-b' };
      expect(await store.transaction((tx) => tx.updateOutbox('key-1', own, outcome))).toBe(true);
      expect((await store.transaction((tx) => tx.getOutbox('key-1')))?.status).toBe('succeeded');
    });
  });
}
