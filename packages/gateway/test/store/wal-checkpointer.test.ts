import { afterEach, describe, expect, test } from 'vitest';
import { draft, planRecord, tempDatabase } from './fixtures.js';

let db: ReturnType<typeof tempDatabase> | undefined;
afterEach(async () => {
  await db?.cleanup();
  db = undefined;
});

describe('WAL checkpoints on a worker thread', () => {
  test('the worker copies committed frames into the database; the writer keeps only a backstop', async () => {
    db = tempDatabase();
    const store = db.open();
    const checkpointer = await store.startWalCheckpointer({ intervalMs: 60_000 });
    expect(store.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    for (let i = 0; i < 20; i += 1) {
      await store.transaction(async (tx) => {
        await tx.insertPlan(planRecord(`plan-${i}`));
        await tx.appendLineage([draft(i)]);
      });
    }
    const result = await checkpointer.checkpointNow();
    expect(result.busy).toBe(0);
    expect(result.log).toBeGreaterThan(0);
    expect(result.checkpointed).toBe(result.log);
    // Starting it twice gives the same worker.
    expect(await store.startWalCheckpointer()).toBe(checkpointer);
  });

  test('closing the store ends the worker, and a re-opened store sees every commit', async () => {
    db = tempDatabase();
    const store = db.open();
    await store.startWalCheckpointer();
    await store.transaction((tx) => tx.insertPlan(planRecord('plan-a')));
    await store.close();
    const reopened = db.open();
    expect(reopened.sqlite.prepare('SELECT count(*) AS n FROM plans').get()).toEqual({ n: 1 });
  });
});
