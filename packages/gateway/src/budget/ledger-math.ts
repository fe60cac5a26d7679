import { type CurrencyCode, LEDGER_STATUSES } from '@handoff/protocol';
import { GatewayError } from '../errors.js';
import { assertMinorUnits } from './headroom.js';
import type { PeriodKey } from './period.js';
import type { ReservationLine } from './reservation-plan.js';

/**
 * The pure transitions of the budget ledger, over an in-memory model. The store implements the same rules in SQL;
 * this model states them once and is what the property tests drive.
 *
 * A ledger entry is one plan's hold on one cap in one period: `reserved`, then `committed` or `released`, never
 * anything else and never back. Amounts are integer minor units; times are epoch milliseconds.
 */

/** The statuses of a ledger entry, in lifecycle order. */
export { LEDGER_STATUSES };
/** A ledger entry status. */
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

/** The only moves an entry can make: `reserved` -> `committed` | `released`. */
export const LEDGER_TRANSITIONS: Readonly<Record<LedgerStatus, readonly LedgerStatus[]>> = {
  reserved: ['committed', 'released'],
  committed: [],
  released: [],
};

/**
 * One plan's hold on one cap in one period.
 *
 * - `reservedMinor`: what was reserved (minor units);
 * - `amountMinor`: what the entry holds: the reservation while `reserved`, the committed amount once `committed`
 *   (the actual cost when known), unchanged once `released` (it then counts for nothing);
 * - `overrunMinor`: how much a commit went above the reservation (0 when none);
 * - `expiresAtMs`: when the expiry sweep may release the reservation (its plan's deadline, epoch ms), `null` once
 *   its plan has started dispatching (it can spend until it settles, so it never expires) and once committed or
 *   released. A reservation never stops counting by time alone: only `expire` (the sweep) releases it.
 */
export interface LedgerEntry {
  planId: string;
  capId: string;
  periodKey: PeriodKey;
  currency: CurrencyCode;
  reservedMinor: number;
  amountMinor: number;
  overrunMinor: number;
  status: LedgerStatus;
  expiresAtMs: number | null;
}

/** The in-memory ledger: entries in insertion order. Never mutated; every operation returns a new state. */
export interface LedgerState {
  readonly entries: readonly LedgerEntry[];
}

/** A ledger with no entries. */
export const EMPTY_LEDGER: LedgerState = { entries: [] };

/**
 * An operation on the ledger (times in epoch ms, amounts in minor units):
 *
 * - `reserve`: holds every line for `planId`, due for the expiry sweep at `expiresAtMs` (call only after
 *   `checkHeadroom` says ok);
 * - `dispatch`: the plan started dispatching: its reservations can no longer expire (`expiresAtMs` -> `null`);
 * - `commit`: turns the plan's reservations into spend, at the actual cost per cap when `actualMinorByCapId` gives
 *   one (see {@link commitAmount});
 * - `release`: gives back the plan's reservations (a terminal state);
 * - `expire`: the expiry sweep: releases every reservation whose `expiresAtMs` is at or before `nowMs` (plans that
 *   never started dispatching).
 */
export type LedgerOperation =
  | { type: 'reserve'; planId: string; lines: readonly ReservationLine[]; expiresAtMs: number }
  | {
      type: 'commit';
      planId: string;
      nowMs: number;
      actualMinorByCapId?: Readonly<Record<string, number>>;
    }
  | { type: 'dispatch'; planId: string }
  | { type: 'release'; planId: string }
  | { type: 'expire'; nowMs: number };

/** The amount to commit for one entry, and whether it overran its reservation. */
export interface CommitAmount {
  /** What to record as spent, minor units. */
  amountMinor: number;
  /** True when the actual cost is above the reservation: the caller records it in the lineage. */
  overrun: boolean;
  /** `amountMinor - reservedMinor` when overrun, else 0. */
  overrunMinor: number;
}

function invalid(path: string, code: string, message: string): GatewayError {
  return new GatewayError('VALIDATION_FAILED', message, { issues: [{ path, code, message }] });
}

/**
 * The amount to commit for a reservation: the adapter's actual cost when it reports one, else the reservation.
 * An actual cost above the reservation is still recorded (money was spent), flagged with `overrun`.
 *
 * @param reservedMinor - the reservation, minor units.
 * @param actualMinor - the actual cost in minor units, or `undefined` when the adapter reported none.
 * @throws GatewayError `VALIDATION_FAILED` (`MONEY_NOT_INTEGER`, `MONEY_NEGATIVE`, `MONEY_UNSAFE_INTEGER`) when an
 *   amount is not a non-negative safe integer.
 */
export function commitAmount(reservedMinor: number, actualMinor: number | undefined): CommitAmount {
  assertMinorUnits(reservedMinor, '/reservedMinor');
  if (actualMinor === undefined)
    return { amountMinor: reservedMinor, overrun: false, overrunMinor: 0 };
  assertMinorUnits(actualMinor, '/actualMinor');
  const overrunMinor = Math.max(0, actualMinor - reservedMinor);
  return { amountMinor: actualMinor, overrun: overrunMinor > 0, overrunMinor };
}

