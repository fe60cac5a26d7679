import type { LineageEvent } from '@handoff/protocol';
import { describe, expect, it } from 'vitest';
import {
  ChainCheck,
  chainEvents,
  eventLeafHash,
  hexOf,
  inclusionFailure,
  LogCheck,
  MerkleTree,
  parseEvent,
} from '../src/index.js';
import { draft } from './drafts.js';

const PLAN_A = '01JABCDEFGHJKMNPQRSTVWXYZ0';
const PLAN_B = '01JABCDEFGHJKMNPQRSTVWXYZ1';

/** Format-1 events (one global chain), then interleaved format-2 chains: a migrated lineage. */
function migratedLineage(): LineageEvent[] {
  const old = chainEvents(undefined, [draft('plan.received', PLAN_A), draft('control.paused')], {
    format: 1,
  });
  const [a1, a2] = chainEvents(undefined, [
    draft('plan.received', PLAN_A),
    draft('approval.accepted', PLAN_A),
  ]);
  const [b1] = chainEvents(undefined, [draft('plan.received', PLAN_B)]);
  const [t1] = chainEvents(undefined, [draft('control.resumed')]);
  return [...old, a1, b1, t1, a2] as LineageEvent[];
}

function firstFailure(events: readonly LineageEvent[]) {
  const check = new ChainCheck();
  for (const event of events) {
    const failure = check.check(parseEvent(JSON.stringify(event)) as LineageEvent);
    if (failure) return failure;
  }
  return undefined;
}

describe('ChainCheck: one path per event, links per chain', () => {
  it('accepts format-1 events followed by interleaved plan and tenant chains', () => {
    expect(firstFailure(migratedLineage())).toBeUndefined();
  });

  it('locates an edit, a gap and a foreign link in their chain', () => {
    const edited = migratedLineage();
    edited[5] = { ...(edited[5] as LineageEvent), data: { forged: true } };
    expect(firstFailure(edited)).toMatchObject({
      code: 'HASH_MISMATCH',
      seq: 2,
      chain: `plan:acme/${PLAN_A}`,
    });
    const gap = migratedLineage().filter((_, i) => i !== 2);
    expect(firstFailure(gap)).toMatchObject({
      code: 'SEQ_GAP',
      chain: `plan:acme/${PLAN_A}`,
      foundSeq: 2,
    });
    const events = migratedLineage();
    const [foreign] = chainEvents({ seq: 1, hash: (events[3] as LineageEvent).hash }, [
      draft('approval.accepted', PLAN_A),
    ]);
    events[5] = foreign as LineageEvent;
    expect(firstFailure(events)).toMatchObject({ code: 'CHAIN_BROKEN', seq: 2 });
  });

  it('keeps the chains of two tenants using the same plan id apart', () => {
    const other = (d: ReturnType<typeof draft>) => ({ ...d, tenantId: 'globex' });
    const [a1, a2] = chainEvents(undefined, [
      draft('plan.received', PLAN_A),
      draft('approval.accepted', PLAN_A),
    ]);
    const [g1, g2] = chainEvents(undefined, [
      other(draft('plan.received', PLAN_A)),
      other(draft('approval.accepted', PLAN_A)),
    ]);
    // Interleaved, each tenant's plan chain starts at seq 1 and links to its own previous event.
    expect(firstFailure([a1, g1, a2, g2] as LineageEvent[])).toBeUndefined();
    // An event of one tenant's plan linked to the other tenant's event of the same plan id is caught.
    const [crossed] = chainEvents({ seq: 1, hash: (g1 as LineageEvent).hash }, [
      draft('approval.accepted', PLAN_A),
    ]);
    expect(firstFailure([a1, g1, crossed] as LineageEvent[])).toMatchObject({
      code: 'CHAIN_BROKEN',
      seq: 2,
      chain: `plan:acme/${PLAN_A}`,
    });
  });

  it('refuses a format-1 event after format-2 ones, and text that is not an event', () => {
    const events = migratedLineage();
    const [late] = chainEvents(
      { seq: 2, hash: (events[1] as LineageEvent).hash },
      [draft('control.paused')],
      {
        format: 1,
      },
    );
    expect(firstFailure([...events, late as LineageEvent])).toMatchObject({
      code: 'CHAIN_BROKEN',
      seq: 3,
    });
    expect(parseEvent('{"seq":1')).toBeUndefined();
    expect(parseEvent({ ...events[2], chain: 'elsewhere' })).toBeUndefined();
  });
});

describe('LogCheck: leaves in log order against signed tree heads', () => {
  const hashes = migratedLineage().map((e) => e.hash);
  const tree = new MerkleTree(hashes.map(eventLeafHash));
  const heads = new Map([[4, { treeSize: 4, rootHash: `sha256:${hexOf(tree.root(4))}` }]]);

  it('rebuilds the signed root, and refuses a leaf out of order or another root', () => {
    const log = new LogCheck(heads);
    hashes.forEach((hash, i) => {
      expect(log.append(hash, i, { seq: i + 1 })).toBeUndefined();
    });
    expect(log.root()).toBe(`sha256:${hexOf(tree.root())}`);
    const gap = new LogCheck(heads);
    expect(gap.append(hashes[0] as string, 1, { seq: 1 })).toMatchObject({ code: 'LOG_INDEX_GAP' });
    const swapped = new LogCheck(heads);
    const order = [1, 0, 2, 3];
    const failures = order.map((j, i) => swapped.append(hashes[j] as string, i, { seq: i + 1 }));
    expect(failures[3]).toMatchObject({ code: 'CHECKPOINT_ROOT_MISMATCH', treeSize: 4 });
  });

  it('checks an inclusion proof to a signed head', () => {
    const path = tree.inclusionProof(2, 4).map(hexOf);
    const proof = { treeSize: 4, path };
    expect(inclusionFailure(hashes[2] as string, 2, proof, heads, { seq: 1 })).toBeUndefined();
    expect(inclusionFailure(hashes[2] as string, 3, proof, heads, { seq: 1 })).toMatchObject({
      code: 'INCLUSION_PROOF_INVALID',
    });
  });
});
