import { describe, expect, test } from 'vitest';
import type {
  ApprovalRecord,
  GatewayStore,
  LineageDraft,
  OutboxRow,
} from '../../src/store/store.js';
import { draft, ledgerLine, planRecord, T0, TENANT_ID } from '../store/fixtures.js';
import type { StoreFactory } from './suite.js';
import { useStores } from './use-stores.js';

const OTHER = 'globex';
const DIGEST = `sha256:${'c'.repeat(64)}`;

function approval(planId: string, approver: string, receivedAt: number): ApprovalRecord {
  return {
    jti: `jti-${planId}-${approver}`,
    tenantId: TENANT_ID,
    planId,
    optionId: 'o-1',
    approver,
    role: 'finance',
    decision: 'approve',
    kid: 'kid-1',
    tokenDigest: `sha256:${approver.padEnd(64, '0')}`,
    maxSpendMinor: 5000,
    currency: 'EUR',
    receivedAt,
  };
}

function outbox(planId: string, actionIndex: number, patch: Partial<OutboxRow> = {}): OutboxRow {
  return {
    idempotencyKey: `${planId}-${actionIndex}`,
    planId,
    tenantId: TENANT_ID,
    optionId: 'o-1',
    actionIndex,
    actionId: `a-${actionIndex}`,
    adapter: 'webhook',
    status: 'pending',
    attempts: 0,
    nextAttemptAt: T0,
    lastError: null,
    receiptDigest: null,
    createdAt: T0,
    updatedAt: T0,
    ...patch,
  };
}

const control = (n: number): LineageDraft => ({
  ...draft(n),
  type: n % 2 ? 'control.resumed' : 'control.paused',
  actor: { type: 'operator', id: 'olga' },
  data: { scopeType: 'tenant', scopeValue: TENANT_ID, n },
});

/**
 * Two plans of id `p-1` (acme and globex) and `p-2` of acme, each with events, approvals, ledger lines and outbox
 * rows; tenant control events before, between and after p-1's events.
 */
async function seed(store: GatewayStore): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.insertPlan(planRecord('p-1'));
    await tx.insertPlan(planRecord('p-1', { tenantId: OTHER, workflowId: 'other' }));
    await tx.insertPlan(planRecord('p-2', { receivedAt: T0 + 1 }));
    await tx.putPayload(DIGEST, 'Plan', '{"plan":1}', T0);
    await tx.rememberPolicy(`sha256:${'b'.repeat(64)}`, 'acme-policy', 'v1', T0);
    await tx.appendLineage([control(0), draft(1, 'p-1'), draft(2, 'p-2'), control(3)]);
    await tx.appendLineage([{ ...draft(4, 'p-1'), tenantId: OTHER }, draft(5, 'p-1'), control(6)]);
    await tx.insertApproval(approval('p-1', 'zoe', T0 + 5));
    await tx.insertApproval(approval('p-1', 'ann', T0 + 5));
    await tx.insertApproval(approval('p-1', 'bob', T0 + 1));
    await tx.insertLedger([ledgerLine('p-1', 300), ledgerLine('p-1', 200), ledgerLine('p-2', 1)]);
    await tx.insertOutbox([outbox('p-1', 1), outbox('p-1', 0), outbox('p-2', 0)]);
    await tx.insertOutbox([outbox('p-2', 1, { actionId: 'a-0', createdAt: T0 + 9 })]);
  });
}

