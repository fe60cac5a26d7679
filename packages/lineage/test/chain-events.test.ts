import { createHash } from 'node:crypto';
import {
  canonicalJson,
  GENESIS_HASH,
  type LineageEvent,
  LineageEventSchema,
  lineageEventHash,
} from '@handoff/protocol';
import { describe, expect, it } from 'vitest';
import { chainEvents, chainKey, eventHash } from '../src/index.js';
import { draft } from './drafts.js';

const PLAN = '01JABCDEFGHJKMNPQRSTVWXYZ0';

describe('eventHash: SHA-256 over RFC 8785 of the event without hash', () => {
  it('is the digest of the canonical text, ignoring the hash member and counting every other', () => {
    const [event] = chainEvents(undefined, [
      draft('plan.received', PLAN, { state: 'received' }),
    ]) as [LineageEvent];
    const { hash: _hash, ...rest } = event;
    const expected = `sha256:${createHash('sha256').update(canonicalJson(rest)).digest('hex')}`;
    expect(event.hash).toBe(expected);
    expect(eventHash(rest)).toBe(expected);
    expect(eventHash({ ...event, hash: GENESIS_HASH })).toBe(expected);
    expect(eventHash({ ...rest, chain: 'tenant' })).not.toBe(expected);
    expect(eventHash({ ...rest, data: { state: 'approved' } })).not.toBe(expected);
  });

  it('equals the protocol hash of a format-1 event (old lineages verify with it)', () => {
    const [event] = chainEvents(undefined, [draft('plan.received', PLAN, { state: 'received' })], {
      format: 1,
    }) as [LineageEvent];
    expect(event.chain).toBeUndefined();
    expect(eventHash(event)).toBe(lineageEventHash(event));
  });

  it('refuses a value with no RFC 8785 form (TypeError)', () => {
    expect(() =>
      eventHash({
        ...draft('plan.received', undefined, { state: 'received' }),
        data: { amount: Number.NaN },
      }),
    ).toThrow(TypeError);
  });
});

describe('chainEvents: drafts of one chain, after its head', () => {
  it('starts a plan chain at seq 1 from the genesis hash, each event linked to the previous one', () => {
    const events = chainEvents(undefined, [
      draft('plan.received', PLAN, { state: 'received' }),
      draft('approval.accepted', PLAN, { state: 'received' }),
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
    const [event] = chainEvents(head, [
      draft('control.paused', undefined, { state: 'received' }),
    ]) as [LineageEvent];
    expect(event).toMatchObject({ chain: 'tenant', seq: 8, prevHash: head.hash });
    expect(chainKey(event)).toBe('tenant:acme');
  });

  it('refuses drafts of two chains, and a head whose seq is not a positive integer (RangeError)', () => {
    expect(() =>
      chainEvents(undefined, [
        draft('plan.received', PLAN, { state: 'received' }),
        draft('control.paused', undefined, { state: 'received' }),
      ]),
    ).toThrow(RangeError);
    expect(() =>
      chainEvents({ seq: 0, hash: GENESIS_HASH }, [
        draft('control.paused', undefined, { state: 'received' }),
      ]),
    ).toThrow(RangeError);
  });

  it('writes the old format as one global chain across plans and tenants', () => {
    const events = chainEvents(
      undefined,
      [
        draft('plan.received', PLAN, { state: 'received' }),
        draft('control.paused', undefined, { state: 'received' }),
      ],
      {
        format: 1,
      },
    );
    expect(events.map((e) => [e.chain, e.seq, chainKey(e)])).toEqual([
      [undefined, 1, 'global'],
      [undefined, 2, 'global'],
    ]);
    expect(events[1]?.prevHash).toBe(events[0]?.hash);
  });
});