/** True when the expiry sweep at `atMs` releases a `reserved` entry (its `expiresAtMs` is at or before it). */
export function isLapsed(entry: LedgerEntry, atMs: number): boolean {
  return entry.status === 'reserved' && entry.expiresAtMs !== null && entry.expiresAtMs <= atMs;
}

/**
 * What a cap holds in one period, in minor units: the amounts of `committed` entries plus those of every
 * `reserved` entry, as the store's `usedBudget` does. No time is asked: a reservation counts until it is released
 * or committed, however late its plan runs.
 */
export function usedByCap(state: LedgerState, capId: string, periodKey: string): bigint {
  let used = 0n;
  for (const entry of state.entries) {
    if (entry.capId !== capId || entry.periodKey !== periodKey || entry.status === 'released')
      continue;
    used += BigInt(entry.amountMinor);
  }
  return used;
}

function reserve(
  state: LedgerState,
  op: Extract<LedgerOperation, { type: 'reserve' }>,
): LedgerState {
  if (state.entries.some((e) => e.planId === op.planId)) {
    throw new GatewayError(
      'PLAN_CONFLICT',
      `Plan ${op.planId} already holds or held a reservation`,
    );
  }
  if (!Number.isSafeInteger(op.expiresAtMs)) {
    throw invalid('/expiresAtMs', 'INVALID_TIME', 'expiresAtMs must be integer epoch milliseconds');
  }
  const seen = new Set<string>();
  const added = op.lines.map((line, index): LedgerEntry => {
    assertMinorUnits(line.amountMinor, `/lines/${index}/amountMinor`);
    if (seen.has(line.capId)) {
      throw invalid(`/lines/${index}/capId`, 'DUPLICATE_ITEM', `Cap ${line.capId} appears twice`);
    }
    seen.add(line.capId);
    return {
      planId: op.planId,
      capId: line.capId,
      periodKey: line.periodKey,
      currency: line.currency,
      reservedMinor: line.amountMinor,
      amountMinor: line.amountMinor,
      overrunMinor: 0,
      status: 'reserved',
      expiresAtMs: op.expiresAtMs,
    };
  });
  return { entries: [...state.entries, ...added] };
}

function commit(state: LedgerState, op: Extract<LedgerOperation, { type: 'commit' }>): LedgerState {
  const actuals = op.actualMinorByCapId ?? {};
  for (const capId of Object.keys(actuals)) {
    if (!state.entries.some((e) => e.planId === op.planId && e.capId === capId)) {
      throw invalid(
        `/actualMinorByCapId/${capId}`,
        'UNKNOWN_CAP',
        `Plan holds nothing on cap ${capId}`,
      );
    }
  }
  const entries = state.entries.map((entry): LedgerEntry => {
    if (entry.planId !== op.planId || entry.status !== 'reserved') return entry;
    const actual = Object.hasOwn(actuals, entry.capId) ? actuals[entry.capId] : undefined;
    const { amountMinor, overrunMinor } = commitAmount(entry.reservedMinor, actual);
    return { ...entry, status: 'committed', amountMinor, overrunMinor, expiresAtMs: null };
  });
  return { entries };
}

/**
 * Applies one operation and returns the new state (the input is never mutated). `commit`, `release` and `expire`
 * touch only `reserved` entries, so repeating one changes nothing: they are idempotent per plan, and a committed
 * entry is never released nor a released one committed.
 *
 * @throws GatewayError `PLAN_CONFLICT` when `reserve` names a plan the ledger already has entries for;
 *   `VALIDATION_FAILED` for a fractional, negative or unsafe amount (`MONEY_*`), a non-integer
 *   `expiresAtMs` (`INVALID_TIME`), a cap twice in one reservation (`DUPLICATE_ITEM`) or an actual cost for a cap
 *   the plan holds nothing on (`UNKNOWN_CAP`).
 */
export function applyLedgerOperation(state: LedgerState, op: LedgerOperation): LedgerState {
  switch (op.type) {
    case 'reserve':
      return reserve(state, op);
    case 'commit':
      return commit(state, op);
    case 'dispatch':
      return {
        entries: state.entries.map((e) =>
          e.planId === op.planId && e.status === 'reserved' ? { ...e, expiresAtMs: null } : e,
        ),
      };
    case 'release':
      return {
        entries: state.entries.map((e) =>
          e.planId === op.planId && e.status === 'reserved'
            ? { ...e, status: 'released', expiresAtMs: null }
            : e,
        ),
      };
    case 'expire':
      return {
        entries: state.entries.map((e) =>
          isLapsed(e, op.nowMs) ? { ...e, status: 'released', expiresAtMs: null } : e,
        ),
      };
  }
}
