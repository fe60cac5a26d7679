import { type ActionOf, type CurrencyCode, currencyExponent, type Money } from '@handoff/protocol';
import { checkBudgetMove, type ObservedBudget } from '../ad-budget.js';
import type { ExecuteContext, PreflightIssue, PreflightResult } from '../adapter.js';
import { AdapterError } from '../adapter-error.js';
import { fromPlatformAmount, toPlatformAmount } from '../platform-money.js';
import {
  errorCodeOf,
  type GoogleAdsConnection,
  type GoogleAdsError,
  googleAdsError,
  googleAdsFailure,
  googleAdsPost,
  googleAdsRequest,
} from './google-ads-api.js';

type Ctx = Pick<ExecuteContext, 'fetch' | 'signal' | 'now'>;

/** A campaign and its budget as `googleAds:search` returns them (int64 fields are JSON strings). */
export interface GoogleAdsCampaignRow {
  campaignResourceName: string;
  status: string;
  budgetResourceName: string;
  budget: ObservedBudget;
  explicitlyShared: boolean;
}

/** Google Ads' billable unit of a currency in micros: by default one minor unit (10,000 micros for USD or EUR). */
export function billableUnitMicros(
  currency: CurrencyCode,
  overrides: Readonly<Record<string, number>> = {},
): number {
  return overrides[currency] ?? 10 ** (6 - currencyExponent(currency));
}

/**
 * Reads a campaign's status and budget with one GAQL query through `googleAds:search`
 * (https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers.googleAds/search): the budget's
 * `amount_micros` (a DAILY budget) or `total_amount_micros` (a total budget over a CUSTOM_PERIOD), and the
 * account's currency. A read: safely retried when its answer is lost.
 *
 * @throws AdapterError `NOT_FOUND` when no campaign has this id, or whatever the request throws.
 */
export async function readCampaign(
  c: GoogleAdsConnection,
  ctx: Ctx,
  campaignId: string,
): Promise<GoogleAdsCampaignRow> {
  const query =
    'SELECT campaign.id, campaign.status, campaign_budget.resource_name, campaign_budget.amount_micros, ' +
    'campaign_budget.total_amount_micros, campaign_budget.period, campaign_budget.explicitly_shared, ' +
    `customer.currency_code FROM campaign WHERE campaign.id = ${campaignId}`;
  const body = (await googleAdsPost(c, ctx, 'googleAds:search', { query }, true)) as {
    results?: {
      customer?: { currencyCode?: string };
      campaign?: { resourceName?: string; status?: string };
      campaignBudget?: {
        resourceName?: string;
        amountMicros?: string;
        totalAmountMicros?: string;
        period?: string;
        explicitlyShared?: boolean;
      };
    }[];
  };
  const row = body?.results?.[0];
  if (!row?.campaign?.resourceName || !row.campaignBudget?.resourceName) {
    throw new AdapterError('NOT_FOUND', `Google Ads has no campaign ${campaignId}`);
  }
  const currency = (row.customer?.currencyCode ?? '') as CurrencyCode;
  const lifetime = row.campaignBudget.period === 'CUSTOM_PERIOD';
  const micros = lifetime ? row.campaignBudget.totalAmountMicros : row.campaignBudget.amountMicros;
  let amount: Money;
  try {
    amount = fromPlatformAmount(micros ?? '0', currency, 'micros');
  } catch (error) {
    throw new AdapterError('INVALID_REQUEST', `Unreadable budget of campaign ${campaignId}`, {
      cause: error,
    });
  }
  return {
    campaignResourceName: row.campaign.resourceName,
    status: row.campaign.status ?? 'UNKNOWN',
    budgetResourceName: row.campaignBudget.resourceName,
    budget: { amount, budgetType: lifetime ? 'lifetime' : 'daily' },
    explicitlyShared: row.campaignBudget.explicitlyShared === true,
  };
}

/** The `campaignBudgets:mutate` body updating one budget's amount (daily) or total amount (lifetime). */
function budgetMutation(
  row: GoogleAdsCampaignRow,
  action: ActionOf<'set_campaign_budget'>,
  validateOnly: boolean,
) {
  const micros = String(toPlatformAmount(action.params.newBudget, 'micros'));
  const lifetime = action.params.budgetType === 'lifetime';
  return {
    operations: [
      {
        update: {
          resourceName: row.budgetResourceName,
          ...(lifetime ? { totalAmountMicros: micros } : { amountMicros: micros }),
        },
        updateMask: lifetime ? 'total_amount_micros' : 'amount_micros',
      },
    ],
    partialFailure: true,
    ...(validateOnly ? { validateOnly: true } : {}),
  };
}

const micros = (value: string | undefined, currency: CurrencyCode) =>
  value === undefined ? undefined : fromPlatformAmount(value, currency, 'micros').amountMinor;

