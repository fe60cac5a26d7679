import { describe, expect, test } from 'vitest';
import { planRecord, T0, TENANT_ID } from '../store/fixtures.js';
import type { StoreFactory } from './suite.js';
import { race, useStores } from './use-stores.js';

/** Plan state changes are compare-and-set on the expected state: of two racing moves, exactly one wins. */
export function definePlanConformance(factory: StoreFactory): void {
  describe('plans', () => {
    const open = useStores(factory);

    test('a state change applies only from the expected state', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await store.transaction((tx) => tx.insertPlan(planRecord('p-1')));
      const wrong = await store.transaction((tx) =>
        tx.updatePlan(TENANT_ID, 'p-1', 'approved', { state: 'expired', updatedAt: T0 + 1 }),
      );
      expect(wrong).toBe(false);
      const plan = await store.transaction((tx) => tx.getPlan(TENANT_ID, 'p-1'));
      expect(plan).toMatchObject({ state: 'awaiting_approval', updatedAt: T0 });
    });

    test('two stores racing the same move from one state: one wins, the other changes nothing', async () => {
      const [a, b] = await open(2);
      if (!a || !b) throw new Error('no stores');
      await a.transaction((tx) => tx.insertPlan(planRecord('p-2')));
      const moves = [
        { store: a, state: 'approved' as const },
        { store: b, state: 'rejected' as const },
      ];
      const won = await race(
        moves.map(
          ({ store, state }) =>
            () =>
              store.transaction((tx) =>
                tx.updatePlan(TENANT_ID, 'p-2', 'awaiting_approval', {
                  state,
                  updatedAt: T0 + 5,
                }),
              ),
        ),
      );
      expect(won.filter(Boolean)).toHaveLength(1);
      const winner = moves[won.indexOf(true)]?.state;
      const plan = await b.transaction((tx) => tx.getPlan(TENANT_ID, 'p-2'));
      expect(plan?.state).toBe(winner);
    });
  });
}
