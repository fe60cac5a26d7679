import { describe, expect, test } from 'vitest';
import type { LineageRowPage, StoredLineageRow } from '../../src/store/lineage-reads.js';
import type { GatewayStore, LineageDraft } from '../../src/store/store.js';
import { draft, planRecord, T0, TENANT_ID } from '../store/fixtures.js';
import type { StoreFactory } from './suite.js';
import { useStores } from './use-stores.js';

const OTHER = 'globex';
const token = (n: number) => `sha256:${String(n).padStart(64, '0')}`;
const head = (treeSize: number) => ({
  treeSize,
  rootHash: `sha256:${String(treeSize).padStart(64, 'f')}` as const,
  signedAt: T0 + treeSize,
  kid: 'cp-1',
  signature: `jws-${treeSize}`,
});

/** An `approval.accepted` event of `planId` naming the token of `n`. */
const accepted = (n: number, planId: string, tenantId = TENANT_ID): LineageDraft => ({
  ...draft(n, planId),
  tenantId,
  type: 'approval.accepted',
  refs: { approval: token(n) },
});

/**
 * Ten events: 0..5 sequenced (log indexes 0..5, a tree head of 4 and one of 6), 6..9 not yet. Plan p-1 of acme
 * has events 1, 3 (approval, token 3), 7 (approval, token 7); globex's p-1 has event 4 (approval, token 4).
 */
async function seed(store: GatewayStore): Promise<void> {
  await store.transaction(async (tx) => {
    for (const n of [3, 4, 7, 8]) await tx.putPayload(token(n), 'ApprovalJws', `jws.${n}`, T0);
    await tx.putPayload(`sha256:${'a'.repeat(64)}`, 'Plan', '{"a":1}', T0);
    await tx.putPayload(`sha256:${'b'.repeat(64)}`, 'Plan', '{"b":1}', T0);
    await tx.rememberKey('checkpoint', 'cp-1', '{"kty":"OKP"}', T0);
    await tx.rememberKey('approver', 'ap-1', '{"kty":"EC"}', T0 + 1, TENANT_ID);
    await tx.insertPlan(planRecord('p-1', { receivedAt: T0 + 5 }));
    await tx.insertPlan(planRecord('p-0', { receivedAt: T0 + 1 }));
    await tx.insertPlan(planRecord('p-1', { tenantId: OTHER, receivedAt: T0 + 5 }));
    await tx.appendLineage([draft(0), draft(1, 'p-1'), draft(2, 'p-0'), accepted(3, 'p-1')]);
    await tx.appendLineage([accepted(4, 'p-1', OTHER), draft(5)]);
  });
  await store.transaction(async (tx) => {
    await tx.assignLogIndexes(
      0,
      (await tx.unsequencedEvents(4)).map((e) => e.id),
    );
    await tx.insertTreeHead(head(4));
    await tx.assignLogIndexes(
      4,
      (await tx.unsequencedEvents(2)).map((e) => e.id),
    );
    await tx.insertTreeHead(head(6));
    await tx.appendLineage([draft(6), accepted(7, 'p-1'), draft(8, 'p-0'), draft(9)]);
  });
}

/** Every row of a paged read, pages of `limit`, and the number of pages it took. */
async function allPages(
  store: GatewayStore,
  page: Omit<LineageRowPage, 'after' | 'limit'>,
  start: number,
  limit: number,
): Promise<{ rows: StoredLineageRow[]; pages: number }> {
  const rows: StoredLineageRow[] = [];
  let pages = 0;
  for (let after = start; ; pages += 1) {
    const got = await store.lineageReads.lineageRows({ ...page, after, limit });
    rows.push(...got);
    const last = got.at(-1);
    if (!last || got.length < limit) return { rows, pages: pages + 1 };
    after = page.order === 'logIndex' ? (last.logIndex ?? 0) : last.position;
  }
}

const ns = (rows: readonly { body: string }[]) =>
  rows.map((r) => (JSON.parse(r.body) as { data: { n: number } }).data.n);

