import { afterEach, describe, expect, it } from 'vitest';
import { Sequencer } from '../../src/audit/sequencer.js';
import type { GatewayStore, StoreTx } from '../../src/store/store.js';
import { autoApprovablePlan } from '../pipeline/helpers.js';
import { createHarness, GATEWAY_ID, type Harness } from '../support/harness.js';
import { checkpointKey } from './support.js';

/*
 * Issue 15, brief decision 6: on PostgreSQL a transaction that fails to serialize is run again, so the sequencer's
 * batch must be re-runnable. Here the first attempt does its whole batch and is rolled back; the second finds
 * another replica holding the sequencer lock and skips. Nothing of the rolled-back attempt may stay in the
 * sequencer's cached tree, or every later batch refuses to sign ("the log changed under the sequencer").
 */

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** Binds `target`'s methods, so a proxy over an object with private fields still works. */
function bound<T extends object>(target: T, override: Partial<Record<keyof T, unknown>>): T {
  return new Proxy(target, {
    get: (t, prop) => {
      if (prop in override) return override[prop as keyof T];
      const value = Reflect.get(t, prop, t);
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
}

/** `store`, whose next transaction runs its work, rolls back, and runs it again seeing the sequencer lock taken. */
function retriedOnceWhileAnotherLeads(store: GatewayStore): GatewayStore {
  let armed = true;
  const transaction = async <T>(work: (tx: StoreTx) => Promise<T>): Promise<T> => {
    if (!armed) return store.transaction(work);
    armed = false;
    const rolledBack = new Error('could not serialize access (SQLSTATE 40001)');
    await store
      .transaction(async (tx) => {
        await work(tx);
        throw rolledBack;
      })
      .catch((error: unknown) => {
        if (error !== rolledBack) throw error;
      });
    return store.transaction((tx) => work(bound(tx, { leadSequencer: async () => false })));
  };
  return bound(store, { transaction });
}

describe('a sequencer batch run again after a rollback', () => {
  it('keeps nothing of the rolled-back attempt: the next batch signs over the stored log', async () => {
    h = await createHarness();
    await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(1));
    const sequencer = new Sequencer(retriedOnceWhileAnotherLeads(h.runtime.store), {
      key: await checkpointKey('cp-retry'),
      gatewayId: GATEWAY_ID,
      clock: h.clock,
    });
    expect(await sequencer.sequence()).toBeUndefined();
    expect(sequencer.treeSize).toBe(0);
    const head = await sequencer.sequence();
    expect(head?.treeSize).toBeGreaterThan(0);
    expect(sequencer.treeSize).toBe(head?.treeSize);
  });
});
