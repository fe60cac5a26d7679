import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckpointKey } from '@handoff/lineage';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabaseSource, storeSource } from '../../src/audit/database-source.js';
import { exportLineageJsonl } from '../../src/audit/export-jsonl.js';
import { openExportSource } from '../../src/audit/export-source.js';
import type { LineageSource } from '../../src/audit/lineage-source.js';
import { Sequencer } from '../../src/audit/sequencer.js';
import { anchorsFromJwks } from '../../src/audit/trust-anchors.js';
import { verifyLineage } from '../../src/audit/verify-lineage.js';
import { ManualClock } from '../../src/clock.js';
import { nextLineageCursor } from '../../src/store/lineage-cursor.js';
import { openStoreReadOnly } from '../../src/store/open-read-only.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { PositionedEvent } from '../../src/store/store.js';
import { draft, planRecord, T0 } from '../store/fixtures.js';
import { GATEWAY_ID } from '../support/harness.js';
import { createTestDatabase, describePostgres } from '../support/postgres.js';
import { checkpointKey } from './support.js';

/**
 * Issue 15: on PostgreSQL `lineage_events.id` is taken at insert, so under concurrent replicas a lower id can
 * commit, and be sequenced, after a higher one. Readers must follow log order, never id order: the offline
 * verifier, the export and cursor paging.
 */
describePostgres('log order on PostgreSQL: a lower id committed and sequenced last', () => {
  let database: { url: string; drop(): Promise<void> };
  let store: PostgresStore;
  let key: CheckpointKey;
  let sequencer: Sequencer;
  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openPostgresStore({ url: database.url });
    key = await checkpointKey('cp-order');
    sequencer = new Sequencer(store, { key, gatewayId: GATEWAY_ID, clock: new ManualClock(T0) });
    await store.transaction(async (tx) => {
      await tx.insertPlan(planRecord('p-a'));
      await tx.insertPlan(planRecord('p-b'));
    });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  const verified = async (source: LineageSource) => {
    const trust = anchorsFromJwks({ keys: [key.publicJwk] }, { keys: [] });
    try {
      return await verifyLineage(source, { trust });
    } finally {
      source.close();
    }
  };

  it('verifies the database and its export, and cursor pages return every event once', async () => {
    // T1 inserts p-a's first event (the lower id) and stays open; T2 inserts p-b's and commits; the sequencer
    // takes T2's event (leaf 0) before T1 commits: the lower id gets the higher leaf.
    let inserted = () => {};
    const insertedNow = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = store.transaction(async (tx) => {
      await tx.appendLineage([draft(1, 'p-a')]);
      inserted();
      await released;
    });
    await insertedNow;
    await store.transaction((tx) => tx.appendLineage([draft(2, 'p-b')]));
    await sequencer.sequenceAll();
    // A client pages the lineage meanwhile: what is there so far, and its cursor.
    const pages: PositionedEvent[][] = [await store.queryLineageAt({ limit: 100 })];
    release();
    await first;
    await store.transaction((tx) => tx.appendLineage([draft(3, 'p-a')]));
    await sequencer.sequenceAll();
    pages.push(await store.queryLineageAt({ after: pages[0]?.at(-1)?.position ?? 0, limit: 100 }));

    const log = await store.lineageReads.lineageRows({ order: 'logIndex', after: -1, limit: 100 });
    const planRows = log.filter((r) => r.planId !== null);
    expect(planRows.map((r) => [r.planId, r.seq])).toEqual([
      ['p-b', 1],
      ['p-a', 1],
      ['p-a', 2],
    ]);
    expect(planRows[0]?.position).toBeGreaterThan(planRows[1]?.position ?? Number.MAX_SAFE_INTEGER);

    const everything = await store.queryLineage({ limit: 1000 });
    // Every committed event is in a page: one read before it was sequenced (at the position of the log part
    // before it) may come again once sequenced, never missed; positions never go back within a page.
    const paged = pages.flat();
    expect([...new Set(paged.map((p) => p.event.hash))].sort()).toEqual(
      everything.map((e) => e.hash).sort(),
    );
    for (const page of pages) {
      expect(page.map((p) => p.position)).toEqual(
        page.map((p) => p.position).sort((a, b) => a - b),
      );
    }

    const events = everything.length;
    expect(await verified(await storeSource(store))).toMatchObject({ ok: true, events });
    expect(await verified(await openDatabaseSource(database.url))).toMatchObject({
      ok: true,
      events,
    });
    const file = join(mkdtempSync(join(tmpdir(), 'handoff-log-order-')), 'bundle.jsonl');
    const readOnly = await openStoreReadOnly(database.url);
    try {
      await exportLineageJsonl(readOnly, file);
    } finally {
      await readOnly.close();
    }
    expect(await verified(await openExportSource(file))).toMatchObject({ ok: true, events });
  });

  it('events not sequenced yet are read at once; a page of nothing else is the last', async () => {
    await store.transaction(async (tx) => {
      await tx.insertPlan(planRecord('p-d'));
      await tx.appendLineage([draft(1, 'p-d'), draft(2, 'p-d'), draft(3, 'p-d')]);
    });
    const limit = 2;
    const fresh = await store.queryLineageAt({ planId: 'p-d', limit: limit + 1 });
    expect(fresh.map((p) => p.event.seq)).toEqual([1, 2, 3]);
    // Asking again after that page would answer the same page: no cursor, the paging ends.
    expect(nextLineageCursor(fresh, limit, undefined)).toBeUndefined();
    await sequencer.sequenceAll();
    const first = await store.queryLineageAt({ planId: 'p-d', limit: limit + 1 });
    const cursor = nextLineageCursor(first, limit, undefined);
    expect(cursor).toBe(first[1]?.position);
    const second = await store.queryLineageAt({ planId: 'p-d', after: cursor, limit: limit + 1 });
    expect([...first.slice(0, limit), ...second].map((p) => p.event.seq)).toEqual([1, 2, 3]);
    expect(nextLineageCursor(second, limit, cursor)).toBeUndefined();
  });

  it('a read-only store reads one snapshot: later commits unseen, a refused write leaves it readable', async () => {
    const readOnly = await openStoreReadOnly(database.url);
    try {
      const before = await readOnly.lineageReads.lastPosition();
      const count = await readOnly.lineageReads.countLineage({});
      await store.transaction((tx) => tx.appendLineage([draft(4, 'p-b')]));
      await sequencer.sequenceAll();
      expect(await store.lineageReads.lastPosition()).toBeGreaterThan(before);
      await expect(
        readOnly.transaction((tx) => tx.insertPlan(planRecord('p-c'))),
      ).rejects.toThrow();
      expect(await readOnly.lineageReads.lastPosition()).toBe(before);
      expect(await readOnly.lineageReads.countLineage({})).toBe(count);
      const planEvents = await readOnly.readAudit((reads) =>
        reads.eventsOfPlan('acme-bank', 'p-b'),
      );
      expect(planEvents.map((e) => e.event.seq)).toEqual([1]);
    } finally {
      await readOnly.close();
    }
    const fresh = await openStoreReadOnly(database.url);
    try {
      expect(await fresh.lineageReads.countLineage({})).toBe(
        await store.lineageReads.countLineage({}),
      );
    } finally {
      await fresh.close();
    }
  });
});
