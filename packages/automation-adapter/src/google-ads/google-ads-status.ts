import { checkStatusChange } from '../ad-budget.js';
import type { ExecuteContext, PreflightResult } from '../adapter.js';
import { AdapterError } from '../adapter-error.js';
import { type GoogleAdsConnection, googleAdsPost } from './google-ads-api.js';

type Ctx = Pick<ExecuteContext, 'fetch' | 'signal' | 'now'>;

/** Where a pause or resume applies: a campaign, or one ad group (Google Ads' counterpart of an ad set). */
export type GoogleAdsLevel = 'campaign' | 'ad_set';

/** `ENABLED` or `PAUSED`: the two statuses a pause/resume moves between (CampaignStatus, AdGroupStatus). */
export type GoogleAdsStatus = 'ENABLED' | 'PAUSED';

const RESOURCE = {
  campaign: { gaql: 'campaign', json: 'campaign', service: 'campaigns', path: 'campaigns' },
  ad_set: { gaql: 'ad_group', json: 'adGroup', service: 'adGroups', path: 'adGroups' },
} as const;

/**
 * Reads the status of a campaign or ad group with `googleAds:search` (a read: safely retried).
 * @throws AdapterError `NOT_FOUND` when none has this id, or whatever the request throws.
 */
export async function readStatus(
  c: GoogleAdsConnection,
  ctx: Ctx,
  level: GoogleAdsLevel,
  id: string,
): Promise<string> {
  const r = RESOURCE[level];
  const query = `SELECT ${r.gaql}.id, ${r.gaql}.status FROM ${r.gaql} WHERE ${r.gaql}.id = ${id}`;
  const body = (await googleAdsPost(c, ctx, 'googleAds:search', { query }, true)) as {
    results?: Record<string, { status?: string } | undefined>[];
  };
  const status = body?.results?.[0]?.[r.json]?.status;
  if (!status) throw new AdapterError('NOT_FOUND', `Google Ads has no ${r.gaql} ${id}`);
  return status;
}

/**
 * The preflight of a pause or resume: the current status, `alreadyApplied` when it already is the target, and a
 * `CONFLICT` when the campaign or ad group was removed (a removed one cannot be enabled or paused again).
 */
export async function preflightStatus(
  c: GoogleAdsConnection,
  ctx: Ctx,
  level: GoogleAdsLevel,
  id: string,
  target: GoogleAdsStatus,
): Promise<{ status: string; result: PreflightResult }> {
  const status = await readStatus(c, ctx, level, id);
  return { status, result: checkStatusChange(status, target, ['REMOVED'], { level, id }) };
}

/**
 * Sets a campaign's or ad group's status with `campaigns:mutate` / `adGroups:mutate` and `updateMask: status`
 * (https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers.campaigns/mutate). No
 * idempotency key: a lost answer is `IN_DOUBT` (setting the same status twice changes nothing at the platform).
 *
 * @returns the resource name changed.
 */
export async function mutateStatus(
  c: GoogleAdsConnection,
  ctx: Ctx,
  level: GoogleAdsLevel,
  id: string,
  status: GoogleAdsStatus,
): Promise<string> {
  const r = RESOURCE[level];
  const resourceName = `customers/${c.customerId}/${r.path}/${id}`;
  const body = (await googleAdsPost(
    c,
    ctx,
    `${r.service}:mutate`,
    { operations: [{ update: { resourceName, status }, updateMask: 'status' }] },
    false,
  )) as { results?: { resourceName?: string }[] };
  return body?.results?.[0]?.resourceName ?? resourceName;
}
