import type { Action, CurrencyCode } from '@handoff/protocol';
import { GatewayError } from '../errors.js';
import type { BudgetCap } from './cap.js';
import { localDayIndex, MAX_PERIOD_EPOCH_MS, periodWindow } from './period.js';

/**
 * Costs the gateway computes from an action's own parameters, so that the budget never rests on the copilot's
 * word alone. Pure: no store, no clock. Amounts are integer minor units (bigint inside, never floats); times are
 * epoch milliseconds.
 *
 * The rule, per action type (also in the protocol's README, "What an action costs"):
 *
 * - `set_campaign_budget`, `budgetType: 'daily'`, raise (`newBudget > currentBudget`): the daily increase for every
 *   local day, in the cap's time zone, that the raise can run inside the cap's period while the plan is valid:
 *   the days touched by `[reservedAt, min(plan expiresAt, end of the cap's period))`, today and the last day
 *   counted whole (a daily budget is spent per day, so a part day can cost a whole day's increase);
 * - `set_campaign_budget`, `budgetType: 'lifetime'`, raise: the increase, once (the campaign may spend all of it
 *   inside the period);
 * - `set_campaign_budget` cut or no change: 0. A cut never offsets a raise: every action is priced on its own;
 * - `pause_campaign`: 0. A paused campaign (or ad set) delivers nothing, so it spends nothing;
 * - `resume_campaign`: 0. A resume sets no budget: the campaign spends again within the budget it already has, and
 *   that budget was priced (and reserved) by the `set_campaign_budget` that set it, or predates the gateway. A
 *   copilot that expects the resumed delivery to spend declares it in `estimatedCost`, which is what is reserved;
 * - every other type: 0 (its price is the platform's, known only from the declared `estimatedCost` and the
 *   receipt's `actualCost`).
 *
 * What a reservation charges an action on a cap is the larger of its declared `estimatedCost` and this computed
 * cost ({@link chargedActionCost}); a plan declaring less than the computed cost is refused at submit
 * ({@link understatedCosts}, `BUDGET_COST_UNDERSTATED`).
 */

/** The `{ type, params }` of one action type; distributes over the {@link Action} union so `type` narrows `params`. */
type TypedPart<A> = A extends { type: infer T; params: infer P } ? { type: T; params: P } : never;

/**
 * What pricing needs from an action: a validated {@link Action} fits. Without `type` (a cost already known, e.g. a
 * platform's actual cost) nothing is computed and the declared cost stands.
 */
export type CostedAction = Pick<Action, 'adapter' | 'estimatedCost'> &
  (TypedPart<Action> | { type?: undefined; params?: undefined });

/** The cap and the moment a charge is computed for: which period, in which zone, and until when the plan runs. */
export interface ChargeContext {
  cap: Pick<BudgetCap, 'period' | 'timeZone'>;
  /** When the reservation is made (epoch ms): the first instant the action can run. */
  atMs: number;
  /** The plan's `expiresAt` (epoch ms): no action of it is sent later. */
  planExpiresAtMs: number;
}

function unsafe(path: string): GatewayError {
  const message = 'A computed cost exceeds 2^53 - 1 minor units';
  return new GatewayError('VALIDATION_FAILED', message, {
    issues: [{ path, code: 'MONEY_UNSAFE_INTEGER', message }],
  });
}

/**
 * The local days, in the cap's zone, on which an action reserved at `atMs` can run inside the cap's period
 * containing `atMs` while the plan is valid: the days `[atMs, min(planExpiresAtMs, period end))` touches, counted
 * whole. 0 when the plan has already expired at `atMs`.
 */
export function chargeableDays(context: ChargeContext): number {
  const { cap, atMs } = context;
  const periodEndMs = periodWindow(cap.period, atMs, cap.timeZone).endMs;
  const endMs = Math.min(context.planExpiresAtMs, periodEndMs, MAX_PERIOD_EPOCH_MS);
  if (endMs <= atMs) return 0;
  return localDayIndex(endMs - 1, cap.timeZone) - localDayIndex(atMs, cap.timeZone) + 1;
}

/**
 * The cost the gateway computes for `action` on one cap (see the module rule), in minor units of the action's
 * currency. 0 for a cut and for action types whose cost does not follow from their parameters.
 *
 * @throws GatewayError `VALIDATION_FAILED` (`MONEY_UNSAFE_INTEGER` at `/estimatedCost`) when the product passes
 *   2^53 - 1; whatever `periodWindow` throws for a bad instant or zone.
 */
export function computedActionCost(action: CostedAction, context: ChargeContext): bigint {
  if (action.type !== 'set_campaign_budget') return 0n;
  const { currentBudget, newBudget, budgetType } = action.params;
  const increase = BigInt(newBudget.amountMinor) - BigInt(currentBudget.amountMinor);
  if (increase <= 0n) return 0n;
  const cost = budgetType === 'lifetime' ? increase : increase * BigInt(chargeableDays(context));
  if (cost > BigInt(Number.MAX_SAFE_INTEGER)) throw unsafe('/estimatedCost');
  return cost;
}

/** What a reservation charges `action` on one cap: the larger of its declared and its computed cost (minor units). */
export function chargedActionCost(action: CostedAction, context: ChargeContext): bigint {
  const declared = BigInt(action.estimatedCost.amountMinor);
  const computed = computedActionCost(action, context);
  return computed > declared ? computed : declared;
}

