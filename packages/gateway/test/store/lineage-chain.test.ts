import { canonicalJson, GENESIS_HASH, lineageEventHash } from '@handoff/protocol';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { chainCanonical, chainEvents, EMPTY_HEAD } from '../../src/store/lineage-chain.js';
import type { LineageDraft } from '../../src/store/store.js';
import { T0 } from './fixtures.js';

const jsonValue = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<unknown>;

/**
 * Drafts of one chain (the first draft's tenant and plan, or no plan) with arbitrary JSON in `data` and `refs`
 * (any keys, any Unicode).
 */
const drafts: fc.Arbitrary<LineageDraft[]> = fc
  .array(
    fc.record(
      {
        tenantId: fc.string({ minLength: 1, maxLength: 12 }),
        planId: fc.string({ minLength: 1, maxLength: 12 }),
        type: fc.constantFrom('plan.received', 'approval.accepted', 'dispatch.succeeded'),
        actor: fc.record({
          type: fc.constantFrom('copilot', 'approver', 'system'),
          id: fc.string({ maxLength: 8 }),
        }),
        occurredAt: fc.integer({ min: T0, max: T0 + 10 ** 9 }),
        data: fc.dictionary(fc.string({ maxLength: 6 }), jsonValue, { maxKeys: 4 }),
        refs: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 10 }), {
          maxKeys: 3,
        }),
      },
      { requiredKeys: ['tenantId', 'type', 'actor', 'occurredAt'] },
    ) as fc.Arbitrary<LineageDraft>,
    { minLength: 1, maxLength: 5 },
  )
  .map((list) =>
    list.map(({ tenantId: _, planId: __, ...rest }) => ({
      ...rest,
      tenantId: list[0]?.tenantId ?? 't',
      ...(list[0]?.planId === undefined ? {} : { planId: list[0].planId }),
    })),
  );

describe('chainCanonical', () => {
  test('each body is the RFC 8785 form of its event, and each hash is lineageEventHash of it', () => {
    fc.assert(
      fc.property(drafts, (list) => {
        const chained = chainCanonical(EMPTY_HEAD, list);
        let prev = GENESIS_HASH as string;
        chained.forEach(({ event, body }, i) => {
          expect(body).toBe(canonicalJson(event));
          expect(event.hash).toBe(lineageEventHash(event));
          expect(event.prevHash).toBe(prev);
          expect(event.seq).toBe(i + 1);
          expect(event.chain).toBe(event.planId === undefined ? 'tenant' : 'plan');
          prev = event.hash;
        });
        expect(chainEvents(EMPTY_HEAD, list)).toEqual(chained.map((c) => c.event));
      }),
      { numRuns: 300 },
    );
  });

  test('a chain goes on from its head, and data that differs gives another hash', () => {
    const draft: LineageDraft = {
      tenantId: 't',
      planId: 'p',
      type: 'plan.received',
      actor: { type: 'system', id: 'gateway' },
      occurredAt: T0,
      data: { amountMinor: 100 },
    };
    const [first] = chainCanonical(EMPTY_HEAD, [draft]);
    if (!first) throw new Error('no event');
    const [second] = chainCanonical({ seq: 1, hash: first.event.hash }, [draft]);
    expect(second?.event.seq).toBe(2);
    expect(second?.event.prevHash).toBe(first.event.hash);
    const [other] = chainCanonical(EMPTY_HEAD, [{ ...draft, data: { amountMinor: 101 } }]);
    expect(other?.event.hash).not.toBe(first.event.hash);
  });
});
