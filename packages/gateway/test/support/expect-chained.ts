import { GENESIS_HASH, type LineageEvent, lineageEventHash } from '@handoff/protocol';
import { expect } from 'vitest';

/**
 * Asserts that `events` (in insertion order) form lineage format-2 hash chains: each event's `chain` matches
 * whether it names a plan, its `seq` is one past the previous event of the same chain (its plan's within its
 * tenant, or its tenant's), its `prevHash` is that event's `hash` (`GENESIS_HASH` first), and its `hash` is its
 * own. Returns how many chains there were.
 */
export function expectChained(events: readonly LineageEvent[]): number {
  const heads = new Map<string, { seq: number; hash: string }>();
  for (const event of events) {
    expect(event.chain).toBe(event.planId === undefined ? 'tenant' : 'plan');
    const key = JSON.stringify([event.tenantId, event.planId ?? null]);
    const before = heads.get(key) ?? { seq: 0, hash: GENESIS_HASH };
    expect(event.seq).toBe(before.seq + 1);
    expect(event.prevHash).toBe(before.hash);
    expect(lineageEventHash(event)).toBe(event.hash);
    heads.set(key, { seq: event.seq, hash: event.hash });
  }
  return heads.size;
}
