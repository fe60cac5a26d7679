import type { AutomationAdapter } from '../adapter.js';
import { AdapterError } from '../adapter-error.js';
import {
  addToList,
  EnrollmentProgress,
  enrollInWorkflow,
  type HubSpotEnv,
  sendTransactional,
  unenrollFromWorkflow,
  upsertContacts,
} from './hubspot-actions.js';
import { type HubSpotTier, hubspotManifest } from './hubspot-manifest.js';
import { validateHubSpotAction } from './hubspot-validate.js';

/** Options of {@link createHubSpotAdapter}. */
export interface HubSpotAdapterOptions {
  /**
   * A private-app access token, sent as `Authorization: Bearer {token}`
   * (https://developers.hubspot.com/docs/apps/legacy-apps/private-apps/overview). It needs the scopes of the
   * actions used: `automation`, `crm.lists.write`, `crm.objects.contacts.read` / `.write`, `marketing-email`.
   */
  accessToken: string;
  /** Default `https://api.hubapi.com`; tests and examples point it at a fake. */
  baseUrl?: string;
  /** Per-request timeout in milliseconds (default 10,000, as the HTTP helper). */
  timeoutMs?: number;
  /**
   * `add_to_list` takes record ids. With `resolveByEmail` (default true), contacts named only by email are looked
   * up with a batch read by email first; with false, every contact must carry its record id as `externalId`.
   */
  lists?: { resolveByEmail?: boolean };
  /** The account's subscription, for the manifest's rate limits (default `free_starter`, the lowest). */
  tier?: HubSpotTier;
  /** API limit increases bought (0 to 2): burst 250 per 10 s and 1,000,000 more requests a day each. */
  apiLimitIncreases?: 0 | 1 | 2;
  /** The account's time zone (IANA), where HubSpot's daily limit resets at midnight (default `UTC`). */
  accountTimeZone?: string;
}

/**
 * The HubSpot automation adapter. It executes, per HubSpot's documented API (cited in the manifest's `docs`):
 * - `enroll_in_workflow`: `POST /automation/v2/workflows/{workflowId}/enrollments/contacts/{email}`, one request
 *   per contact, in order, stopping at the first failure (a retry with the same key resumes there);
 * - `add_to_list`: `PUT /crm/v3/lists/{listId}/memberships/add` (record ids; emails looked up via
 *   `POST /crm/v3/objects/contacts/batch/read` when needed);
 * - `upsert_contacts`: `POST /crm/v3/objects/contacts/batch/upsert` by email, at most 100 contacts;
 * - `send_transactional`: `POST /marketing/v4/email/single-send` with `sendId` = the idempotency key.
 * It reverses (`reverse`, a rollback's compensation) `enroll_in_workflow` by unenrolling the same contacts:
 * `DELETE /automation/v2/workflows/{workflowId}/enrollments/contacts/{email}`; nothing needs capturing at dispatch.
 * Errors follow `hubspotErrorFromResponse` (hubspot-errors.ts); an action failing `validate` is refused `UNSUPPORTED_ACTION`
 * before anything is sent.
 */
export function createHubSpotAdapter(options: HubSpotAdapterOptions): AutomationAdapter {
  if (options.accessToken.length === 0) throw new TypeError('HubSpot accessToken is required');
  const accountTimeZone = options.accountTimeZone ?? 'UTC';
  // Throws a RangeError now, rather than on the first daily 429, when the time zone is not a valid IANA name.
  new Intl.DateTimeFormat('en-US', { timeZone: accountTimeZone });
  const resolveByEmail = options.lists?.resolveByEmail ?? true;
  const env: HubSpotEnv = {
    connection: {
      baseUrl: (options.baseUrl ?? 'https://api.hubapi.com').replace(/\/+$/, ''),
      accessToken: options.accessToken,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    },
    accountTimeZone,
    progress: new EnrollmentProgress(),
  };
  const manifest = hubspotManifest(options.tier, options.apiLimitIncreases);
  const validate: AutomationAdapter['validate'] = (action) =>
    validateHubSpotAction(action, { resolveByEmail });

  return {
    manifest,
    validate,
    async execute(action, ctx) {
      const validation = validate(action);
      if (!validation.ok) {
        const summary = validation.issues.map((i) => `${i.path} ${i.code}: ${i.message}`);
        throw new AdapterError(
          'UNSUPPORTED_ACTION',
          `HubSpot cannot run this action: ${summary.join('; ')}`,
        );
      }
      switch (action.type) {
        case 'enroll_in_workflow':
          return enrollInWorkflow(env, action, ctx);
        case 'add_to_list':
          return addToList(env, action, ctx);
        case 'upsert_contacts':
          return upsertContacts(env, action, ctx);
        case 'send_transactional':
          return sendTransactional(env, action, ctx);
        default:
          throw new AdapterError('UNSUPPORTED_ACTION', `HubSpot does not execute ${action.type}`);
      }
    },
    async reverse(action, _reversal, ctx) {
      if (action.type !== 'enroll_in_workflow' || !validate(action).ok) {
        throw new AdapterError('UNSUPPORTED_ACTION', `HubSpot does not reverse ${action.type}`);
      }
      return unenrollFromWorkflow(env, action, ctx);
    },
  };
}