/** What {@link understatedCosts} reads of a plan: a validated `HandoffPlan` fits. */
export interface PricedPlan {
  tenantId: string;
  expiresAt: string;
  workflow: { workflowId: string };
  options: readonly {
    optionId: string;
    channels: readonly string[];
    budget: { amount: { currency: CurrencyCode } };
    actions: readonly (CostedAction & { actionId: string })[];
  }[];
}

/**
 * True when `cap` bounds spend of `action` of option `option` of `plan`: same tenant and currency, and its scope is
 * the tenant, the plan's workflow, a channel the option lists, or the action's adapter.
 */
export function capCoversAction(
  cap: BudgetCap,
  plan: Pick<PricedPlan, 'tenantId' | 'workflow'>,
  option: { channels: readonly string[]; budget: { amount: { currency: CurrencyCode } } },
  action: Pick<CostedAction, 'adapter'>,
): boolean {
  if (cap.tenantId !== plan.tenantId || cap.limit.currency !== option.budget.amount.currency)
    return false;
  switch (cap.scope.type) {
    case 'tenant':
      return cap.scope.value === plan.tenantId;
    case 'workflow':
      return cap.scope.value === plan.workflow.workflowId;
    case 'channel':
      return option.channels.includes(cap.scope.value);
    case 'adapter':
      return cap.scope.value === action.adapter;
  }
}

/** One action whose declared cost is below what the gateway computes for it on some cap. */
export interface UnderstatedCost {
  /** JSON Pointer of the action's `estimatedCost` in the plan. */
  path: string;
  optionId: string;
  actionId: string;
  capId: string;
  currency: CurrencyCode;
  declaredMinor: number;
  computedMinor: number;
}

/**
 * Every action of every option of `plan` whose declared `estimatedCost` is below its computed cost on a cap that
 * bounds it (the largest such cost per action), at `nowMs`. Empty when every declaration covers the computation.
 */
export function understatedCosts(
  plan: PricedPlan,
  caps: readonly BudgetCap[],
  nowMs: number,
): UnderstatedCost[] {
  const planExpiresAtMs = Date.parse(plan.expiresAt);
  const found: UnderstatedCost[] = [];
  for (const [i, option] of plan.options.entries()) {
    for (const [j, action] of option.actions.entries()) {
      let worst: { capId: string; computed: bigint } | undefined;
      for (const cap of caps) {
        if (!capCoversAction(cap, plan, option, action)) continue;
        const computed = computedActionCost(action, { cap, atMs: nowMs, planExpiresAtMs });
        if (!worst || computed > worst.computed) worst = { capId: cap.capId, computed };
      }
      if (!worst || worst.computed <= BigInt(action.estimatedCost.amountMinor)) continue;
      found.push({
        path: `/options/${i}/actions/${j}/estimatedCost`,
        optionId: option.optionId,
        actionId: action.actionId,
        capId: worst.capId,
        currency: action.estimatedCost.currency,
        declaredMinor: action.estimatedCost.amountMinor,
        computedMinor: Number(worst.computed),
      });
    }
  }
  return found;
}

/**
 * Refuses a plan that declares an action cheaper than the gateway computes it (see {@link understatedCosts}).
 *
 * @throws GatewayError `BUDGET_COST_UNDERSTATED` with one issue per understated action (code
 *   `BUDGET_COST_UNDERSTATED`, path `/options/i/actions/j/estimatedCost`, a message naming both amounts in minor
 *   units and the currency) and `details.understated` (the {@link UnderstatedCost}s).
 */
export function assertCostsDeclared(
  plan: PricedPlan,
  caps: readonly BudgetCap[],
  nowMs: number,
): void {
  const understated = understatedCosts(plan, caps, nowMs);
  const first = understated[0];
  if (!first) return;
  const say = (u: UnderstatedCost) =>
    `Action ${JSON.stringify(u.actionId)} of option ${JSON.stringify(u.optionId)} declares ${u.declaredMinor} ${u.currency} minor units; the gateway computes ${u.computedMinor} ${u.currency} minor units on cap ${JSON.stringify(u.capId)}: declare at least the computed cost`;
  const more = understated.length > 1 ? ` (+${understated.length - 1} more)` : '';
  throw new GatewayError('BUDGET_COST_UNDERSTATED', `${say(first)}${more}`, {
    issues: understated.map((u) => ({
      path: u.path,
      code: 'BUDGET_COST_UNDERSTATED',
      message: say(u),
    })),
    details: { understated },
  });
}

/**
 * The most the gateway would charge `option` at `nowMs` (minor units): each action at the larger of its declared
 * cost and its largest computed cost on a cap that bounds it (see {@link chargedActionCost}), summed. What an
 * approval's `maxSpend` must cover: a reservation never charges the option more on any one cap.
 */
export function chargedOptionCost(
  plan: Pick<PricedPlan, 'tenantId' | 'expiresAt' | 'workflow'>,
  option: PricedPlan['options'][number],
  caps: readonly BudgetCap[],
  nowMs: number,
): bigint {
  const planExpiresAtMs = Date.parse(plan.expiresAt);
  let total = 0n;
  for (const action of option.actions) {
    let charged = BigInt(action.estimatedCost.amountMinor);
    for (const cap of caps) {
      if (!capCoversAction(cap, plan, option, action)) continue;
      const onCap = chargedActionCost(action, { cap, atMs: nowMs, planExpiresAtMs });
      if (onCap > charged) charged = onCap;
    }
    total += charged;
  }
  return total;
}
