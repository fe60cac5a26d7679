import { describe, expect, test } from 'vitest';
import type { GatewayStore } from '../../src/store/store.js';
import { draft, T0 } from '../store/fixtures.js';
import type { StoreFactory } from './suite.js';
import { race, useStores } from './use-stores.js';

/** One sequencer round as `audit/sequencer.ts` runs it: elected, then the waiting events get the next indexes. */
function sequenceRound(store: GatewayStore) {
  return store.transaction(async (tx) => {
    if (!(await tx.leadSequencer())) return 0;
    const size = await tx.logSize();
    const waiting = await tx.unsequencedEvents(100);
    await tx.assignLogIndexes(
      size,
      waiting.map((e) => e.id),
    );
    return waiting.length;
  });
}

/** Chains and the log: per-chain `seq` unique and linked under races, log indexes assigned once. */
export function defineLineageConformance(factory: StoreFactory): void {
  describe('lineage', () => {
    const open = useStores(factory);

    test('two stores appending to one plan chain at once: seq 1..n, each linked to the one before (no fork)', async () => {
      const [a, b] = await open(2);
      if (!a || !b) throw new Error('no stores');
      await race(
        Array.from(
          { length: 16 },
          (_, i) => () =>
            (i % 2 ? b : a).transaction((tx) => tx.appendLineage([draft(i, 'p-chain')])),
        ),
      );
      const events = await a.queryLineage({ planId: 'p-chain', limit: 100 });
      const bySeq = [...events].sort((x, y) => x.seq - y.seq);
      expect(bySeq.map((e) => e.seq)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      for (const [i, event] of bySeq.entries()) {
        if (i > 0) expect(event.prevHash).toBe(bySeq[i - 1]?.hash);
      }
    });

    test('a store appending after another store appended to the same chain links to that event (no cached head outlives it)', async () => {
      const [a, b] = await open(2);
      if (!a || !b) throw new Error('no stores');
      for (const [i, store] of [a, b, a, a, b, a].entries()) {
        await store.transaction((tx) => tx.appendLineage([draft(i, 'p-turns')]));
      }
      const events = await b.queryLineage({ planId: 'p-turns', limit: 100 });
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      for (const [i, event] of events.entries()) {
        if (i > 0) expect(event.prevHash).toBe(events[i - 1]?.hash);
      }
    });

    test('sequencer rounds racing on two stores give every event one log index, 0..n-1', async () => {
      const [a, b] = await open(2);
      if (!a || !b) throw new Error('no stores');
      await a.transaction((tx) =>
        tx.appendLineage(Array.from({ length: 12 }, (_, i) => draft(i, `p-${i % 4}`))),
      );
      const rounds = await race([() => sequenceRound(a), () => sequenceRound(b)]);
      expect(rounds.reduce((x, y) => x + y, 0)).toBe(12);
      const leaves = await b.transaction(async (tx) => ({
        size: await tx.logSize(),
        all: await tx.logLeaves(12),
        tail: await tx.logLeaves(12, 10),
        waiting: await tx.unsequencedEvents(10),
      }));
      expect(leaves.size).toBe(12);
      expect(new Set(leaves.all).size).toBe(12);
      expect(leaves.tail).toEqual(leaves.all.slice(10));
      expect(leaves.waiting).toEqual([]);
    });

    test('an event is sequenced once: assigning it again fails and keeps nothing of the call', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await store.transaction((tx) => tx.appendLineage([draft(1), draft(2)]));
      const [first, second] = await store.transaction((tx) => tx.unsequencedEvents(10));
      if (!first || !second) throw new Error('two events expected');
      await store.transaction((tx) => tx.assignLogIndexes(0, [first.id]));
      await expect(
        store.transaction((tx) => tx.assignLogIndexes(1, [second.id, first.id])),
      ).rejects.toThrow();
      const waiting = await store.transaction((tx) => tx.unsequencedEvents(10));
      expect(waiting.map((e) => e.id)).toEqual([second.id]);
    });

    test('tree heads are stored once per size and read back in order', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      const head = (treeSize: number) => ({
        treeSize,
        rootHash: `sha256:${String(treeSize).repeat(64).slice(0, 64)}` as const,
        signedAt: T0 + treeSize,
        kid: 'checkpoint-1',
        signature: `jws-${treeSize}`,
      });
      await store.transaction(async (tx) => {
        await tx.insertTreeHead(head(3));
        await tx.insertTreeHead(head(7));
      });
      await expect(store.transaction((tx) => tx.insertTreeHead(head(7)))).rejects.toThrow();
      const read = await store.transaction(async (tx) => ({
        after: await tx.treeHeadsAfter(3),
        latest: await tx.treeHead(),
        at3: await tx.treeHead(3),
      }));
      expect(read).toEqual({ after: [head(7)], latest: head(7), at3: head(3) });
    });
  });
}
