import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStoreReadOnly } from '../../../src/store/open-read-only.js';
import {
  openPostgresStore,
  PostgresStore,
  sqlState,
} from '../../../src/store/postgres/postgres-store.js';
import type { GatewayStore } from '../../../src/store/store.js';
import { describePostgres, postgresUrlForTest } from '../../support/postgres.js';
import { draft, ledgerLine, outboxRow, planRecord, T0, TENANT_ID } from '../fixtures.js';

/** The audit's, export's, gauges' and readiness's reads of the PostgreSQL store, and its read-only opening. */
describePostgres('PostgresStore reads', () => {
  let url: string;
  let store: PostgresStore;
  let readOnly: GatewayStore;
  beforeAll(async () => {
    url = await postgresUrlForTest();
    store = await openPostgresStore({ url });
    await store.transaction(async (tx) => {
      await tx.insertPlan(planRecord('read-1'));
      await tx.insertPlan(planRecord('read-1', { tenantId: 'other-bank' }));
      await tx.appendLineage([draft(1, 'read-1'), draft(2, 'read-1'), draft(3)]);
      await tx.insertOutbox([outboxRow('read-1', 0), outboxRow('read-1', 1)]);
      await tx.replaceCaps(
        TENANT_ID,
        [
          {
            capId: 'tenant-month',
            tenantId: TENANT_ID,
            scopeType: 'tenant',
            scopeValue: TENANT_ID,
            period: 'month',
            currency: 'EUR',
            limitMinor: 10_000,
            timeZone: 'UTC',
          },
        ],
        T0,
      );
      await tx.reserveBudget(ledgerLine('read-1', 250), 10_000);
      const events = await tx.unsequencedEvents(10);
      await tx.assignLogIndexes(
        0,
        events.slice(0, 2).map((event) => event.id),
      );
    });
    readOnly = await openStoreReadOnly(url);
  });
  afterAll(async () => {
    await readOnly?.close();
    await store?.close();
  });

  it('reads a trace on one committed state', async () => {
    const trace = await readOnly.readAudit(async (reads) => ({
      plans: (await reads.plansWithId('read-1')).map((p) => p.tenantId),
      events: (await reads.eventsOfPlan(TENANT_ID, 'read-1')).map((e) => [e.position, e.event.seq]),
      tenant: (await reads.tenantEvents(TENANT_ID, ['plan.received'], 1, 3)).map((e) => e.seq),
      outbox: (await reads.findOutbox({ actionId: 'action-1' }, TENANT_ID)).map(
        (r) => r.actionIndex,
      ),
      ledger: (await reads.ledgerOfPlan(TENANT_ID, 'read-1')).map((l) => l.amountMinor),
      missing: await reads.policyVersion('sha256:none'),
    }));
    expect(trace).toEqual({
      plans: [TENANT_ID, 'other-bank'].sort(),
      events: [
        [1, 1],
        [2, 2],
      ],
      tenant: [1, 2, 1],
      outbox: [1],
      ledger: [250],
      missing: undefined,
    });
  });

  it('filters the lineage by workflow, adapter (its actions, or named in an event) and position', async () => {
    await store.transaction(async (tx) => {
      await tx.appendLineage([
        { ...draft(4), data: { adapter: 'braze' } },
        draft(5, 'unknown-plan'),
      ]);
      // Cursor positions are log positions (log_index + 1): sequence the rest (events 3, 4, 5 of this file).
      const events = await tx.unsequencedEvents(10);
      await tx.assignLogIndexes(
        2,
        events.map((event) => event.id),
      );
    });
    const positions = async (filter: Partial<Parameters<GatewayStore['queryLineageAt']>[0]>) =>
      (await store.queryLineageAt({ limit: 100, ...filter })).map((row) => row.position);
    expect(await positions({ tenantId: TENANT_ID, workflowId: 'term-deposit-q4' })).toEqual([1, 2]);
    expect(await positions({ adapter: 'mock' })).toEqual([1, 2]);
    expect(await positions({ adapter: 'braze' })).toEqual([4]);
    expect(await positions({ planId: 'unknown-plan', after: 1 })).toEqual([5]);
    expect(await positions({ types: ['plan.received'], after: 3, limit: 1 })).toEqual([4]);
  });

  it('pages the lineage by position and by log index', async () => {
    // The read-only store opened before events 4 and 5 reads its snapshot; a new one sees them (sequenced).
    expect(await readOnly.lineageReads.lastPosition()).toBe(3);
    const fresh = await openStoreReadOnly(url);
    try {
      const reads = fresh.lineageReads;
      expect(await reads.lastPosition()).toBe(5);
      expect(await reads.countLineage({ tenantId: TENANT_ID, logIndexBelow: 2 })).toBe(2);
      const byLog = await reads.lineageRows({ order: 'logIndex', after: -1, limit: 2 });
      expect(byLog.map((r) => [r.position, r.logIndex, r.chain])).toEqual([
        [1, 0, 'plan'],
        [2, 1, 'plan'],
      ]);
      const beyond = await reads.lineageRows({
        order: 'position',
        after: 0,
        limit: 10,
        unsequencedFrom: 3,
      });
      expect(beyond.map((r) => [r.position, r.planId, r.logIndex])).toEqual([
        [4, null, 3],
        [5, 'unknown-plan', 4],
      ]);
      const page = await reads.lineageRows({ order: 'position', after: 1, limit: 1 });
      expect(page.map((r) => r.position)).toEqual([2]);
      expect(await reads.planKeys({ planId: 'read-1' })).toHaveLength(2);
    } finally {
      await fresh.close();
    }
  });

  it('snapshots the gauges with each cap in its current period', async () => {
    const snapshot = await readOnly.stateSnapshot(T0);
    expect(snapshot.plans).toEqual(
      expect.arrayContaining([{ tenantId: TENANT_ID, state: 'awaiting_approval', count: 1 }]),
    );
    expect(snapshot.outbox).toEqual([{ status: 'pending', count: 2 }]);
    expect(snapshot.oldestWaitingOutboxAt).toBe(T0);
    expect(snapshot.caps.map((c) => [c.periodKey, c.reservedMinor, c.committedMinor])).toEqual([
      ['month:2026-11', 250n, 0n],
    ]);
  });

  it('reports health, and a read-only store refuses writes', async () => {
    expect(await store.health()).toEqual({ status: 'writable' });
    expect(await readOnly.health()).toMatchObject({ status: 'read-only' });
    const write = readOnly.transaction((tx) => tx.insertPlan(planRecord('read-2')));
    await expect(write).rejects.toSatisfy((error) => sqlState(error) === '25006');
  });

  it('reports an unreachable database without throwing, naming no password', async () => {
    const closed = new URL(url);
    closed.port = '1';
    closed.password = 'secret-pw';
    await expect(openPostgresStore({ url: closed.toString() })).rejects.toSatisfy(
      (error) => !String(error).includes('secret-pw'),
    );
    const unreachable = new PostgresStore(new pg.Pool({ connectionString: closed.toString() }));
    const health = await unreachable.health();
    await unreachable.close();
    expect(health.status).toBe('unreachable');
    expect(JSON.stringify(health)).not.toContain('secret-pw');
  });
});
