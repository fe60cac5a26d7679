import { describe, expect, test } from 'vitest';
import type { GatewayStore } from '../../src/store/store.js';
import { planRecord, TENANT_ID } from '../store/fixtures.js';
import type { StoreFactory } from './suite.js';
import { useStores } from './use-stores.js';

/** A submission as the pipeline makes it: the plan is found (a repeat) or inserted, in one transaction. */
function submit(store: GatewayStore, planId: string, submittedBy: string) {
  return store.transaction(async (tx) => {
    if (await tx.getPlan(TENANT_ID, planId)) return 'existing' as const;
    await tx.insertPlan(planRecord(planId, { submittedBy }));
    return 'created' as const;
  });
}

/** Idempotent submission is enforced by the database's unique key on (tenant, plan id), not by process memory. */
export function defineIdempotencyConformance(factory: StoreFactory): void {
  describe('idempotent submission', () => {
    const open = useStores(factory);

    test('two stores submitting one plan id at once store it once', async () => {
      const [a, b] = await open(2);
      if (!a || !b) throw new Error('no stores');
      const settled = await Promise.allSettled([
        submit(a, 'p-dup', 'copilot-a'),
        submit(b, 'p-dup', 'copilot-b'),
      ]);
      const created = settled.filter((s) => s.status === 'fulfilled' && s.value === 'created');
      expect(created).toHaveLength(1);
      // The loser saw the winner's plan, or hit the unique key: never a second row.
      const plans = await a.transaction((tx) => tx.listPlans({ tenantId: TENANT_ID, limit: 10 }));
      expect(plans.map((p) => p.planId)).toEqual(['p-dup']);
      expect(await submit(b, 'p-dup', 'copilot-b')).toBe('existing');
    });

    test('the same plan id in two tenants is two plans', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await store.transaction(async (tx) => {
        await tx.insertPlan(planRecord('p-same'));
        await tx.insertPlan(planRecord('p-same', { tenantId: 'other-tenant' }));
      });
      const other = await store.transaction((tx) => tx.getPlan('other-tenant', 'p-same'));
      expect(other?.tenantId).toBe('other-tenant');
      await expect(
        store.transaction((tx) => tx.insertPlan(planRecord('p-same'))),
      ).rejects.toThrow();
    });
  });
}
