import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  openPostgresStore,
  type PostgresStore,
  sqlState,
} from '../../../src/store/postgres/postgres-store.js';
import { describePostgres, postgresUrlForTest } from '../../support/postgres.js';
import { draft, ledgerLine, outboxRow, planRecord, T0, TENANT_ID } from '../fixtures.js';

/**
 * The PostgreSQL store on a real cluster, several stores (pools) on one database standing for replicas: what the
 * database must enforce across replicas (plan CAS, budget caps, token replay, outbox claims, chain order) and the
 * transaction rules (rollback, deadlock retry).
 */
describePostgres('PostgresStore', () => {
  let stores: PostgresStore[] = [];
  let a: PostgresStore;
  let b: PostgresStore;
  beforeAll(async () => {
    const url = await postgresUrlForTest();
    stores = await Promise.all([1, 2, 3].map(() => openPostgresStore({ url, pool: { max: 4 } })));
    [a, b] = stores as [PostgresStore, PostgresStore];
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });

  it('moves a plan once when two replicas compare-and-set it at once', async () => {
    await a.transaction((tx) => tx.insertPlan(planRecord('cas-1')));
    const move = (store: PostgresStore, reasonCode: string) =>
      store.transaction((tx) =>
        tx.updatePlan(TENANT_ID, 'cas-1', 'awaiting_approval', {
          state: 'rejected',
          reasonCode,
          updatedAt: T0 + 1,
        }),
      );
    const results = await Promise.all(stores.map((s, i) => move(s, `by-${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const plan = await b.transaction((tx) => tx.getPlan(TENANT_ID, 'cas-1'));
    expect(plan?.state).toBe('rejected');
    expect(plan?.reasonCode).toBe(`by-${results.indexOf(true)}`);
  });

  it('never overspends a cap when replicas race reservations (40 x 30 against 1,000)', async () => {
    const reserve = (store: PostgresStore, i: number) =>
      store.transaction((tx) =>
        tx.reserveBudget({ ...ledgerLine(`race-${i}`, 30), capId: 'race' }, 1000),
      );
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => reserve(stores[i % stores.length] as PostgresStore, i)),
    );
    expect(results.filter(Boolean)).toHaveLength(33);
    const usage = await a.transaction((tx) => tx.budgetUsage(TENANT_ID, 'race', 'month:2026-11'));
    expect(usage).toEqual({ reserved: 990n, committed: 0n });
    const ledger = await a.transaction(async (tx) => {
      const lines = [];
      for (const i of results.keys())
        lines.push(...(await tx.ledgerForPlan(TENANT_ID, `race-${i}`)));
      return lines;
    });
    expect(ledger.reduce((sum, line) => sum + line.amountMinor, 0)).toBe(990);
  });

  it('keeps reserved and committed totals through settle and cancel', async () => {
    const line = { ...ledgerLine('settle-1', 400), capId: 'settle' };
    await a.transaction(async (tx) => {
      expect(await tx.reserveBudget(line, 500)).toBe(true);
      expect(await tx.reserveBudget({ ...line, planId: 'settle-2' }, 500)).toBe(false);
      expect(await tx.reserveBudget({ ...line, planId: 'settle-3', amountMinor: 100 }, 500)).toBe(
        true,
      );
      await tx.cancelReservation({ ...line, planId: 'settle-3', amountMinor: 100 });
    });
    const moved = await b.transaction((tx) =>
      tx.settleLedger(TENANT_ID, 'settle-1', 'committed', T0 + 5),
    );
    expect(moved.map((l) => [l.status, l.amountMinor, l.expiresAt])).toEqual([
      ['committed', 400, null],
    ]);
    expect(
      await a.transaction((tx) => tx.budgetUsage(TENANT_ID, 'settle', 'month:2026-11')),
    ).toEqual({ reserved: 0n, committed: 400n });
  });

  it('accepts a token id once across replicas (replay refused by the primary key)', async () => {
    const results = await Promise.all(
      stores.map((s) => s.transaction((tx) => tx.useToken('jti-replayed', 'p', T0))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('never hands one outbox row to two replicas claiming at once (SKIP LOCKED + lease)', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({
      ...outboxRow(`claim-plan-${i % 5}`, i, `claim-${String(i).padStart(2, '0')}`),
      createdAt: T0,
    }));
    await a.transaction((tx) => tx.insertOutbox(rows));
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (stores[i % stores.length] as PostgresStore).transaction((tx) =>
          tx.claimOutbox({ atMs: T0 + 10, limit: 4, leaseMs: 60_000, owner: `replica-${i}` }),
        ),
      ),
    );
    const keys = claims.flat().map((r) => r.idempotencyKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(24);
    for (const [i, claim] of claims.entries()) {
      for (const row of claim)
        expect(row).toMatchObject({ leaseOwner: `replica-${i}`, leaseUntil: T0 + 60_010 });
    }
    // Leased rows are not claimable again until their lease ends; then they are, in due order.
    const dueOrder = [...rows]
      .sort((x, y) =>
        x.planId < y.planId ? -1 : x.planId > y.planId ? 1 : x.actionIndex - y.actionIndex,
      )
      .map((r) => r.idempotencyKey);
    const again = await a.transaction((tx) =>
      tx.claimOutbox({ atMs: T0 + 20, limit: 100, leaseMs: 1000, owner: 'late' }),
    );
    expect(again.map((r) => r.idempotencyKey)).toEqual(dueOrder.filter((k) => !keys.includes(k)));
    const expired = await a.transaction((tx) =>
      tx.claimOutbox({ atMs: T0 + 60_010, limit: 100, leaseMs: 1000, owner: 'later' }),
    );
    expect(expired.map((r) => r.idempotencyKey)).toEqual(dueOrder);
  });

  it('lets a replica re-claim its own lease, and clears a lease when the row leaves in_flight', async () => {
    const row = outboxRow('own-lease-plan', 0, 'own-lease');
    await a.transaction((tx) => tx.insertOutbox([row]));
    const claim = (store: PostgresStore, owner: string, atMs: number) =>
      store.transaction((tx) => tx.claimOutbox({ atMs, limit: 1, leaseMs: 60_000, owner }));
    expect(await claim(a, 'replica-a', T0 + 1)).toHaveLength(1);
    expect(await claim(b, 'replica-b', T0 + 2)).toEqual([]);
    expect((await claim(a, 'replica-a', T0 + 3)).map((r) => r.leaseUntil)).toEqual([T0 + 60_003]);
    await a.transaction(async (tx) => {
      await tx.updateOutbox('own-lease', 'pending', { status: 'in_flight', updatedAt: T0 + 4 });
      expect(await tx.getOutbox('own-lease')).toMatchObject({ leaseOwner: 'replica-a' });
      await tx.updateOutbox('own-lease', 'in_flight', { status: 'succeeded', updatedAt: T0 + 5 });
    });
    const done = await b.transaction((tx) => tx.getOutbox('own-lease'));
    expect(done?.status).toBe('succeeded');
    expect(done).not.toHaveProperty('leaseOwner');
    expect(done).not.toHaveProperty('leaseUntil');
  });

  it('leaves nothing behind a transaction that throws', async () => {
    await expect(
      a.transaction(async (tx) => {
        await tx.insertPlan(planRecord('crash-1'));
        await tx.appendLineage([draft(1, 'crash-1')]);
        await tx.reserveBudget({ ...ledgerLine('crash-1', 10), capId: 'crash' }, 100);
        throw new Error('crashed mid-transaction');
      }),
    ).rejects.toThrow('crashed mid-transaction');
    const after = await b.transaction(async (tx) => ({
      plan: await tx.getPlan(TENANT_ID, 'crash-1'),
      usage: await tx.budgetUsage(TENANT_ID, 'crash', 'month:2026-11'),
      events: await tx.planEvents(TENANT_ID, 'crash-1', 'plan.received'),
    }));
    expect(after).toEqual({ plan: undefined, usage: { reserved: 0n, committed: 0n }, events: [] });
  });

  it('chains one plan from several replicas without a fork (seq 1..n, each after the last)', async () => {
    const appends = Array.from({ length: 12 }, (_, i) =>
      (stores[i % stores.length] as PostgresStore).transaction((tx) =>
        tx.appendLineage([draft(i, 'chained-1')]),
      ),
    );
    await Promise.all(appends);
    const events = await a.queryLineage({ tenantId: TENANT_ID, planId: 'chained-1', limit: 100 });
    expect(events.map((e) => e.seq).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    const bySeq = [...events].sort((x, y) => x.seq - y.seq);
    for (const [i, event] of bySeq.entries()) {
      if (i > 0) expect(event.prevHash).toBe(bySeq[i - 1]?.hash);
    }
  });

  it('runs a transaction again after a deadlock between replicas (two plans locked in opposite orders)', async () => {
    await a.transaction(async (tx) => {
      await tx.insertPlan(planRecord('skew-x'));
      await tx.insertPlan(planRecord('skew-y'));
    });
    // Each locks its own plan (getPlan), then the other's: PostgreSQL refuses one of them (40P01), whose retry
    // then waits for the other's commit and finds nothing left to move.
    let bothRead: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      let reads = 0;
      bothRead = () => {
        reads += 1;
        if (reads === 2) resolve();
      };
    });
    let attempts = 0;
    const skew = (store: PostgresStore, mine: string, other: string) =>
      store.transaction(async (tx) => {
        attempts += 1;
        const me = await tx.getPlan(TENANT_ID, mine);
        bothRead();
        await gate;
        const them = await tx.getPlan(TENANT_ID, other);
        if (me?.state !== 'awaiting_approval' || them?.state !== 'awaiting_approval') return false;
        return tx.updatePlan(TENANT_ID, other, 'awaiting_approval', {
          state: 'rejected',
          updatedAt: T0 + 2,
        });
      });
    const results = await Promise.all([skew(a, 'skew-x', 'skew-y'), skew(b, 'skew-y', 'skew-x')]);
    expect(attempts).toBe(3);
    expect(results.sort()).toEqual([false, true]);
  });

  it('gives up after its retries with the SQLSTATE when the deadlock comes back', async () => {
    const url = await postgresUrlForTest();
    const once = await openPostgresStore({ url, serializationRetries: 0 });
    try {
      await once.transaction((tx) => tx.insertPlan(planRecord('skew2-x')));
      await once.transaction((tx) => tx.insertPlan(planRecord('skew2-y')));
      let bothRead: () => void = () => {};
      let reads = 0;
      const gate = new Promise<void>((resolve) => {
        bothRead = () => {
          reads += 1;
          if (reads === 2) resolve();
        };
      });
      const skew = (mine: string, other: string) =>
        once.transaction(async (tx) => {
          await tx.getPlan(TENANT_ID, mine);
          bothRead();
          await gate;
          await tx.getPlan(TENANT_ID, other);
          return tx.updatePlan(TENANT_ID, other, 'awaiting_approval', { updatedAt: T0 + 3 });
        });
      const settled = await Promise.allSettled([
        skew('skew2-x', 'skew2-y'),
        skew('skew2-y', 'skew2-x'),
      ]);
      const failed = settled.filter((r) => r.status === 'rejected');
      expect(failed).toHaveLength(1);
      expect(sqlState((failed[0] as PromiseRejectedResult).reason)).toBe('40P01');
    } finally {
      await once.close();
    }
  });

  it('elects one sequencer at a time with a transaction-level advisory lock', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let elected: () => void = () => {};
    const leading = new Promise<void>((resolve) => {
      elected = resolve;
    });
    const first = a.transaction(async (tx) => {
      const lead = await tx.leadSequencer();
      elected();
      await held;
      return lead;
    });
    await leading;
    const second = await b.transaction((tx) => tx.leadSequencer());
    release();
    expect([await first, second]).toEqual([true, false]);
    // Released with the first transaction's commit: the next round may lead.
    expect(await b.transaction((tx) => tx.leadSequencer())).toBe(true);
  });
});
