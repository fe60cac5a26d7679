import { type CurrencyCode, currencyExponent } from '@handoff/protocol';
import { AD_MANIFEST_BASE } from '../ad-adapter-core.js';
import type { AdapterManifest } from '../adapter.js';

/**
 * The Google Ads documentation the adapter and its fake follow:
 * - `rest` / `auth`: the REST interface and its headers (`Authorization: Bearer`, `developer-token`,
 *   `login-customer-id`);
 * - `search`: `googleAds:search` with a GAQL query (int64 fields as JSON strings);
 * - `budgetsMutate` / `campaignsMutate` / `adGroupsMutate`: the mutates (`operations[].update`, `updateMask`,
 *   `partialFailure`, `validateOnly`);
 * - `budgets`: daily budgets (`amount_micros`) and total budgets over a custom period (`total_amount_micros`);
 * - `money` / `currency`: amounts in micros, billed in multiples of the currency's `billable_unit_micros`;
 * - `partialFailure` / `validateOnly`: how a partial failure comes back (`partialFailureError`, a
 *   GoogleAdsFailure) and what a validate-only request does;
 * - `errors` / `failure` / `minimum`: the error body (`error.details[]` GoogleAdsFailure), and the
 *   BudgetPerDayMinimumErrorDetails of a budget below its per-day minimum;
 * - `quotas` / `accessLevels`: 429 RESOURCE_EXHAUSTED with `quotaErrorDetails.retryDelay`, and the daily operation
 *   limits of a developer token (Basic access: 15,000 operations a day).
 */
export const GOOGLE_ADS_DOCS = {
  rest: 'https://developers.google.com/google-ads/api/rest/overview',
  auth: 'https://developers.google.com/google-ads/api/rest/auth',
  search:
    'https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers.googleAds/search',
  budgetsMutate:
    'https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers.campaignBudgets/mutate',
  campaignsMutate:
    'https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers.campaigns/mutate',
  adGroupsMutate:
    'https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers.adGroups/mutate',
  budgetsRequest:
    'https://developers.google.com/google-ads/api/reference/rpc/v26/MutateCampaignBudgetsRequest',
  budgets: 'https://developers.google.com/google-ads/api/docs/campaigns/budgets/create-budgets',
  money: 'https://developers.google.com/google-ads/api/reference/rpc/v26/Money',
  currency: 'https://developers.google.com/google-ads/api/reference/rpc/v26/CurrencyConstant',
  partialFailure:
    'https://developers.google.com/google-ads/api/docs/best-practices/partial-failures',
  validateOnly:
    'https://developers.google.com/google-ads/api/docs/concepts/field-service#validate_only',
  errors: 'https://developers.google.com/google-ads/api/docs/best-practices/error-types',
  failure: 'https://developers.google.com/google-ads/api/reference/rpc/v26/GoogleAdsFailure',
  minimum:
    'https://developers.google.com/google-ads/api/reference/rpc/v26/BudgetPerDayMinimumErrorDetails',
  quotas: 'https://developers.google.com/google-ads/api/docs/best-practices/quotas',
  quotaDetails: 'https://developers.google.com/google-ads/api/reference/rpc/v26/QuotaErrorDetails',
  accessLevels: 'https://developers.google.com/google-ads/api/docs/api-policy/access-levels',
} as const;

/**
 * The Google Ads adapter's manifest. `idempotency: 'none'`: a mutate carries no idempotency key, so a lost answer
 * is `IN_DOUBT` (the gateway never resends it blindly; the next preflight sees whether it was applied). Budgets
 * are in multiples of the billable unit (one minor unit unless `billableUnitMicros` says otherwise); the
 * per-day minimum depends on the campaign and is read from the platform's `validateOnly` answer at preflight.
 */
export function googleAdsManifest(
  billableUnitMicros: Readonly<Record<string, number>>,
): AdapterManifest {
  const byCurrency = Object.fromEntries(
    Object.entries(billableUnitMicros).map(([currency, micros]) => [
      currency,
      micros / 10 ** (6 - currencyExponent(currency as CurrencyCode)),
    ]),
  );
  return {
    id: 'google_ads',
    platform: 'Google Ads',
    ...AD_MANIFEST_BASE,
    supportsDryRun: true,
    budgetLimits: {
      granularityMinor: {
        default: 1,
        ...(Object.keys(byCurrency).length > 0 ? { byCurrency } : {}),
      },
      notes:
        'Budgets are multiples of the billable unit (one minor unit unless configured). The per-day minimum ' +
        "depends on the campaign: the preflight's validateOnly request reports it (BudgetPerDayMinimumErrorDetails).",
      source: GOOGLE_ADS_DOCS.currency,
    },
    rateLimits: [
      {
        requests: 15_000,
        perMs: 86_400_000,
        scope: 'account',
        source: GOOGLE_ADS_DOCS.accessLevels,
      },
    ],
    docs: Object.values(GOOGLE_ADS_DOCS),
  };
}
