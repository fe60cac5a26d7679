import {
  type Action,
  type CurrencyCode,
  type HandoffPlan,
  type StrategyOption,
  sumMinor,
  toJsonPointer,
  type Workflow,
} from '@handoff/protocol';
import { GatewayError } from '../errors.js';
import type { BudgetCap, CapScopeType } from './cap.js';
import { type BudgetPeriod, type PeriodKey, periodKey } from './period.js';

/**
 * What a reservation needs from a strategy option. A validated {@link StrategyOption} fits; tests may pass less.
 */
export type ReservableOption = Pick<StrategyOption, 'optionId' | 'channels' | 'budget'> & {
  actions: readonly Pick<Action, 'adapter' | 'estimatedCost'>[];
};

/** What a reservation needs from a plan. A validated {@link HandoffPlan} fits. */
export type ReservablePlan = Pick<HandoffPlan, 'tenantId'> & {
  workflow: Pick<Workflow, 'workflowId'>;
  options: readonly ReservableOption[];
};

/**
 * One amount to reserve against one cap in one period. Amounts are integer minor units of `currency`.
 *
 * - `capId`, `scopeType`, `scopeValue`, `period`: copied from the cap;
 * - `periodKey`: the cap's period containing `nowMs`, in the cap's time zone (`day:2026-11-21`, ...);
 * - `amountMinor`: what the option may spend against this cap (0 for a zero-cost option);
 * - `limitMinor`: the cap's limit for one period.
 */
export interface ReservationLine {
  capId: string;
  scopeType: CapScopeType;
  scopeValue: string;
  period: BudgetPeriod;
  periodKey: PeriodKey;
  currency: CurrencyCode;
  amountMinor: number;
  limitMinor: number;
}

/** The outcome of {@link planReservations}: the lines to check and reserve, or a refusal. */
export type PlanReservationsResult =
  | { ok: true; lines: ReservationLine[] }
  | { ok: false; code: 'BUDGET_CURRENCY_NOT_CONFIGURED'; currency: CurrencyCode; message: string };

/** The input of {@link planReservations}. `nowMs` is epoch milliseconds; caps may include other tenants'. */
export interface PlanReservationsInput {
  plan: ReservablePlan;
  optionId: string;
  caps: readonly BudgetCap[];
  nowMs: number;
}

function validationFailed(
  path: readonly PropertyKey[],
  code: string,
  message: string,
): GatewayError {
  return new GatewayError('VALIDATION_FAILED', message, {
    issues: [{ path: toJsonPointer(path), code, message }],
  });
}

function toSafeNumber(total: bigint, path: readonly PropertyKey[]): number {
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw validationFailed(
      path,
      'MONEY_UNSAFE_INTEGER',
      'Summed costs exceed 2^53 - 1 minor units',
    );
  }
  return Number(total);
}

/**
 * Works out which caps a strategy option of a plan must reserve against, and how much on each, at `nowMs`.
 * Pure: reads no store and does not check headroom (see `checkHeadroom`).
 *
 * Only caps of the plan's tenant in the option's currency (`option.budget.amount.currency`) apply:
 *
 * - `tenant` scope: the sum of the option's action `estimatedCost`s;
 * - `workflow` scope equal to `plan.workflow.workflowId`: the same sum;
 * - `channel` scope: a cap on any channel the option lists gets the FULL sum. Costs are not attributed to
 *   channels, so this is the conservative choice: no split of the spend can overspend a channel cap;
 * - `adapter` scope: the sum of the costs of the option's actions run by that adapter; no line when no action uses
 *   it (a line of 0 when some do, at no cost).
 *
 * Deny by default: when the tenant has no `tenant`-scope cap in the option's currency, nothing would bound the
 * spend, and the result is `{ ok: false, code: 'BUDGET_CURRENCY_NOT_CONFIGURED' }`, even for a zero-cost option.
 * Zero-cost options otherwise still get lines (of amount 0). Lines are sorted by `capId`. Each line's period is the
 * cap's own period containing `nowMs` in the cap's time zone, whatever the option's `budget.period`.
 *
 * @throws GatewayError `VALIDATION_FAILED` with one issue: `OPTION_NOT_FOUND` at `/optionId`; `CURRENCY_MISMATCH`
 *   at `/options/i/actions/j/estimatedCost/currency` (an action cost in another currency than the budget);
 *   `MONEY_UNSAFE_INTEGER` when summed costs pass 2^53 - 1. Also whatever `periodKey` throws (`VALIDATION_FAILED`
 *   for a bad `nowMs`; `BUDGET_CAP_INVALID` for an unknown cap time zone).
 */
export function planReservations(input: PlanReservationsInput): PlanReservationsResult {
  const { plan, optionId, caps, nowMs } = input;
  const optionIndex = plan.options.findIndex((o) => o.optionId === optionId);
  const option = plan.options[optionIndex];
  if (!option) {
    throw validationFailed(
      ['optionId'],
      'OPTION_NOT_FOUND',
      `No option ${JSON.stringify(optionId)} in the plan`,
    );
  }
  const currency = option.budget.amount.currency;
  const byAdapter = new Map<string, bigint>();
  for (const [actionIndex, action] of option.actions.entries()) {
    if (action.estimatedCost.currency !== currency) {
      throw validationFailed(
        ['options', optionIndex, 'actions', actionIndex, 'estimatedCost', 'currency'],
        'CURRENCY_MISMATCH',
        `Action cost is in ${action.estimatedCost.currency}; the option's budget is in ${currency}`,
      );
    }
    const sofar = byAdapter.get(action.adapter) ?? 0n;
    byAdapter.set(action.adapter, sofar + BigInt(action.estimatedCost.amountMinor));
  }
  const optionPath = ['options', optionIndex, 'actions'];
  const total = toSafeNumber(
    sumMinor(option.actions.map((a) => a.estimatedCost.amountMinor)),
    optionPath,
  );

  const applicable = caps.filter(
    (cap) => cap.tenantId === plan.tenantId && cap.limit.currency === currency,
  );
  if (!applicable.some((cap) => cap.scope.type === 'tenant' && cap.scope.value === plan.tenantId)) {
    return {
      ok: false,
      code: 'BUDGET_CURRENCY_NOT_CONFIGURED',
      currency,
      message: `Tenant ${JSON.stringify(plan.tenantId)} has no tenant-wide budget cap in ${currency}; spend in ${currency} is refused`,
    };
  }

  const channels: readonly string[] = option.channels;
  const lines: ReservationLine[] = [];
  for (const cap of applicable) {
    let amountMinor: number | undefined;
    switch (cap.scope.type) {
      case 'tenant':
        amountMinor = cap.scope.value === plan.tenantId ? total : undefined;
        break;
      case 'workflow':
        amountMinor = cap.scope.value === plan.workflow.workflowId ? total : undefined;
        break;
      case 'channel':
        amountMinor = channels.includes(cap.scope.value) ? total : undefined;
        break;
      case 'adapter': {
        const sum = byAdapter.get(cap.scope.value);
        amountMinor = sum === undefined ? undefined : toSafeNumber(sum, optionPath);
        break;
      }
    }
    if (amountMinor === undefined) continue;
    lines.push({
      capId: cap.capId,
      scopeType: cap.scope.type,
      scopeValue: cap.scope.value,
      period: cap.period,
      periodKey: periodKey(cap.period, nowMs, cap.timeZone),
      currency,
      amountMinor,
      limitMinor: cap.limit.amountMinor,
    });
  }
  lines.sort((a, b) => (a.capId < b.capId ? -1 : a.capId > b.capId ? 1 : 0));
  return { ok: true, lines };
}