/** The trace's reads (`GatewayStore.readAudit`, `audit-reads.ts`): what each returns, in which order. */
export function defineAuditReadsConformance(factory: StoreFactory): void {
  describe('audit reads', () => {
    const open = useStores(factory);

    test('plans by id across tenants, payloads as stored, policy versions', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await seed(store);
      const read = await store.readAudit(async (r) => ({
        plans: await r.plansWithId('p-1'),
        none: await r.plansWithId('p-9'),
        payload: await r.payload(DIGEST),
        missing: await r.payload(`sha256:${'d'.repeat(64)}`),
        policy: await r.policyVersion(`sha256:${'b'.repeat(64)}`),
      }));
      expect(read.plans).toEqual([
        planRecord('p-1'),
        planRecord('p-1', { tenantId: OTHER, workflowId: 'other' }),
      ]);
      expect(read.none).toEqual([]);
      expect(read.payload).toBe('{"plan":1}');
      expect(read.missing).toBeUndefined();
      expect(read.policy).toEqual({
        digest: `sha256:${'b'.repeat(64)}`,
        policySetId: 'acme-policy',
        label: 'v1',
        activatedAt: T0,
      });
    });

    test("a plan's events with positions, in insertion order, of its tenant only; control events by position range", async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await seed(store);
      const { events, controls, none } = await store.readAudit(async (r) => {
        const events = await r.eventsOfPlan(TENANT_ID, 'p-1');
        const [from, to] = [events[0]?.position ?? 0, events.at(-1)?.position ?? 0];
        return {
          events,
          controls: await r.tenantEvents(
            TENANT_ID,
            ['control.paused', 'control.resumed'],
            from,
            to,
          ),
          none: await r.tenantEvents(TENANT_ID, [], 0, Number.MAX_SAFE_INTEGER),
        };
      });
      expect(events.map((e) => e.event.data.n)).toEqual([1, 5]);
      expect(events.every((e) => e.event.tenantId === TENANT_ID)).toBe(true);
      expect(events[0]?.position).toBeLessThan(events[1]?.position ?? 0);
      // control 3 lies between p-1's events; 0 before them and 6 after them are out of the range.
      expect(controls.map((e) => e.data.n)).toEqual([3]);
      expect(none).toEqual([]);
    });

    test("a plan's approvals by time then approver, ledger in write order, outbox by action index", async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await seed(store);
      const read = await store.readAudit(async (r) => ({
        approvals: await r.approvalsOfPlan(TENANT_ID, 'p-1'),
        ledger: await r.ledgerOfPlan(TENANT_ID, 'p-1'),
        outbox: await r.outboxOfPlan(TENANT_ID, 'p-1'),
        otherTenant: await r.outboxOfPlan(OTHER, 'p-1'),
      }));
      expect(read.approvals.map((a) => a.approver)).toEqual(['bob', 'ann', 'zoe']);
      expect(read.approvals[0]).toEqual(approval('p-1', 'bob', T0 + 1));
      expect(read.ledger).toEqual([ledgerLine('p-1', 300), ledgerLine('p-1', 200)]);
      expect(read.outbox).toEqual([outbox('p-1', 0), outbox('p-1', 1)]);
      expect(read.otherTenant).toEqual([]);
      // The verifier's bulk read of every approval row (by token id).
      const rows = await store.lineageReads.approvalRecords();
      expect(rows.map((a) => a.jti)).toEqual(['jti-p-1-ann', 'jti-p-1-bob', 'jti-p-1-zoe']);
      expect(rows[1]).toEqual(approval('p-1', 'bob', T0 + 1));
    });

    test('outbox lookups: by idempotency key, by action id in the latest plan or the plan named, per tenant', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await seed(store);
      const read = await store.readAudit(async (r) => ({
        byKey: await r.findOutbox({ idempotencyKey: 'p-1-1' }, TENANT_ID),
        latest: await r.findOutbox({ actionId: 'a-0' }, TENANT_ID),
        named: await r.findOutbox({ actionId: 'a-0', planId: 'p-1' }, undefined),
        elsewhere: await r.findOutbox({ idempotencyKey: 'p-1-1' }, OTHER),
        unknown: await r.findOutbox({ actionId: 'nope' }, undefined),
      }));
      expect(read.byKey).toEqual([outbox('p-1', 1)]);
      // p-2 has two rows of action id a-0; its newer one makes it the latest plan with that action.
      expect(read.latest.map((o) => o.idempotencyKey)).toEqual(['p-2-0', 'p-2-1']);
      expect(read.named).toEqual([outbox('p-1', 0)]);
      expect(read.elsewhere).toEqual([]);
      expect(read.unknown).toEqual([]);
    });

    test('a read that throws rejects with its error and changes nothing', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await seed(store);
      const failure = new Error('audit failed');
      await expect(
        store.readAudit(async (r) => {
          await r.plansWithId('p-1');
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await store.readAudit((r) => r.plansWithId('p-2'))).toHaveLength(1);
    });
  });
}
