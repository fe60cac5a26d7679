import { GENESIS_HASH, type LineageEvent, lineageEventHash } from '@handoff/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { draft, TENANT_ID, tempDatabase } from './fixtures.js';

/** Lineage format 2: each event chains to the previous event of its plan, or of its tenant for no plan. */

const A = '019a8f2e-5c4b-7d3e-9a1f-00000000000a';
const B = '019a8f2e-5c4b-7d3e-9a1f-00000000000b';
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

let db: ReturnType<typeof tempDatabase>;
afterEach(async () => db?.cleanup());

/** Every stored event grouped by chain (`plan:<id>` or `tenant`), each group in insertion order. */
function chains(events: readonly LineageEvent[]): Map<string, LineageEvent[]> {
  const out = new Map<string, LineageEvent[]>();
  for (const e of events) {
    const key = e.chain === 'plan' ? `plan:${e.planId}` : (e.chain ?? 'format-1');
    out.set(key, [...(out.get(key) ?? []), e]);
  }
  return out;
}

describe('per-plan hash chains', () => {
  test('interleaved plans and tenant events each form their own chain, with no gap and no fork after rollbacks', async () => {
    db = tempDatabase();
    const store = db.open();
    // Queued together, so they share SQLite transactions (group commit); every third one fails after appending.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 24 }, (_, i) =>
        store.transaction(async (tx) => {
          const plan = [A, B, undefined][i % 3];
          const written = await tx.appendLineage([draft(i, plan)]);
          await turn();
          if (i % 4 === 3) throw new Error(`fail ${i}`);
          return written;
        }),
      ),
    );
    const kept = outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value : []));
    const stored = await store.queryLineage({ limit: 1000 });
    expect(stored.map((e) => e.hash)).toEqual(kept.map((e) => e.hash));

    const byChain = chains(stored);
    expect([...byChain.keys()].sort()).toEqual([`plan:${A}`, `plan:${B}`, 'tenant']);
    for (const [key, events] of byChain) {
      expect(events.every((e) => e.chain === (key === 'tenant' ? 'tenant' : 'plan'))).toBe(true);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      let prev: string = GENESIS_HASH;
      for (const event of events) {
        expect(event.prevHash).toBe(prev);
        expect(lineageEventHash(event)).toBe(event.hash);
        prev = event.hash;
      }
    }
    expect(byChain.get('tenant')?.every((e) => e.planId === undefined)).toBe(true);
  });

  test('one append of several chains links each event within its own chain', async () => {
    db = tempDatabase();
    const store = db.open();
    const [a1] = await store.transaction((tx) => tx.appendLineage([draft(1, A)]));
    const written = await store.transaction((tx) =>
      tx.appendLineage([draft(2, B), draft(3, A), draft(4), draft(5, B)]),
    );
    expect(written.map((e) => [e.chain, e.planId ?? TENANT_ID, e.seq])).toEqual([
      ['plan', B, 1],
      ['plan', A, 2],
      ['tenant', TENANT_ID, 1],
      ['plan', B, 2],
    ]);
    expect(written[1]?.prevHash).toBe(a1?.hash);
    expect(written[3]?.prevHash).toBe(written[0]?.hash);
    const rows = store.sqlite
      .prepare('select id, seq, chain, log_index as logIndex from lineage_events order by id')
      .all();
    expect(rows).toEqual([
      { id: 1, seq: 1, chain: 'plan', logIndex: null },
      { id: 2, seq: 1, chain: 'plan', logIndex: null },
      { id: 3, seq: 2, chain: 'plan', logIndex: null },
      { id: 4, seq: 1, chain: 'tenant', logIndex: null },
      { id: 5, seq: 2, chain: 'plan', logIndex: null },
    ]);
  });

  test('the same plan id in two tenants is two chains', async () => {
    db = tempDatabase();
    const store = db.open();
    const [first] = await store.transaction((tx) => tx.appendLineage([draft(1, A)]));
    const [other] = await store.transaction((tx) =>
      tx.appendLineage([{ ...draft(2, A), tenantId: 'globex' }]),
    );
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(other).toMatchObject({ tenantId: 'globex', seq: 1, prevHash: GENESIS_HASH });
  });
});