/** The export's and offline verifier's reads (`GatewayStore.lineageReads`, `lineage-reads.ts`). */
export function defineLineageReadsConformance(factory: StoreFactory): void {
  describe('lineage reads', () => {
    const open = useStores(factory);

    test('rows keyset-paged by position: every event once, in insertion order, stored text and columns', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await seed(store);
      const { rows, pages } = await allPages(store, { order: 'position' }, 0, 3);
      expect(ns(rows)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(pages).toBe(4);
      expect(await store.lineageReads.lastPosition()).toBe(rows.at(-1)?.position);
      // Views (no positions) hold every committed event in insertion order, sequenced or not.
      const events = await store.queryLineage({ limit: 100 });
      expect(rows.map((r) => r.hash)).toEqual(events.map((e) => e.hash));
      const [first] = rows;
      const event = events[0];
      expect(first).toMatchObject({
        seq: event?.seq,
        chain: 'tenant',
        logIndex: 0,
        tenantId: TENANT_ID,
        planId: null,
        type: 'plan.received',
        actorType: 'copilot',
        actorId: 'copilot-1',
        occurredAt: T0,
        prevHash: event?.prevHash,
        hash: event?.hash,
      });
      expect(JSON.parse(first?.body ?? '')).toEqual(event);
      expect(rows.slice(6).map((r) => r.logIndex)).toEqual([null, null, null, null]);
    });

    test('rows by log index, below a tree size, of a plan or tenant; unsequenced rows by position', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await seed(store);
      const log = await allPages(store, { order: 'logIndex' }, -1, 2);
      expect(log.rows.map((r) => r.logIndex)).toEqual([0, 1, 2, 3, 4, 5]);
      const below = await allPages(store, { order: 'logIndex', logIndexBelow: 4 }, -1, 2);
      expect(ns(below.rows)).toEqual([0, 1, 2, 3]);
      const plan = await allPages(
        store,
        { order: 'logIndex', planId: 'p-1', tenantId: TENANT_ID },
        -1,
        5,
      );
      expect(ns(plan.rows)).toEqual([1, 3]);
      const waiting = await allPages(store, { order: 'position', unsequencedFrom: 6 }, 0, 3);
      expect(ns(waiting.rows)).toEqual([6, 7, 8, 9]);
      const beyond = await allPages(store, { order: 'position', unsequencedFrom: 4 }, 0, 3);
      expect(ns(beyond.rows)).toEqual([4, 5, 6, 7, 8, 9]);
      const reads = store.lineageReads;
      expect(await reads.countLineage({})).toBe(10);
      expect(await reads.countLineage({ tenantId: TENANT_ID, planId: 'p-1' })).toBe(3);
      expect(await reads.countLineage({ planId: 'p-1', logIndexBelow: 4 })).toBe(2);
    });

    test('approval tokens of the matching approval events, paged by position, only those stored', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await seed(store);
      const reads = store.lineageReads;
      const all = await reads.approvalTokens({}, 0, 10);
      expect(all.map((t) => [t.digest, t.token])).toEqual([
        [token(3), 'jws.3'],
        [token(4), 'jws.4'],
        [token(7), 'jws.7'],
      ]);
      const first = await reads.approvalTokens({}, 0, 1);
      const next = await reads.approvalTokens({}, first[0]?.position ?? 0, 1);
      expect([...first, ...next].map((t) => t.digest)).toEqual([token(3), token(4)]);
      const acme = await reads.approvalTokens({ tenantId: TENANT_ID, logIndexBelow: 6 }, 0, 10);
      expect(acme.map((t) => t.digest)).toEqual([token(3)]);
    });

    test('tree heads, recorded keys, documents (without approval tokens) and plan keys, each in its order', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      await seed(store);
      const reads = store.lineageReads;
      expect(await reads.treeHeads()).toEqual([head(4), head(6)]);
      expect(await reads.recordedKeys()).toEqual([
        {
          purpose: 'approver',
          tenantId: TENANT_ID,
          kid: 'ap-1',
          jwk: '{"kty":"EC"}',
          firstSeenAt: T0 + 1,
        },
        { purpose: 'checkpoint', tenantId: '', kid: 'cp-1', jwk: '{"kty":"OKP"}', firstSeenAt: T0 },
      ]);
      const page = await reads.documents('', 1);
      expect(page).toEqual([{ digest: `sha256:${'a'.repeat(64)}`, kind: 'Plan', body: '{"a":1}' }]);
      const rest = await reads.documents(page[0]?.digest ?? '', 10);
      expect(rest.map((d) => d.digest)).toEqual([`sha256:${'b'.repeat(64)}`]);
      expect(await reads.document(token(8))).toEqual({
        digest: token(8),
        kind: 'ApprovalJws',
        body: 'jws.8',
      });
      expect(await reads.document(`sha256:${'9'.repeat(64)}`)).toBeUndefined();
      expect(await reads.planKeys({})).toEqual([
        { tenantId: TENANT_ID, planId: 'p-0' },
        { tenantId: TENANT_ID, planId: 'p-1' },
        { tenantId: OTHER, planId: 'p-1' },
      ]);
      expect(await reads.planKeys({ tenantId: OTHER })).toEqual([
        { tenantId: OTHER, planId: 'p-1' },
      ]);
      expect(await reads.approvalRecords()).toEqual([]);
    });

    test('an empty store: no rows, position 0, no heads', async () => {
      const [store] = await open(1);
      if (!store) throw new Error('no store');
      const reads = store.lineageReads;
      expect(await reads.lineageRows({ order: 'position', after: 0, limit: 10 })).toEqual([]);
      expect(await reads.lastPosition()).toBe(0);
      expect(await reads.countLineage({})).toBe(0);
      expect(await reads.treeHeads()).toEqual([]);
    });
  });
}
