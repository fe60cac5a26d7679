import type { AdapterManifest, RateLimit } from '../adapter.js';

/**
 * The HubSpot documentation this adapter and its fake follow, one URL per contract they reproduce.
 * - `usage`: rate limits per tier, the 429 body (`errorType: 'RATE_LIMIT'`, `policyName`) and the
 *   `X-HubSpot-RateLimit-*` headers;
 * - `errors`: the common error body `{ status, message, correlationId, category, errors }`;
 * - `privateApps`: private-app access tokens sent as `Authorization: Bearer {token}`;
 * - `workflowEnroll` / `workflowEnrollLegacy`: `POST /automation/v2/workflows/{workflowId}/enrollments/contacts/{email}`
 *   (204, no body, on success);
 * - `listAdd`: `PUT /crm/v3/lists/{listId}/memberships/add` with a JSON array of record ids (missing records and
 *   records already in the list are ignored);
 * - `contactsBatchRead`: `POST /crm/v3/objects/contacts/batch/read` with `idProperty: 'email'`;
 * - `contactsBatchUpsert`: `POST /crm/v3/objects/contacts/batch/upsert` with `inputs[].idProperty` / `id`;
 * - `contactsGuide`: the contacts guide (batch endpoints, unique `email`);
 * - `singleSend` / `singleSendGuide`: `POST /marketing/v4/email/single-send`; "only one email with a given `sendId`
 *   will be sent per account".
 */
export const HUBSPOT_DOCS = {
  usage: 'https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines',
  limitsChangelog: 'https://developers.hubspot.com/changelog/increasing-our-api-limits',
  errors: 'https://developers.hubspot.com/docs/faq/api-error-responses',
  privateApps: 'https://developers.hubspot.com/docs/apps/legacy-apps/private-apps/overview',
  workflowEnroll:
    'https://developers.hubspot.com/docs/api-reference/legacy/create-manage-workflows-v2/post-automation-v2-workflows-workflowId-enrollments-contacts-email',
  workflowEnrollLegacy: 'https://developers.hubspot.com/docs/methods/workflows/add_contact',
  workflowUnenroll:
    'https://developers.hubspot.com/docs/api-reference/legacy/automation/workflows/v2/unenroll-contact',
  listAdd:
    'https://developers.hubspot.com/docs/api-reference/legacy/crm/lists/memberships/add-to-list',
  contactsBatchRead:
    'https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/get-contacts',
  contactsBatchUpsert:
    'https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/upsert-contacts',
  contactsGuide: 'https://developers.hubspot.com/docs/api/crm/contacts',
  singleSend:
    'https://developers.hubspot.com/docs/api-reference/marketing-single-send-v4/single-send/post-marketing-v4-email-single-send',
  singleSendGuide:
    'https://developers.hubspot.com/docs/api-reference/marketing-single-send-v4/guide',
} as const;

/** Most inputs HubSpot's CRM v3 batch endpoints take in one request (batch upsert, batch read). */
export const HUBSPOT_BATCH_LIMIT = 100;

/** The account's HubSpot subscription, which sets its API limits (usage guidelines, "Apps" table). */
export type HubSpotTier = 'free_starter' | 'professional' | 'enterprise';

const TIER_LIMITS: Readonly<Record<HubSpotTier, { burst: number; daily: number }>> = {
  free_starter: { burst: 100, daily: 250_000 },
  professional: { burst: 190, daily: 625_000 },
  enterprise: { burst: 190, daily: 1_000_000 },
};

/**
 * HubSpot's documented limits for a private app ({@link HUBSPOT_DOCS}.usage): a burst limit per 10 seconds per
 * app (100 on Free and Starter, 190 on Professional and Enterprise, 250 with an API limit increase) and a daily
 * limit per account (250,000 / 625,000 / 1,000,000, plus 1,000,000 per limit increase, at most two), reset at
 * midnight in the account's time zone.
 */
export function hubspotRateLimits(
  tier: HubSpotTier = 'free_starter',
  apiLimitIncreases: 0 | 1 | 2 = 0,
): RateLimit[] {
  const base = TIER_LIMITS[tier];
  return [
    {
      requests: apiLimitIncreases > 0 ? 250 : base.burst,
      perMs: 10_000,
      scope: 'account',
      source: HUBSPOT_DOCS.usage,
    },
    {
      requests: base.daily + apiLimitIncreases * 1_000_000,
      perMs: 86_400_000,
      scope: 'account',
      source: HUBSPOT_DOCS.usage,
    },
  ];
}

/**
 * The manifest of the HubSpot adapter. `idempotency` is `none` because HubSpot offers a key for only one of its
 * actions:
 * - `send_transactional`: the adapter sends `message.sendId` (from the action's idempotency key) and HubSpot sends
 *   at most one email per `sendId` per account, so a timeout there is retryable (`TIMEOUT`);
 * - `enroll_in_workflow`, `add_to_list`, `upsert_contacts`: no key. Adding to a list and upserting by email are
 *   repeat-safe by nature, and enrolment depends on the workflow's re-enrolment settings, but HubSpot dedupes none
 *   of them on a key, so a timeout or reset after sending is `IN_DOUBT`.
 * No dry-run mode exists in these APIs; `status` and `cancel` are not implemented. `enroll_in_workflow` is
 * reversible (unenrolment, `reverse`).
 */
export function hubspotManifest(
  tier: HubSpotTier = 'free_starter',
  apiLimitIncreases: 0 | 1 | 2 = 0,
): AdapterManifest {
  return {
    id: 'hubspot',
    platform: 'HubSpot',
    actionTypes: ['enroll_in_workflow', 'add_to_list', 'upsert_contacts', 'send_transactional'],
    idempotency: 'none',
    reversibleActionTypes: ['enroll_in_workflow'],
    supportsDryRun: false,
    supportsStatus: false,
    supportsCancel: false,
    rateLimits: hubspotRateLimits(tier, apiLimitIncreases),
    docs: Object.values(HUBSPOT_DOCS),
  };
}
