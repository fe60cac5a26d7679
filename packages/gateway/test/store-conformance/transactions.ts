import { describe, expect, test } from 'vitest';
import { draft, ledgerLine, planRecord, T0, TENANT_ID } from '../store/fixtures.js';
import type { StoreFactory } from './suite.js';
import { useStores } from './use-stores.js';

/** A transaction is all or nothing: one that throws leaves nothing of its writes, whatever they touched. */
export function defineTransactionConformance(factory: StoreFactory): void {
  describe('transactions', () => {
    const open = useStores(factory);

    test('a transaction that throws leaves nothing: plan, lineage, budget, outbox, token, session', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      const crash = new Error('crash mid-transaction');
      await expect(
        store.transaction(async (tx) => {
          await tx.insertPlan(planRecord('p-gone'));
          await tx.appendLineage([draft(1, 'p-gone')]);
          await tx.reserveBudget(ledgerLine('p-gone', 100), 1_000);
          await tx.useToken('jti-gone', 'p-gone', T0);
          await tx.insertConsoleSession({
            tokenHash: 'f'.repeat(64),
            tenantId: TENANT_ID,
            subject: 'x',
            access: [],
            approvalRoles: [],
            csrfToken: 'c',
            createdAt: T0,
            expiresAt: T0 + 1_000,
          });
          throw crash;
        }),
      ).rejects.toBe(crash);
      const after = await store.transaction(async (tx) => ({
        plan: await tx.getPlan(TENANT_ID, 'p-gone'),
        ledger: await tx.ledgerForPlan(TENANT_ID, 'p-gone'),
        usage: await tx.budgetUsage(TENANT_ID, 'tenant-month', 'month:2026-11'),
        token: await tx.useToken('jti-gone', 'p-again', T0 + 1),
        session: await tx.consoleSession('f'.repeat(64), T0),
        waiting: await tx.unsequencedEvents(10),
      }));
      expect(after).toEqual({
        plan: undefined,
        ledger: [],
        usage: { reserved: 0n, committed: 0n },
        token: true,
        session: undefined,
        waiting: [],
      });
      expect(await store.queryLineage({ planId: 'p-gone', limit: 10 })).toEqual([]);
    });

    test("a transaction's methods called at once each answer as if called in turn, a failing one included", async () => {
      // On PostgreSQL one transaction is one connection: its queries take turns, and the driver never has to
      // queue one behind another (pg 8 warns of that: "already executing a query").
      const queued: Error[] = [];
      const onWarning = (warning: Error) => {
        if (/already executing a query/.test(warning.message)) queued.push(warning);
      };
      process.on('warning', onWarning);
      try {
        const [store] = await open(1);
        if (!store) throw new Error('no store');
        const ids = ['p-a', 'p-b', 'p-c', 'p-d'];
        await store.transaction(async (tx) => {
          for (const id of ids) await tx.insertPlan(planRecord(id));
        });
        const answers = await store.transaction((tx) =>
          Promise.all([
            ...ids.map((id) => tx.getPlan(TENANT_ID, id)),
            // Refused before any statement (a line to reserve must be `reserved`): the calls after it still run.
            tx.reserveBudget({ ...ledgerLine('p-a', 1), status: 'committed' }, 1_000).then(
              () => 'reserved',
              () => 'refused',
            ),
            ...ids.map((id) => tx.ledgerForPlan(TENANT_ID, id)),
            tx.passkeys.getPasskey('no-such-credential'),
          ]),
        );
        expect(answers.slice(0, 4).map((plan) => (plan as { planId: string }).planId)).toEqual(ids);
        expect(answers.slice(4)).toEqual(['refused', [], [], [], [], undefined]);
        const reads = await store.readAudit((audit) =>
          Promise.all(ids.map((id) => audit.plansWithId(id))),
        );
        expect(reads.map((plans) => plans.map((plan) => plan.planId))).toEqual(
          ids.map((id) => [id]),
        );
        expect(queued).toEqual([]);
      } finally {
        process.off('warning', onWarning);
      }
    });
  });
}
