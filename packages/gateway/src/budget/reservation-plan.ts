import {
  type CurrencyCode,
  type HandoffPlan,
  type StrategyOption,
  toJsonPointer,
  type Workflow,
} from '@handoff/protocol';
import { GatewayError } from '../errors.js';
import { type CostedAction, capCoversAction, chargedActionCost } from './action-cost.js';
import type { BudgetCap, CapScopeType } from './cap.js';
import { type BudgetPeriod, type PeriodKey, periodKey } from './period.js';

/**
 * What a reservation needs from a strategy option. A validated {@link StrategyOption} fits; tests may pass less.
 */
export type ReservableOption = Pick<StrategyOption, 'optionId' | 'channels' | 'budget'> & {
  actions: readonly CostedAction[];
};

/**
 * What a reservation needs from a plan. A validated {@link HandoffPlan} fits. `expiresAt` (RFC 3339) bounds the
 * days a daily budget raise is charged for.
 */
export type ReservablePlan = Pick<HandoffPlan, 'tenantId' | 'expiresAt'> & {
  workflow: Pick<Workflow, 'workflowId'>;
  options: readonly ReservableOption[];
};

/**
 * One amount to reserve against one cap in one period. Amounts are integer minor units of `currency`.
 *
 * - `capId`, `scopeType`, `scopeValue`, `period`: copied from the cap;
 * - `periodKey`: the cap's period containing `nowMs`, in the cap's time zone (`day:2026-11-21`, ...);
 * - `amountMinor`: what the option may spend against this cap: the charges of the actions it bounds (0 for a
 *   zero-cost option);
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
 * Each action is charged, on each cap that bounds it, the larger of its declared `estimatedCost` and the cost the
 * gateway computes from its parameters for that cap's period and zone (`chargedActionCost`: a daily budget raise
 * costs its increase for every day it can run inside the period while the plan is valid). Only caps of the plan's
 * tenant in the option's currency (`option.budget.amount.currency`) apply:
 *
 * - `tenant` scope: the sum of the option's action charges;
 * - `workflow` scope equal to `plan.workflow.workflowId`: the same sum;
 * - `channel` scope: a cap on any channel the option lists gets the FULL sum. Costs are not attributed to
 *   channels, so this is the conservative choice: no split of the spend can overspend a channel cap;
 * - `adapter` scope: the sum of the charges of the option's actions run by that adapter; no line when no action
 *   uses it (a line of 0 when some do, at no cost).
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
  for (const [actionIndex, action] of option.actions.entries()) {
    if (action.estimatedCost.currency !== currency) {
      throw validationFailed(
        ['options', optionIndex, 'actions', actionIndex, 'estimatedCost', 'currency'],
        'CURRENCY_MISMATCH',
        `Action cost is in ${action.estimatedCost.currency}; the option's budget is in ${currency}`,
      );
    }
  }
  const optionPath = ['options', optionIndex, 'actions'];
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

  const planExpiresAtMs = Date.parse(plan.expiresAt);
  const lines: ReservationLine[] = [];
  for (const cap of applicable) {
    const touched =
      cap.scope.type === 'adapter'
        ? option.actions.some((a) => a.adapter === cap.scope.value)
        : capCoversAction(cap, plan, option, { adapter: '' });
    if (!touched) continue;
    const context = { cap, atMs: nowMs, planExpiresAtMs };
    let charged = 0n;
    for (const action of option.actions) {
      if (capCoversAction(cap, plan, option, action)) charged += chargedActionCost(action, context);
    }
    lines.push({
      capId: cap.capId,
      scopeType: cap.scope.type,
      scopeValue: cap.scope.value,
      period: cap.period,
      periodKey: periodKey(cap.period, nowMs, cap.timeZone),
      currency,
      amountMinor: toSafeNumber(charged, optionPath),
      limitMinor: cap.limit.amountMinor,
    });
  }
  lines.sort((a, b) => (a.capId < b.capId ? -1 : a.capId > b.capId ? 1 : 0));
  return { ok: true, lines };
}
