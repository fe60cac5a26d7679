import { createHash } from 'node:crypto';
import {
  canonicalJson,
  GENESIS_HASH,
  type LineageEvent,
  LineageEventSchema,
  lineageEventHash,
} from '@handoff/protocol';
import { describe, expect, it } from 'vitest';
import { chainEvents, chainKey, eventHash, type LineageEventDraft } from '../src/index.js';

const PLAN = '01JABCDEFGHJKMNPQRSTVWXYZ0';

function draft(type: LineageEventDraft['type'], planId?: string): LineageEventDraft {
  return {
    protocolVersion: '1.0',
    kind: 'LineageEvent',
    occurredAt: '2026-12-07T18:00:00.000Z',
    tenantId: 'acme',
    ...(planId === undefined ? {} : { planId }),
    type,
    actor: { type: 'system', id: 'gateway' },
    refs: {},
    data: { state: 'received' },
  };
}

describe('eventHash: SHA-256 over RFC 8785 of the event without hash', () => {
  it('is the digest of the canonical text, ignoring the hash member and counting every other', () => {
    const [event] = chainEvents(undefined, [draft('plan.received', PLAN)]) as [LineageEvent];
    const { hash: _hash, ...rest } = event;
    const expected = `sha256:${createHash('sha256').update(canonicalJson(rest)).digest('hex')}`;
    expect(event.hash).toBe(expected);
    expect(eventHash(rest)).toBe(expected);
    expect(eventHash({ ...event, hash: GENESIS_HASH })).toBe(expected);
    expect(eventHash({ ...rest, chain: 'tenant' })).not.toBe(expected);
    expect(eventHash({ ...rest, data: { state: 'approved' } })).not.toBe(expected);
  });

  it('equals the protocol hash of a format-1 event (old lineages verify with it)', () => {
    const [event] = chainEvents(undefined, [draft('plan.received', PLAN)], { format: 1 }) as [
      LineageEvent,
    ];
    expect(event.chain).toBeUndefined();
    expect(eventHash(event)).toBe(lineageEventHash(event));
  });

  it('refuses a value with no RFC 8785 form (TypeError)', () => {
    expect(() => eventHash({ ...draft('plan.received'), data: { amount: Number.NaN } })).toThrow(
      TypeError,
    );
  });
});

describe('chainEvents: drafts of one chain, after its head', () => {
  it('starts a plan chain at seq 1 from the genesis hash, each event linked to the previous one', () => {
    const events = chainEvents(undefined, [
      draft('plan.received', PLAN),
      draft('approval.accepted', PLAN),
    ]);
    expect(events.map((e) => [e.chain, e.seq])).toEqual([
      ['plan', 1],
      ['plan', 2],
    ]);
    expect(events[0]?.prevHash).toBe(GENESIS_HASH);
    expect(events[1]?.prevHash).toBe(events[0]?.hash);
    for (const event of events) {
      expect(LineageEventSchema.parse(event)).toEqual(event);
      expect(eventHash(event)).toBe(event.hash);
    }
  });

  it('continues after a head, and chains events of no plan per tenant', () => {
    const head = { seq: 7, hash: `sha256:${'ab'.repeat(32)}` };
    const [event] = chainEvents(head, [draft('control.paused')]) as [LineageEvent];
    expect(event).toMatchObject({ chain: 'tenant', seq: 8, prevHash: head.hash });
    expect(chainKey(event)).toBe('tenant:acme');
  });

  it('refuses drafts of two chains, and a head whose seq is not a positive integer (RangeError)', () => {
    expect(() =>
      chainEvents(undefined, [draft('plan.received', PLAN), draft('control.paused')]),
    ).toThrow(RangeError);
    expect(() => chainEvents({ seq: 0, hash: GENESIS_HASH }, [draft('control.paused')])).toThrow(
      RangeError,
    );
  });

  it('writes the old format as one global chain across plans and tenants', () => {
    const events = chainEvents(undefined, [draft('plan.received', PLAN), draft('control.paused')], {
      format: 1,
    });
    expect(events.map((e) => [e.chain, e.seq, chainKey(e)])).toEqual([
      [undefined, 1, 'global'],
      [undefined, 2, 'global'],
    ]);
    expect(events[1]?.prevHash).toBe(events[0]?.hash);
  });
});
