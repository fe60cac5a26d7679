import type { Action, ActionOf } from '@handoff/protocol';
import { adExecuteAndReverse, ensureValidAction } from '../ad-adapter-core.js';
import { preflightError } from '../ad-budget.js';
import type {
  AdapterManifest,
  AdapterValidation,
  AutomationAdapter,
  ExecuteContext,
  ExecuteReceipt,
} from '../adapter.js';
import { AdapterError } from '../adapter-error.js';
import { GOOGLE_ADS_API_VERSION, type GoogleAdsConnection } from './google-ads-api.js';
import { mutateBudget, preflightBudget } from './google-ads-budget.js';
import { googleAdsManifest } from './google-ads-manifest.js';
import { type GoogleAdsStatus, mutateStatus, preflightStatus } from './google-ads-status.js';

/** Options of {@link createGoogleAdsAdapter}. */
export interface GoogleAdsAdapterOptions {
  /** The Google Ads account (customer id), digits only, e.g. `1234567890` (dashes are removed). */
  customerId: string;
  /** The developer token, sent as `developer-token` (https://developers.google.com/google-ads/api/docs/api-policy/developer-token). */
  developerToken: string;
  /**
   * An OAuth 2.0 access token with the `https://www.googleapis.com/auth/adwords` scope, sent as
   * `Authorization: Bearer` (https://developers.google.com/google-ads/api/docs/oauth/overview). Access tokens
   * expire (about an hour): whoever configures the gateway refreshes it.
   */
  accessToken: string;
  /** The manager account the account is reached through, sent as `login-customer-id` (digits). */
  loginCustomerId?: string;
  /** Default `https://googleads.googleapis.com`; tests and examples point it at a fake. */
  baseUrl?: string;
  /** Per-request timeout in milliseconds (default 10,000). */
  timeoutMs?: number;
  /**
   * Billable units in micros per currency where they are not one minor unit (Google Ads' `currency_constant`
   * `billable_unit_micros`: https://developers.google.com/google-ads/api/fields/latest/currency_constant).
   */
  billableUnitMicros?: Readonly<Record<string, number>>;
}

const digits = (value: string) => value.replace(/-/g, '');

/**
 * The Google Ads adapter, on the REST interface of the Google Ads API (`v26`,
 * https://developers.google.com/google-ads/api/rest/overview). It executes `set_campaign_budget` on a campaign's
 * budget (`campaignBudgets:mutate`, `amount_micros` for a daily budget, `total_amount_micros` for a total budget
 * over a custom period) and `pause_campaign` / `resume_campaign` (`campaigns:mutate` or, at `level: 'ad_set'`,
 * `adGroups:mutate`, with `status` PAUSED / ENABLED), with a preflight that reads the campaign and sends the mutate with `validateOnly`.
 * Every execution reads the budget first: a budget other than the plan's `currentBudget` is refused (`CONFLICT`)
 * before anything changes, and the budget read is kept in `receipt.reversal`, which `reverse` restores.
 */
