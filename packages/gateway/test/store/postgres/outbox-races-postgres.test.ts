import { afterEach, expect, test } from 'vitest';
import { leasedRow } from '../../../src/dispatch/claim-action.js';
import {
  openPostgresStore,
  type PostgresStore,
} from '../../../src/store/postgres/postgres-store.js';
import type { OutboxExpectation, OutboxRow } from '../../../src/store/store.js';
import { createTestDatabase, describePostgres } from '../../support/postgres.js';
import { outboxRow, T0 } from '../fixtures.js';

const LEASE_MS = 60_000;

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** Two stores (replicas a and b) on a fresh database holding one pending outbox row, `key-1`. */
async function twoReplicas(): Promise<[PostgresStore, PostgresStore]> {
  const database = await createTestDatabase();
  const stores: PostgresStore[] = [];
  for (const _ of [0, 1])
    stores.push(await openPostgresStore({ url: database.url, pool: { max: 2 } }));
  close = async () => {
    await Promise.all(stores.map((s) => s.close()));
    await database.drop();
  };
  const [a, b] = stores as [PostgresStore, PostgresStore];
  await a.transaction((tx) => tx.insertOutbox([outboxRow('p-1', 0, 'key-1')]));
  return [a, b];
}

/**
 * Replica a claimed a row (attempt 1) and waits on the platform past its lease; replica b recovers it and claims
 * it again (attempt 2). When b commits while a's outcome transaction is already open (it has read the row), a's
 * UPDATE meets b's row version: at READ COMMITTED PostgreSQL re-checks the WHERE against it, so only a condition
 * naming the attempt and its owner refuses a's write; a condition on `in_flight` alone lets it overwrite b's.
 */
async function raceOutcome(
  expected: OutboxExpectation,
): Promise<{ written: boolean; row?: OutboxRow }> {
  const [a, b] = await twoReplicas();
  await a.transaction(async (tx) => {
    await tx.claimOutbox({ atMs: T0, limit: 1, leaseMs: LEASE_MS, owner: 'replica-a' });
    await tx.updateOutbox('key-1', 'pending', { status: 'in_flight', attempts: 1, updatedAt: T0 });
  });
  const later = T0 + LEASE_MS + 1;
  const written = await a.transaction(async (tx) => {
    expect(await tx.getOutbox('key-1')).toMatchObject({ attempts: 1, leaseOwner: 'replica-a' });
    // b, on its own connection, recovers the row and re-sends it; it commits while a's transaction is open.
    await b.transaction(async (bx) => {
      await bx.updateOutbox('key-1', 'in_flight', { status: 'pending', updatedAt: later });
      await bx.claimOutbox({ atMs: later, limit: 1, leaseMs: LEASE_MS, owner: 'replica-b' });
      await bx.updateOutbox('key-1', 'pending', {
        status: 'in_flight',
        attempts: 2,
        updatedAt: later,
      });
    });
    return tx.updateOutbox('key-1', expected, { status: 'succeeded', updatedAt: later + 1 });
  });
  const row = await b.transaction((tx) => tx.getOutbox('key-1'));
  return { written, ...(row ? { row } : {}) };
}

describePostgres('an outcome recorded while another replica re-sent the row (PostgreSQL)', () => {
  test('expecting the attempt and its owner, the stale replica writes nothing', async () => {
    const expected = { status: 'in_flight' as const, attempts: 1, leaseOwner: 'replica-a' };
    const { written, row } = await raceOutcome(expected);
    expect(written).toBe(false);
    expect(row).toMatchObject({ status: 'in_flight', attempts: 2, leaseOwner: 'replica-b' });
  });

  test('expecting in_flight alone, it would overwrite the other attempt (why outcomes name their attempt)', async () => {
    const { written, row } = await raceOutcome('in_flight');
    expect(written).toBe(true);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 2 });
  });
});

describePostgres('a claim whose lease ran out before its transaction began (PostgreSQL)', () => {
  test('once the claim has checked the row, no other replica can lease it until the claim ends', async () => {
    const [a, b] = await twoReplicas();
    const [due] = await a.transaction((tx) =>
      tx.claimOutbox({ atMs: T0, limit: 1, leaseMs: LEASE_MS, owner: 'replica-a' }),
    );
    if (!due) throw new Error('nothing leased');
    // Replica a stalled past its lease; its claim transaction starts now, as replica b looks for due rows.
    const later = T0 + LEASE_MS + 1;
    const lease = { owner: 'replica-a', ms: LEASE_MS };
    await a.transaction(async (tx) => {
      expect(await leasedRow(tx, due, later, lease)).toMatchObject({
        leaseUntil: later + LEASE_MS,
      });
      const taken = await b.transaction((bx) =>
        bx.claimOutbox({ atMs: later, limit: 1, leaseMs: LEASE_MS, owner: 'replica-b' }),
      );
      expect(taken).toEqual([]);
    });
    // Renewed: b cannot take it while a's attempt runs.
    const after = await b.transaction((bx) =>
      bx.claimOutbox({ atMs: later + 1, limit: 1, leaseMs: LEASE_MS, owner: 'replica-b' }),
    );
    expect(after).toEqual([]);
  });
});
