import { describe, expect, test } from 'vitest';
import {
  applyLedgerOperation,
  commitAmount,
  EMPTY_LEDGER,
  LEDGER_TRANSITIONS,
  type LedgerOperation,
  type LedgerState,
  usedByCap,
} from '../../src/budget/ledger-math.js';
import type { ReservationLine } from '../../src/budget/reservation-plan.js';

const T0 = Date.parse('2026-11-21T14:00:00Z');
const TTL = 60_000;

function line(capId: string, amountMinor: number): ReservationLine {
  return {
    capId,
    scopeType: 'adapter',
    scopeValue: capId,
    period: 'day',
    periodKey: 'day:2026-11-21',
    currency: 'USD',
    amountMinor,
    limitMinor: 10_000,
  };
}

function apply(state: LedgerState, ...ops: LedgerOperation[]): LedgerState {
  return ops.reduce(applyLedgerOperation, state);
}

const reserved = apply(
  EMPTY_LEDGER,
  {
    type: 'reserve',
    planId: 'p1',
    lines: [line('cap-a', 500), line('cap-b', 200)],
    expiresAtMs: T0 + TTL,
  },
  { type: 'reserve', planId: 'p2', lines: [line('cap-a', 300)], expiresAtMs: T0 + 2 * TTL },
);

describe('commitAmount', () => {
  test('uses the actual cost when reported, else the reservation', () => {
    expect(commitAmount(500, undefined)).toEqual({
      amountMinor: 500,
      overrun: false,
      overrunMinor: 0,
    });
    expect(commitAmount(500, 120)).toEqual({ amountMinor: 120, overrun: false, overrunMinor: 0 });
    expect(commitAmount(500, 500)).toEqual({ amountMinor: 500, overrun: false, overrunMinor: 0 });
  });

  test('records an actual cost above the reservation, flagged as an overrun', () => {
    expect(commitAmount(500, 650)).toEqual({ amountMinor: 650, overrun: true, overrunMinor: 150 });
  });

  test('rejects amounts that are not non-negative safe integers', () => {
    expect(() => commitAmount(500, -1)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => commitAmount(0.5, undefined)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});

describe('applyLedgerOperation', () => {
  test('statuses only move reserved -> committed | released', () => {
    expect(LEDGER_TRANSITIONS).toEqual({
      reserved: ['committed', 'released'],
      committed: [],
      released: [],
    });
  });

  test('reserve holds every line until its expiry', () => {
    expect(reserved.entries.map((e) => [e.planId, e.capId, e.status, e.expiresAtMs])).toEqual([
      ['p1', 'cap-a', 'reserved', T0 + TTL],
      ['p1', 'cap-b', 'reserved', T0 + TTL],
      ['p2', 'cap-a', 'reserved', T0 + 2 * TTL],
    ]);
    expect(usedByCap(reserved, 'cap-a', 'day:2026-11-21')).toBe(800n);
    expect(usedByCap(reserved, 'cap-a', 'day:2026-11-22')).toBe(0n);
  });

  test('a reservation past its expiry still counts until the sweep releases it', () => {
    expect(usedByCap(reserved, 'cap-a', 'day:2026-11-21')).toBe(800n);
    const swept = apply(reserved, { type: 'expire', nowMs: T0 + TTL });
    expect(usedByCap(swept, 'cap-a', 'day:2026-11-21')).toBe(300n);
  });

  test('commit moves a plan’s reservations to committed, at the actual cost where given', () => {
    const state = apply(reserved, {
      type: 'commit',
      planId: 'p1',
      nowMs: T0,
      actualMinorByCapId: { 'cap-a': 450 },
    });
    const p1 = state.entries.filter((e) => e.planId === 'p1');
    expect(p1.map((e) => [e.capId, e.status, e.amountMinor, e.expiresAtMs])).toEqual([
      ['cap-a', 'committed', 450, null],
      ['cap-b', 'committed', 200, null],
    ]);
    // p1's commit (450) and p2's reservation (300), which counts until it is released or committed.
    expect(usedByCap(state, 'cap-a', 'day:2026-11-21')).toBe(750n);
    expect(state.entries[2]).toEqual(reserved.entries[2]);
  });

  test('an overrun is recorded on the entry', () => {
    const state = apply(reserved, {
      type: 'commit',
      planId: 'p2',
      nowMs: T0,
      actualMinorByCapId: { 'cap-a': 320 },
    });
    expect(state.entries[2]).toMatchObject({
      status: 'committed',
      reservedMinor: 300,
      amountMinor: 320,
      overrunMinor: 20,
    });
  });

  test('commit and release are idempotent, and never undo one another', () => {
    const commit: LedgerOperation = { type: 'commit', planId: 'p1', nowMs: T0 };
    const release: LedgerOperation = { type: 'release', planId: 'p1' };
    const committed = apply(reserved, commit);
    expect(apply(committed, commit)).toEqual(committed);
    expect(apply(committed, release)).toEqual(committed);
    const released = apply(reserved, release);
    expect(apply(released, release)).toEqual(released);
    expect(apply(released, commit)).toEqual(released);
    expect(usedByCap(released, 'cap-a', 'day:2026-11-21')).toBe(300n);
  });

  test('expire releases only due reservations of plans not dispatching; a dispatching plan holds and commits', () => {
    const expired = apply(reserved, { type: 'expire', nowMs: T0 + TTL });
    expect(expired.entries.map((e) => e.status)).toEqual(['released', 'released', 'reserved']);
    const dispatching = apply(reserved, { type: 'dispatch', planId: 'p1' });
    const late = apply(dispatching, { type: 'expire', nowMs: T0 + 10 * TTL });
    expect(late.entries.map((e) => e.status)).toEqual(['reserved', 'reserved', 'released']);
    expect(usedByCap(late, 'cap-a', 'day:2026-11-21')).toBe(500n);
    const settled = apply(late, { type: 'commit', planId: 'p1', nowMs: T0 + 10 * TTL });
    expect(settled.entries.map((e) => e.status)).toEqual(['committed', 'committed', 'released']);
  });

  test('never mutates its input', () => {
    const before = structuredClone(reserved);
    apply(
      reserved,
      { type: 'commit', planId: 'p1', nowMs: T0 },
      { type: 'expire', nowMs: T0 + 5 * TTL },
    );
    expect(reserved).toEqual(before);
  });

  test('refuses a second reservation for a plan, a cap twice, bad amounts and unknown caps', () => {
    const again: LedgerOperation = { type: 'reserve', planId: 'p1', lines: [], expiresAtMs: T0 };
    expect(() => apply(reserved, again)).toThrow(
      expect.objectContaining({ code: 'PLAN_CONFLICT' }),
    );
    const twice: LedgerOperation = {
      type: 'reserve',
      planId: 'p3',
      lines: [line('c', 1), line('c', 2)],
      expiresAtMs: T0,
    };
    expect(() => apply(reserved, twice)).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ code: 'DUPLICATE_ITEM' })] }),
    );
    const negative: LedgerOperation = {
      type: 'reserve',
      planId: 'p3',
      lines: [line('c', -1)],
      expiresAtMs: T0,
    };
    expect(() => apply(reserved, negative)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    const unknown: LedgerOperation = {
      type: 'commit',
      planId: 'p1',
      nowMs: T0,
      actualMinorByCapId: { 'cap-z': 1 },
    };
    expect(() => apply(reserved, unknown)).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ code: 'UNKNOWN_CAP' })] }),
    );
  });
});