export function createGoogleAdsAdapter(options: GoogleAdsAdapterOptions): AutomationAdapter {
  for (const [name, value] of Object.entries({
    customerId: options.customerId,
    developerToken: options.developerToken,
    accessToken: options.accessToken,
  })) {
    if (value.length === 0) throw new TypeError(`Google Ads ${name} is required`);
  }
  if (!/^\d+$/.test(digits(options.customerId)))
    throw new TypeError('Google Ads customerId must be digits (e.g. 123-456-7890)');
  const connection: GoogleAdsConnection = {
    baseUrl: (options.baseUrl ?? 'https://googleads.googleapis.com').replace(/\/+$/, ''),
    customerId: digits(options.customerId),
    developerToken: options.developerToken,
    accessToken: options.accessToken,
    ...(options.loginCustomerId ? { loginCustomerId: digits(options.loginCustomerId) } : {}),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
  const units = options.billableUnitMicros ?? {};
  const manifest: AdapterManifest = googleAdsManifest(units);

  const validate = (action: Action): AdapterValidation => {
    if (!manifest.actionTypes.includes(action.type)) {
      const message = `Google Ads executes ${manifest.actionTypes.join(', ')}`;
      return { ok: false, issues: [{ path: '/type', code: 'UNSUPPORTED_ACTION', message }] };
    }
    const params = action.params as { campaignId: string; level?: string };
    if (!/^\d+$/.test(params.campaignId)) {
      const message = 'A Google Ads campaign id is digits (campaign.id)';
      return { ok: false, issues: [{ path: '/params/campaignId', code: 'INVALID_ID', message }] };
    }
    if (action.type === 'set_campaign_budget' && params.level === 'ad_set') {
      const message = 'Google Ads budgets belong to campaigns; ad groups have none';
      return {
        ok: false,
        issues: [{ path: '/params/level', code: 'UNSUPPORTED_ACTION', message }],
      };
    }
    return { ok: true };
  };

  const ensureValid = (action: Action) => ensureValidAction('Google Ads', validate(action));

  async function setBudget(
    action: ActionOf<'set_campaign_budget'>,
    ctx: ExecuteContext,
  ): Promise<ExecuteReceipt> {
    if (ctx.signal.aborted) throw new AdapterError('ABORTED', 'Aborted before sending');
    const { row, result } = await preflightBudget(connection, ctx, action, units, false);
    const refused = preflightError('Google Ads', result);
    if (refused) throw refused;
    const reversal = {
      kind: 'budget',
      // Already applied (a retry whose answer was lost): the budget before was the plan's `currentBudget`.
      previousBudget:
        result.ok && result.alreadyApplied ? action.params.currentBudget : row.budget.amount,
      budgetType: row.budget.budgetType,
    };
    const details = {
      campaignId: action.params.campaignId,
      budgetType: action.params.budgetType,
      budgetMinor: action.params.newBudget.amountMinor,
      currency: action.params.newBudget.currency,
      apiVersion: GOOGLE_ADS_API_VERSION,
    };
    if (result.ok && result.alreadyApplied) {
      return {
        status: 'succeeded',
        platformRef: row.budgetResourceName,
        details: { ...details, alreadyApplied: true },
        reversal,
      };
    }
    const platformRef = await mutateBudget(connection, ctx, row, action);
    return { status: 'succeeded', platformRef, details, reversal };
  }

  /** Pauses or resumes (`target`) a campaign or, with `level: 'ad_set'`, an ad group; keeps the status before. */
  async function setStatus(
    action: ActionOf<'pause_campaign' | 'resume_campaign'>,
    target: GoogleAdsStatus,
    ctx: ExecuteContext,
  ): Promise<ExecuteReceipt> {
    if (ctx.signal.aborted) throw new AdapterError('ABORTED', 'Aborted before sending');
    const level = action.params.level ?? 'campaign';
    const id = action.params.campaignId;
    const { status, result } = await preflightStatus(connection, ctx, level, id, target);
    const refused = preflightError('Google Ads', result);
    if (refused) throw refused;
    const reversal = { kind: 'status', previousStatus: status, level };
    const details = { campaignId: id, level, status: target };
    if (result.ok && result.alreadyApplied) {
      return { status: 'succeeded', details: { ...details, alreadyApplied: true }, reversal };
    }
    const platformRef = await mutateStatus(connection, ctx, level, id, target);
    return { status: 'succeeded', platformRef, details, reversal };
  }

  return {
    manifest,
    validate,
    async preflight(action, ctx) {
      ensureValid(action);
      if (action.type === 'set_campaign_budget')
        return (await preflightBudget(connection, ctx, action, units, true)).result;
      if (action.type === 'pause_campaign' || action.type === 'resume_campaign') {
        const level = action.params.level ?? 'campaign';
        const target = action.type === 'pause_campaign' ? 'PAUSED' : 'ENABLED';
        const id = action.params.campaignId;
        return (await preflightStatus(connection, ctx, level, id, target)).result;
      }
      throw new AdapterError(
        'UNSUPPORTED_ACTION',
        `Google Ads has no preflight for ${action.type}`,
      );
    },
    ...adExecuteAndReverse({
      platform: 'Google Ads',
      statuses: { active: 'ENABLED', paused: 'PAUSED' },
      validate,
      setBudget,
      setStatus,
    }),
  };
}
