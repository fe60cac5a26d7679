import { type ActionOf, type CurrencyCode, currencyExponent } from '@handoff/protocol';
import { checkBudgetMove, type ObservedBudget } from '../ad-budget.js';
import type { ExecuteContext, PreflightResult } from '../adapter.js';
import { AdapterError } from '../adapter-error.js';
import { fromPlatformAmount, metaOffset } from '../platform-money.js';
import { graphCall, type MetaConnection } from './meta-api.js';

type Ctx = Pick<ExecuteContext, 'fetch' | 'signal' | 'now'>;

/** A campaign or ad set as the adapter reads it: its status and its budget at this level, if any. */
export interface MetaObject {
  id: string;
  status: string;
  /** Undefined when the budget is not set at this level (e.g. ad set budgets under a campaign without one). */
  budget: ObservedBudget | undefined;
  currency: CurrencyCode;
}

/** Meta amounts are whole units of the currency's offset: this many minor units (100 for TWD, 1 for USD or JPY). */
export function metaGranularityMinor(currency: CurrencyCode): number {
  return Math.max(1, 10 ** currencyExponent(currency) / metaOffset(currency));
}

/**
 * Reads the ad account's currency (`GET /act_{id}?fields=currency`,
 * https://developers.facebook.com/docs/marketing-api/reference/ad-account/) and the campaign or ad set
 * (`GET /{id}?fields=status,daily_budget,lifetime_budget`,
 * https://developers.facebook.com/docs/marketing-api/reference/ad-campaign-group/ and .../ad-campaign/). Budgets
 * come as strings in the account currency's offset units, converted to minor units; "0" or absent means no budget
 * at this level.
 *
 * @throws AdapterError `NOT_FOUND` for an unknown id, or whatever the requests throw.
 */
export async function readMetaObject(c: MetaConnection, ctx: Ctx, id: string): Promise<MetaObject> {
  const account = await graphCall(c, ctx, 'GET', `act_${c.adAccountId}`, { fields: 'currency' });
  const currency = String(account.currency ?? '') as CurrencyCode;
  const node = await graphCall(c, ctx, 'GET', id, {
    fields: 'id,status,daily_budget,lifetime_budget',
  });
  const amount = (value: unknown, budgetType: ObservedBudget['budgetType']) => {
    if (typeof value !== 'string' || value === '0' || value === '') return undefined;
    try {
      return { amount: fromPlatformAmount(value, currency, 'meta_offset'), budgetType };
    } catch (cause) {
      throw new AdapterError('INVALID_REQUEST', `Unreadable budget of ${id}`, { cause });
    }
  };
  return {
    id,
    status: String(node.status ?? 'UNKNOWN'),
    budget: amount(node.daily_budget, 'daily') ?? amount(node.lifetime_budget, 'lifetime'),
    currency,
  };
}

/**
 * The ad account's minimum daily budget in minor units: the smallest figure `GET /act_{id}/minimum_budgets` gives
 * (`min_daily_budget_imp`, what an impression-billed ad set needs; others are higher), in offset units
 * (https://developers.facebook.com/docs/marketing-api/reference/ad-account/minimum_budgets/).
 */
export async function readMinimumDaily(
  c: MetaConnection,
  ctx: Ctx,
  currency: CurrencyCode,
): Promise<number | undefined> {
  const body = await graphCall(c, ctx, 'GET', `act_${c.adAccountId}/minimum_budgets`, {});
  const row = (
    body.data as { currency?: string; min_daily_budget_imp?: number }[] | undefined
  )?.find((r) => r.currency === currency);
  if (typeof row?.min_daily_budget_imp !== 'number') return undefined;
  return fromPlatformAmount(row.min_daily_budget_imp, currency, 'meta_offset').amountMinor;
}

/** A preflight issue for an object with no budget at the action's level. */
export function noBudgetHere(object: MetaObject, level: string): PreflightResult {
  return {
    ok: false,
    observed: { status: object.status, level },
    issues: [
      {
        path: '/params/level',
        code: 'BUDGET_TYPE_MISMATCH',
        message: `The ${level === 'ad_set' ? 'ad set' : 'campaign'} ${object.id} has no budget of its own at this level`,
      },
    ],
  };
}

/**
 * Checks a budget move against the object read (and, when `minimumDaily` is given, the account's minimum daily
 * budget): see `checkBudgetMove`. The platform's status joins the observed figures.
 */
export function checkMetaBudget(
  action: ActionOf<'set_campaign_budget'>,
  object: MetaObject,
  minimumDaily: number | undefined,
): PreflightResult {
  const level = action.params.level ?? 'campaign';
  if (!object.budget) return noBudgetHere(object, level);
  const result = checkBudgetMove(action, object.budget, {
    granularityMinor: metaGranularityMinor(object.currency),
    ...(minimumDaily === undefined ? {} : { minimumDailyMinor: minimumDaily }),
  });
  return { ...result, observed: { ...result.observed, status: object.status, level } };
}

/**
 * Updates a campaign or ad set with `POST /{id}` and form fields (`daily_budget` / `lifetime_budget` in offset
 * units, or `status`), as the Marketing API documents updates; Meta answers `{ "success": true }`.
 *
 * @throws AdapterError `INVALID_REQUEST` when Meta answers 2xx without `success: true`.
 */
export async function updateMetaObject(
  c: MetaConnection,
  ctx: Ctx,
  id: string,
  fields: Record<string, string>,
): Promise<void> {
  const body = await graphCall(c, ctx, 'POST', id, fields);
  if (body.success !== true)
    throw new AdapterError('INVALID_REQUEST', `Meta did not confirm the update of ${id}`);
}
