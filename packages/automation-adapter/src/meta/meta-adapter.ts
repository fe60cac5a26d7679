import type { Action, ActionOf } from '@handoff/protocol';
import { adExecuteAndReverse, ensureValidAction } from '../ad-adapter-core.js';
import { checkStatusChange, preflightError } from '../ad-budget.js';
import type {
  AdapterValidation,
  AutomationAdapter,
  ExecuteContext,
  ExecuteReceipt,
} from '../adapter.js';
import { AdapterError } from '../adapter-error.js';
import { toPlatformAmount } from '../platform-money.js';
import { META_API_VERSION, type MetaConnection } from './meta-api.js';
import { metaManifest } from './meta-manifest.js';
import {
  checkMetaBudget,
  readMetaObject,
  readMinimumDaily,
  updateMetaObject,
} from './meta-objects.js';

/** Options of {@link createMetaAdapter}. */
export interface MetaAdapterOptions {
  /**
   * A system-user access token with the `ads_management` permission, sent as `Authorization: Bearer`
   * (https://developers.facebook.com/docs/marketing-api/get-started/authorization).
   */
  accessToken: string;
  /** The ad account, e.g. `act_1234567890` or `1234567890`. */
  adAccountId: string;
  /** Default `https://graph.facebook.com`; tests and examples point it at a fake. */
  baseUrl?: string;
  /** Per-request timeout in milliseconds (default 10,000). */
  timeoutMs?: number;
}

/** Statuses after which a campaign's or ad set's status cannot change. */
const ENDED = ['DELETED', 'ARCHIVED'];

/**
 * The Meta Marketing API adapter (Graph API `v24.0`). It executes `set_campaign_budget` on a campaign's (Advantage
 * campaign budget) or, with `level: 'ad_set'`, an ad set's `daily_budget` / `lifetime_budget`, in the account
 * currency's offset units (`metaOffset`), and `pause_campaign` / `resume_campaign` (`status` PAUSED / ACTIVE).
 * Every execution reads the object first: a budget other than the plan's `currentBudget` is refused (`CONFLICT`)
 * before anything changes, and what was read is kept in `receipt.reversal` for `reverse`. The preflight adds the
 * account's minimum daily budget (`minimum_budgets`). Errors map by Graph error code (`metaErrorCode`), waits by
 * the throttling headers (`metaRetryAfterMs`).
 */
export function createMetaAdapter(options: MetaAdapterOptions): AutomationAdapter {
  if (options.accessToken.length === 0) throw new TypeError('Meta accessToken is required');
  const adAccountId = options.adAccountId.replace(/^act_/, '');
  if (!/^\d+$/.test(adAccountId)) throw new TypeError('Meta adAccountId must be act_ and digits');
  const connection: MetaConnection = {
    baseUrl: (options.baseUrl ?? 'https://graph.facebook.com').replace(/\/+$/, ''),
    accessToken: options.accessToken,
    adAccountId,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
  const manifest = metaManifest();

  const validate = (action: Action): AdapterValidation => {
    if (!manifest.actionTypes.includes(action.type)) {
      const message = `Meta executes ${manifest.actionTypes.join(', ')}`;
      return { ok: false, issues: [{ path: '/type', code: 'UNSUPPORTED_ACTION', message }] };
    }
    if (!/^\d+$/.test((action.params as { campaignId: string }).campaignId)) {
      const message = 'A Meta campaign or ad set id is digits';
      return { ok: false, issues: [{ path: '/params/campaignId', code: 'INVALID_ID', message }] };
    }
    return { ok: true };
  };
  const ensureValid = (action: Action) => ensureValidAction('Meta', validate(action));

  async function setBudget(
    action: ActionOf<'set_campaign_budget'>,
    ctx: ExecuteContext,
  ): Promise<ExecuteReceipt> {
    if (ctx.signal.aborted) throw new AdapterError('ABORTED', 'Aborted before sending');
    const { campaignId, budgetType, newBudget, currentBudget } = action.params;
    const object = await readMetaObject(connection, ctx, campaignId);
    const result = checkMetaBudget(action, object, undefined);
    const refused = preflightError('Meta', result);
    if (refused) throw refused;
    const reversal = {
      kind: 'budget',
      previousBudget: result.ok && result.alreadyApplied ? currentBudget : object.budget?.amount,
      budgetType,
    };
    const level = action.params.level ?? 'campaign';
    const details = {
      campaignId,
      level,
      budgetType,
      budgetMinor: newBudget.amountMinor,
      currency: newBudget.currency,
      apiVersion: META_API_VERSION,
    };
    if (result.ok && result.alreadyApplied)
      return {
        status: 'succeeded',
        platformRef: campaignId,
        details: { ...details, alreadyApplied: true },
        reversal,
      };
    const field = budgetType === 'daily' ? 'daily_budget' : 'lifetime_budget';
    const amount = String(toPlatformAmount(newBudget, 'meta_offset'));
    await updateMetaObject(connection, ctx, campaignId, { [field]: amount });
    return { status: 'succeeded', platformRef: campaignId, details, reversal };
  }

  async function setStatus(
    action: ActionOf<'pause_campaign' | 'resume_campaign'>,
    target: 'ACTIVE' | 'PAUSED',
    ctx: ExecuteContext,
  ): Promise<ExecuteReceipt> {
    if (ctx.signal.aborted) throw new AdapterError('ABORTED', 'Aborted before sending');
    const level = action.params.level ?? 'campaign';
    const id = action.params.campaignId;
    const object = await readMetaObject(connection, ctx, id);
    const result = checkStatusChange(object.status, target, ENDED, { level, id });
    const refused = preflightError('Meta', result);
    if (refused) throw refused;
    const reversal = { kind: 'status', previousStatus: object.status, level };
    const details = { campaignId: id, level, status: target };
    if (result.ok && result.alreadyApplied)
      return {
        status: 'succeeded',
        platformRef: id,
        details: { ...details, alreadyApplied: true },
        reversal,
      };
    await updateMetaObject(connection, ctx, id, { status: target });
    return { status: 'succeeded', platformRef: id, details, reversal };
  }

  return {
    manifest,
    validate,
    async preflight(action, ctx) {
      ensureValid(action);
      if (action.type === 'set_campaign_budget') {
        const object = await readMetaObject(connection, ctx, action.params.campaignId);
        const minimum = await readMinimumDaily(connection, ctx, object.currency);
        return checkMetaBudget(action, object, minimum);
      }
      if (action.type === 'pause_campaign' || action.type === 'resume_campaign') {
        const { campaignId: id, level = 'campaign' } = action.params;
        const object = await readMetaObject(connection, ctx, id);
        const target = action.type === 'pause_campaign' ? 'PAUSED' : 'ACTIVE';
        return checkStatusChange(object.status, target, ENDED, { level, id });
      }
      throw new AdapterError('UNSUPPORTED_ACTION', `Meta has no preflight for ${action.type}`);
    },
    ...adExecuteAndReverse({
      platform: 'Meta',
      statuses: { active: 'ACTIVE', paused: 'PAUSED' },
      validate,
      setBudget,
      setStatus,
    }),
  };
}
