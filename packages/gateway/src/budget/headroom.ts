import { GatewayError } from '../errors.js';
import type { PeriodKey } from './period.js';
import type { ReservationLine } from './reservation-plan.js';

/**
 * What is already held on one cap in one period, in minor units: reserved (unexpired) plus committed. A store
 * answers it with `usedBudget`; the in-memory model with `usedByCap`.
 */
export type UsedBudget = (capId: string, periodKey: PeriodKey) => bigint;

/** A refusal: the first cap (by `capId`) that the request would push over its limit. */
export interface HeadroomExceeded {
  ok: false;
  code: 'BUDGET_EXCEEDED';
  capId: string;
  periodKey: PeriodKey;
  /** The cap's limit for the period, minor units. */
  limitMinor: number;
  /** Reserved + committed before this request, minor units (exact: a safe integer). */
  usedMinor: number;
  /** What this request asks of the cap in the period, minor units. */
  requestedMinor: number;
  message: string;
}

/** The outcome of {@link checkHeadroom}. */
export type HeadroomResult = { ok: true } | HeadroomExceeded;

/**
 * Throws unless `value` is a non-negative safe integer (an amount in minor units).
 *
 * @param path - JSON Pointer of the value, for the issue (`/lines/0/amountMinor`).
 * @throws GatewayError `VALIDATION_FAILED` with one issue at `path`: `MONEY_NOT_INTEGER`, `MONEY_NEGATIVE` or
 *   `MONEY_UNSAFE_INTEGER`.
 */
export function assertMinorUnits(value: number | bigint, path: string): void {
  const code =
    typeof value === 'number' && !Number.isInteger(value)
      ? 'MONEY_NOT_INTEGER'
      : value < 0
        ? 'MONEY_NEGATIVE'
        : value > Number.MAX_SAFE_INTEGER
          ? 'MONEY_UNSAFE_INTEGER'
          : undefined;
  if (code === undefined) return;
  const message = `${path} must be a non-negative safe integer number of minor units, got ${String(value)}`;
  throw new GatewayError('VALIDATION_FAILED', message, { issues: [{ path, code, message }] });
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Checks that every line fits its cap: `used(capId, periodKey) + amountMinor <= limitMinor`, in exact bigint
 * arithmetic (never floats). All or nothing: the caller reserves every line only when the result is `ok`. Reaching
 * the limit exactly is allowed; one minor unit more is not.
 *
 * Lines for the same cap and period are added together before the comparison. Failures are reported for the
 * first failing cap in a stable order (by `capId`, then `periodKey`, by UTF-16 code units), whatever the order of
 * `lines`, so the same request always gives the same answer.
 *
 * @param lines - from `planReservations` (amounts and limits are integer minor units).
 * @param used - reserved + committed so far on a cap and period (minor units); called once per distinct pair.
 * @returns `{ ok: true }`, or `{ ok: false, code: 'BUDGET_EXCEEDED', capId, periodKey, limitMinor, usedMinor,
 *   requestedMinor, message }`.
 * @throws GatewayError `VALIDATION_FAILED` when an amount or limit (or the sum of one cap's amounts) is not a
 *   non-negative safe integer (`MONEY_NOT_INTEGER`, `MONEY_NEGATIVE`, `MONEY_UNSAFE_INTEGER`);
 *   `INTERNAL` when `used` reports a negative amount or one past 2^53 - 1 (a broken ledger). Every number in the
 *   result is an exact safe integer, so it can go into canonical JSON (lineage) as is.
 */
export function checkHeadroom(lines: readonly ReservationLine[], used: UsedBudget): HeadroomResult {
  const requests = new Map<
    string,
    { capId: string; periodKey: PeriodKey; limitMinor: number; amount: bigint }
  >();
  for (const [index, line] of lines.entries()) {
    assertMinorUnits(line.amountMinor, `/${index}/amountMinor`);
    assertMinorUnits(line.limitMinor, `/${index}/limitMinor`);
    const key = JSON.stringify([line.capId, line.periodKey]);
    const request = requests.get(key);
    if (request) {
      request.amount += BigInt(line.amountMinor);
      assertMinorUnits(request.amount, `/${index}/amountMinor`);
    } else {
      const { capId, periodKey, limitMinor } = line;
      requests.set(key, { capId, periodKey, limitMinor, amount: BigInt(line.amountMinor) });
    }
  }
  const ordered = [...requests.values()].sort(
    (a, b) => compareText(a.capId, b.capId) || compareText(a.periodKey, b.periodKey),
  );
  for (const request of ordered) {
    const usedExact = used(request.capId, request.periodKey);
    if (usedExact < 0n || usedExact > BigInt(Number.MAX_SAFE_INTEGER)) {
      const message = `Usage of cap ${JSON.stringify(request.capId)} is out of range: ${usedExact}`;
      throw new GatewayError('INTERNAL', message);
    }
    if (usedExact + request.amount > BigInt(request.limitMinor)) {
      const usedMinor = Number(usedExact);
      const requestedMinor = Number(request.amount);
      return {
        ok: false,
        code: 'BUDGET_EXCEEDED',
        capId: request.capId,
        periodKey: request.periodKey,
        limitMinor: request.limitMinor,
        usedMinor,
        requestedMinor,
        message: `Cap ${JSON.stringify(request.capId)} (${request.periodKey}) has ${usedMinor} of ${request.limitMinor} minor units used; ${requestedMinor} more would exceed it`,
      };
    }
  }
  return { ok: true };
}
