import type { CurrencyCode } from '@handoff/protocol';
import { AD_MANIFEST_BASE } from '../ad-adapter-core.js';
import type { AdapterManifest } from '../adapter.js';
import { META_OFFSET_ONE_CURRENCIES } from '../platform-money.js';
import { metaGranularityMinor } from './meta-objects.js';

/** The currencies whose Meta unit is more than one minor unit (offset 1, ISO 4217 exponent 2: 100 minor units). */
function offsetGranularity(): Record<string, number> {
  const entries = META_OFFSET_ONE_CURRENCIES.map(
    (c) => [c, metaGranularityMinor(c as CurrencyCode)] as const,
  );
  return Object.fromEntries(entries.filter(([, minor]) => minor > 1));
}

/**
 * The Meta documentation the adapter and its fake follow:
 * - `campaign` / `adSet`: the campaign and ad set objects (`status`, `daily_budget`, `lifetime_budget`), read with
 *   `GET /{id}?fields=...` and updated with `POST /{id}`;
 * - `budgets` / `currencies`: budgets in the account currency's minor denomination, with Meta's offsets (1 for
 *   currencies Meta treats as having no cents: JPY, KRW, TWD, HUF and the others it lists; 100 otherwise);
 * - `adAccount` / `minimumBudgets`: the account's `currency` and its `minimum_budgets` edge;
 * - `errors` / `graphErrors`: the error body `{ error: { message, type, code, error_subcode, fbtrace_id } }` and
 *   its codes (190 token, 17 / 613 / 80004 throttling, 100 invalid parameter);
 * - `rateLimiting` / `graphRateLimiting`: `X-Business-Use-Case-Usage` (`estimated_time_to_regain_access`, minutes),
 *   `X-Ad-Account-Usage` (`reset_time_duration`, seconds) and `X-App-Usage`.
 */
export const META_DOCS = {
  campaign: 'https://developers.facebook.com/docs/marketing-api/reference/ad-campaign-group/',
  adSet: 'https://developers.facebook.com/docs/marketing-api/reference/ad-campaign/',
  budgets: 'https://developers.facebook.com/docs/marketing-api/bidding/overview/budgets/',
  budgetLimits: 'https://developers.facebook.com/docs/marketing-api/adset/budget-limits',
  currencies: 'https://developers.facebook.com/docs/marketing-api/currencies',
  adAccount: 'https://developers.facebook.com/docs/marketing-api/reference/ad-account/',
  minimumBudgets:
    'https://developers.facebook.com/docs/marketing-api/reference/ad-account/minimum_budgets/',
  errors: 'https://developers.facebook.com/docs/marketing-api/error-reference',
  graphErrors: 'https://developers.facebook.com/docs/graph-api/guides/error-handling',
  rateLimiting: 'https://developers.facebook.com/docs/marketing-api/overview/rate-limiting',
  graphRateLimiting: 'https://developers.facebook.com/docs/graph-api/overview/rate-limiting',
} as const;

/**
 * The Meta adapter's manifest. `idempotency: 'none'`: Graph API updates carry no idempotency key, so a lost answer
 * is `IN_DOUBT`. The rate limit is the ads management business use case's floor on the development tier (300
 * calls an hour per ad account, before the per-active-ad allowance). Budgets are whole offset units (one minor
 * unit for most currencies, 100 for a currency Meta gives no cents but ISO 4217 does); the minimum daily budget
 * is the account's, read from `minimum_budgets` at preflight.
 */
export function metaManifest(): AdapterManifest {
  return {
    id: 'meta',
    platform: 'Meta Marketing API',
    ...AD_MANIFEST_BASE,
    supportsDryRun: false,
    budgetLimits: {
      granularityMinor: {
        default: 1,
        byCurrency: offsetGranularity(),
      },
      notes:
        "Whole units of Meta's currency offset. The minimum daily budget is the ad account's, read from its " +
        'minimum_budgets edge (min_daily_budget_imp) at preflight.',
      source: META_DOCS.currencies,
    },
    rateLimits: [
      { requests: 300, perMs: 3_600_000, scope: 'account', source: META_DOCS.rateLimiting },
    ],
    docs: Object.values(META_DOCS),
  };
}
