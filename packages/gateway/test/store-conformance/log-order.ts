import { describe, expect, test } from 'vitest';
import { logOrderRows } from '../../src/audit/log-order-rows.js';
import type { LineageReads, StoredLineageRow } from '../../src/store/lineage-reads.js';
import type { GatewayStore } from '../../src/store/store.js';
import { draft, planRecord } from '../store/fixtures.js';
import type { StoreFactory } from './suite.js';
import { useStores } from './use-stores.js';

/** Every row `logOrderRows` yields, in pages of 2 (so each pass spans several pages). */
async function walk(reads: LineageReads): Promise<StoredLineageRow[]> {
  const rows: StoredLineageRow[] = [];
  for await (const row of logOrderRows(reads, {}, { page: 2 })) rows.push(row);
  return rows;
}

/** Plans p-a and p-b; p-a's first event, p-b's, p-a's second: positions 1, 2, 3 (and 4, 5 for p-b's next). */
async function appendEvents(store: GatewayStore, count: number): Promise<number[]> {
  await store.transaction(async (tx) => {
    await tx.insertPlan(planRecord('p-a'));
    await tx.insertPlan(planRecord('p-b'));
  });
  const plans = ['p-a', 'p-b', 'p-a', 'p-b', 'p-b'];
  for (let n = 0; n < count; n += 1) {
    await store.transaction((tx) => tx.appendLineage([draft(n, plans[n])]).then(() => undefined));
  }
  return store.transaction(async (tx) => (await tx.unsequencedEvents(count)).map((e) => e.id));
}

/** Gives `ids` the log indexes from `first`, in the order given (as a sequencer batch would). */
function sequence(store: GatewayStore, first: number, ids: number[]): Promise<void> {
  return store.transaction((tx) => tx.assignLogIndexes(first, ids));
}

/**
 * The log order the offline verifier and the export read (`logOrderRows` over `lineageReads`): sequenced events by
 * log index, whatever their positions, then the rest by position; an event sequenced between the two passes is
 * read once, as unsequenced.
 */
export function defineLogOrderConformance(factory: StoreFactory): void {
  describe('log order', () => {
    const open = useStores(factory);

    test('sequenced events by log index when a higher position was sequenced first, then the rest by position', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      const [p1 = 0, p2 = 0, p3 = 0] = await appendEvents(store, 3);
      // Position 2 took leaf 0 (its transaction committed first), position 1 leaf 1; position 3 waits.
      await sequence(store, 0, [p2, p1]);
      const rows = await walk(store.lineageReads);
      expect(rows.map((r) => [r.position, r.logIndex])).toEqual([
        [p2, 0],
        [p1, 1],
        [p3, null],
      ]);
      const beyond = await store.lineageReads.lineageRows({
        order: 'position',
        after: 0,
        limit: 10,
        unsequencedFrom: 1,
      });
      expect(beyond.map((r) => [r.position, r.logIndex])).toEqual([
        [p1, 1],
        [p3, null],
      ]);
    });

    test('an event sequenced after the log-index pass ended is read once, as unsequenced', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      const [p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0] = await appendEvents(store, 5);
      await sequence(store, 0, [p1, p2]);
      const reads = store.lineageReads;
      let raced = false;
      // The sequencer takes p3 and p4 between the passes: after the last log-index page, before the first other.
      const racing: LineageReads = Object.create(reads, {
        lineageRows: {
          value: async (page: Parameters<LineageReads['lineageRows']>[0]) => {
            if (page.unsequencedFrom !== undefined && !raced) {
              raced = true;
              await sequence(store, 2, [p3, p4]);
            }
            return reads.lineageRows(page);
          },
        },
      });
      const rows = await walk(racing);
      expect(raced).toBe(true);
      expect(rows.map((r) => [r.position, r.logIndex])).toEqual([
        [p1, 0],
        [p2, 1],
        [p3, null],
        [p4, null],
        [p5, null],
      ]);
      // Read again, the walk sees them sequenced.
      expect((await walk(reads)).map((r) => r.logIndex)).toEqual([0, 1, 2, 3, null]);
    });

    test('cursor pages: every sequenced event once, in increasing positions, whatever order ids committed in', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      const [p1 = 0, p2 = 0, p3 = 0, p4 = 0] = await appendEvents(store, 4);
      await sequence(store, 0, [p2, p1, p3, p4]);
      const seen: { position: number; hash: string }[] = [];
      for (let after = 0; ; ) {
        const page = await store.queryLineageAt({ after, limit: 1 });
        seen.push(...page.map((p) => ({ position: p.position, hash: p.event.hash })));
        const last = page.at(-1);
        if (!last) break;
        after = last.position;
      }
      const all = await store.queryLineage({ limit: 100 });
      expect(seen.map((s) => s.hash).sort()).toEqual(all.map((e) => e.hash).sort());
      expect(seen.map((s) => s.position)).toEqual(
        [...seen.map((s) => s.position)].sort((a, b) => a - b),
      );
      expect(new Set(seen.map((s) => s.position)).size).toBe(4);
    });

    test('an empty lineage: nothing', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      expect(await walk(store.lineageReads)).toEqual([]);
    });
  });
}