/** One GoogleAdsError of a budget mutate as a preflight issue, with the platform's figures where it gives them. */
function issueOf(error: GoogleAdsError, currency: CurrencyCode): PreflightIssue {
  const code = errorCodeOf(error) ?? 'UNKNOWN';
  const path = '/params/newBudget/amountMinor';
  const message = `${code}: ${error.message ?? 'refused by Google Ads'}`;
  const minimum = error.details?.budgetPerDayMinimumErrorDetails;
  if (code === 'campaignBudgetError.BUDGET_BELOW_PER_DAY_MINIMUM') {
    const floor = micros(
      minimum?.minimumBudgetAmountMicros ?? minimum?.budgetPerDayMinimumMicros,
      currency,
    );
    const figure = floor === undefined ? '' : ` (minimum ${floor} minor units of ${currency})`;
    return { path, code: 'BELOW_PLATFORM_MINIMUM', message: `${message}${figure}` };
  }
  if (code === 'campaignBudgetError.MONEY_AMOUNT_TOO_LARGE')
    return { path, code: 'ABOVE_PLATFORM_MAXIMUM', message };
  if (code === 'campaignBudgetError.NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT')
    return { path, code: 'BUDGET_GRANULARITY', message };
  return { path: '/params', code: 'PLATFORM_REJECTED', message };
}

/**
 * The preflight of a budget move: reads the campaign ({@link readCampaign}), checks the move against it
 * (`checkBudgetMove`: a budget other than `currentBudget` is a `CONFLICT`), then sends the same mutate with
 * `validateOnly: true`, which Google Ads validates without executing
 * (https://developers.google.com/google-ads/api/docs/concepts/field-service#validate_only). Its GoogleAdsFailure
 * errors become issues (below the per-day minimum, too large, not a multiple of the currency unit), with the
 * figures of its `BudgetPerDayMinimumErrorDetails`.
 */
export async function preflightBudget(
  c: GoogleAdsConnection,
  ctx: Ctx,
  action: ActionOf<'set_campaign_budget'>,
  unitOverrides: Readonly<Record<string, number>>,
  validateOnly: boolean,
): Promise<{ row: GoogleAdsCampaignRow; result: PreflightResult }> {
  const row = await readCampaign(c, ctx, action.params.campaignId);
  const currency = row.budget.amount.currency;
  const granularityMinor = Math.max(
    1,
    billableUnitMicros(currency, unitOverrides) / 10 ** (6 - currencyExponent(currency)),
  );
  const local = checkBudgetMove(action, row.budget, { granularityMinor });
  const observed = {
    ...local.observed,
    status: row.status,
    explicitlyShared: row.explicitlyShared,
  };
  if (!local.ok) return { row, result: { ...local, observed } };
  if (local.alreadyApplied || !validateOnly) return { row, result: { ...local, observed } };
  const response = await googleAdsRequest(
    c,
    ctx,
    'campaignBudgets:mutate',
    budgetMutation(row, action, true),
    true,
  );
  const ok = response.status >= 200 && response.status <= 299;
  // A refused validate-only request is a 400 whose GoogleAdsFailure says why; anything else is thrown as usual.
  if (!ok && response.status !== 400) throw googleAdsError(response, ctx.now());
  const body = response.body as { error?: unknown; partialFailureError?: unknown } | undefined;
  const failure = googleAdsFailure(ok ? body?.partialFailureError : body?.error);
  if (!failure && !ok) throw googleAdsError(response, ctx.now());
  if (!failure) return { row, result: { ok: true, observed } };
  const issues = failure.errors.map((e) => issueOf(e, currency));
  return { row, result: { ok: false, observed, issues } };
}

/**
 * Applies a budget move with `campaignBudgets:mutate`
 * (https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers.campaignBudgets/mutate) with
 * `partialFailure: true`: a 200 whose `partialFailureError` holds a GoogleAdsFailure means the operation was NOT
 * applied (https://developers.google.com/google-ads/api/docs/best-practices/partial-failures) and is thrown as
 * `INVALID_REQUEST` with the error's code. No idempotency key exists for a mutate: a lost answer is `IN_DOUBT`.
 *
 * @returns the updated budget's resource name.
 */
export async function mutateBudget(
  c: GoogleAdsConnection,
  ctx: Ctx,
  row: GoogleAdsCampaignRow,
  action: ActionOf<'set_campaign_budget'>,
): Promise<string> {
  const body = (await googleAdsPost(
    c,
    ctx,
    'campaignBudgets:mutate',
    budgetMutation(row, action, false),
    false,
  )) as { results?: { resourceName?: string }[]; partialFailureError?: { message?: string } };
  const failure = googleAdsFailure(body?.partialFailureError);
  if (failure) {
    const first = failure.errors[0];
    throw new AdapterError(
      'INVALID_REQUEST',
      `Google Ads refused the budget change: ${first?.message ?? body.partialFailureError?.message}`,
      { platform: { platformCode: errorCodeOf(first) ?? 'partialFailure' } },
    );
  }
  return body?.results?.[0]?.resourceName ?? row.budgetResourceName;
}
