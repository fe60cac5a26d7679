import type { Action, ActionOf } from '@handoff/protocol';
import type {
  AdapterManifest,
  AutomationAdapter,
  ExecuteContext,
  ExecuteReceipt,
} from '../adapter.js';
import { AdapterError } from '../adapter-error.js';
import { type PlatformResponse, sendPlatformRequest } from '../http.js';
import { BRAZE_DOCS, BRAZE_LIMITS, BRAZE_PATHS, brazeError } from './braze-api.js';
import {
  attributeBatches,
  campaignBroadcastBody,
  canvasBatches,
  eventBody,
  scheduleCreateBody,
} from './braze-payloads.js';
import { brazeReceipt, partialFailure, scheduleRef, scheduleTimeError } from './braze-receipts.js';
import { BRAZE_ACTION_TYPES, validateBrazeAction } from './braze-validate.js';

/** How to reach one Braze workspace. */
export interface BrazeAdapterOptions {
  /**
   * The workspace's instance REST endpoint, e.g. `https://rest.iad-01.braze.com` or `https://rest.fra-01.braze.eu`
   * (https://www.braze.com/docs/api/basics/#endpoints).
   */
  restEndpoint: string;
  /** A REST API key with `campaigns.trigger.send`, `canvas.trigger.send`, `campaigns.trigger.schedule.*` and `users.track`. */
  apiKey: string;
  /** Per-request timeout in milliseconds. Default 10,000. */
  timeoutMs?: number;
  /**
   * Attribute objects per `/users/track` request, 1-75. Default 75 (Braze's documented maximum); workspaces on
   * "Monthly Active Users CY 24-25" pricing are limited to 50 objects per request
   * (https://www.braze.com/docs/api/endpoints/user_data/post_user_track/).
   */
  usersTrackBatchSize?: number;
}

/**
 * What the Braze adapter declares. Braze's trigger sends and `/users/track` offer no idempotency key (`send_id` is an
 * analytics id, and "duplicate" events are ingested as separate events), so `idempotency` is `none`: a request whose
 * fate is unknown is `IN_DOUBT`, never resent. Rate limits: https://www.braze.com/docs/api/api_limits/.
 */
export const BRAZE_MANIFEST: AdapterManifest = {
  id: 'braze',
  platform: 'Braze',
  actionTypes: BRAZE_ACTION_TYPES,
  idempotency: 'none',
  supportsDryRun: false,
  supportsStatus: false,
  supportsCancel: true,
  reversibleActionTypes: ['schedule_message'],
  rateLimits: [
    {
      requests: 250_000,
      perMs: 3_600_000,
      scope: 'endpoint',
      endpoint:
        '/campaigns/trigger/send + /canvas/trigger/send + /messages/send (recipient sends, shared)',
      source: BRAZE_DOCS.rateLimits,
    },
    {
      requests: 250,
      perMs: 60_000,
      scope: 'endpoint',
      endpoint: '/campaigns/trigger/send (broadcast calls)',
      source: BRAZE_DOCS.rateLimits,
    },
    {
      requests: 250_000,
      perMs: 3_600_000,
      scope: 'endpoint',
      endpoint: '/campaigns/trigger/schedule/create + /campaigns/trigger/schedule/delete (shared)',
      source: BRAZE_DOCS.rateLimits,
    },
    {
      requests: 3_000,
      perMs: 3_000,
      scope: 'endpoint',
      endpoint: '/users/track',
      source: BRAZE_DOCS.rateLimits,
    },
  ],
  docs: Object.values(BRAZE_DOCS),
};

type SendContext = Pick<ExecuteContext, 'fetch' | 'signal' | 'now'>;

/**
 * The Braze adapter:
 * - `trigger_broadcast` -> `POST /campaigns/trigger/send` with `broadcast: true` (the campaign's own segment),
 *   `data` as `trigger_properties`;
 * - `enroll_in_workflow` -> `POST /canvas/trigger/send` (`workflowId` is the `canvas_id`), contacts as recipients by
 *   `external_user_id`, 50 per request (Braze's documented maximum), so one action may take several requests;
 * - `schedule_message` -> `POST /campaigns/trigger/schedule/create` (`schedule.time` = `sendAt`, at most 50
 *   recipients); `cancel` deletes the schedule, and so does `reverse` (a rollback, before `sendAt`); Braze offers
 *   no status of one schedule;
 * - `track_event` and `upsert_contacts` -> `POST /users/track` (attributes 75 per request).
 *
 * Answers: 2xx `{ "message": "success" }` is `accepted` (Braze queues the work); non-fatal `errors` in it are listed in
 * the receipt's `details.nonFatalErrors`, never dropped; fatal bodies map to {@link AdapterError}s (a 429 waits until
 * `X-RateLimit-Reset`). Partial failure of a batched action: when a request fails after earlier ones were accepted,
 * the action is partly applied and cannot be retried without repeating them, so the adapter throws a non-retryable
 * `IN_DOUBT` naming what was accepted, for an operator to reconcile; a failure of the first request keeps its own
 * code (nothing was applied, or its fate is unknown).
 *
 * @throws TypeError when `restEndpoint` is not a URL (only its origin is used); RangeError when `usersTrackBatchSize`
 *   is not an integer from 1 to 75.
 */
export function createBrazeAdapter(options: BrazeAdapterOptions): AutomationAdapter {
  const base = new URL(options.restEndpoint).origin;
  const batchSize = options.usersTrackBatchSize ?? BRAZE_LIMITS.usersTrackObjectsPerRequest;
  if (
    !Number.isInteger(batchSize) ||
    batchSize < 1 ||
    batchSize > BRAZE_LIMITS.usersTrackObjectsPerRequest
  ) {
    throw new RangeError(`usersTrackBatchSize must be an integer from 1 to 75, not ${batchSize}`);
  }
  const headers = {
    authorization: `Bearer ${options.apiKey}`,
    'content-type': 'application/json',
    accept: 'application/json',
  };

  async function post(
    path: string,
    body: unknown,
    ctx: SendContext,
    deduped = false,
  ): Promise<PlatformResponse> {
    const response = await sendPlatformRequest(ctx, {
      method: 'POST',
      url: `${base}${path}`,
      headers,
      body,
      deduped,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    if (response.status < 200 || response.status >= 300) throw brazeError(response, ctx.now());
    return response;
  }

  /** Sends `bodies` in order; stops at the first failure (see partial failure above). */
  async function sendAll(path: string, bodies: unknown[], ctx: SendContext): Promise<unknown[]> {
    const answers: unknown[] = [];
    for (const body of bodies) {
      try {
        answers.push((await post(path, body, ctx)).body);
      } catch (error) {
        if (answers.length === 0 || !(error instanceof AdapterError)) throw error;
        throw partialFailure(error, answers, bodies.length);
      }
    }
    return answers;
  }

  async function schedule(
    action: ActionOf<'schedule_message'>,
    ctx: ExecuteContext,
  ): Promise<ExecuteReceipt> {
    const refused = scheduleTimeError(action.params.sendAt, ctx.now());
    if (refused) throw refused;
    const [answer] = await sendAll(BRAZE_PATHS.scheduleCreate, [scheduleCreateBody(action)], ctx);
    const ref = scheduleRef(action.params.campaignId, answer);
    const receipt = brazeReceipt([answer], {
      sendAt: action.params.sendAt,
      ...(ref === undefined ? {} : { scheduleId: ref.scheduleId }),
    });
    // What a rollback needs to cancel it before its send time: the schedule's id.
    return ref === undefined
      ? receipt
      : { ...receipt, platformRef: ref.platformRef, reversal: { scheduledId: ref.scheduleId } };
  }

  async function deleteSchedule(campaignId: string, scheduleId: string, ctx: SendContext) {
    await post(
      BRAZE_PATHS.scheduleDelete,
      { campaign_id: campaignId, schedule_id: scheduleId },
      ctx,
      true,
    );
  }

  return {
    manifest: BRAZE_MANIFEST,
    validate: validateBrazeAction,
    async execute(action: Action, ctx: ExecuteContext): Promise<ExecuteReceipt> {
      const validation = validateBrazeAction(action);
      if (!validation.ok) {
        const summary = validation.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
        throw new AdapterError(
          'UNSUPPORTED_ACTION',
          `Braze cannot execute this action: ${summary}`,
        );
      }
      switch (action.type) {
        case 'trigger_broadcast': {
          const answers = await sendAll(
            BRAZE_PATHS.campaignTriggerSend,
            [campaignBroadcastBody(action)],
            ctx,
          );
          return brazeReceipt(answers, { broadcast: true });
        }
        case 'enroll_in_workflow': {
          const answers = await sendAll(BRAZE_PATHS.canvasTriggerSend, canvasBatches(action), ctx);
          return brazeReceipt(answers, { recipients: action.params.contacts.length });
        }
        case 'schedule_message':
          return schedule(action, ctx);
        case 'track_event': {
          const body = eventBody(action, ctx.now());
          return brazeReceipt(await sendAll(BRAZE_PATHS.usersTrack, [body], ctx), {});
        }
        case 'upsert_contacts': {
          const answers = await sendAll(
            BRAZE_PATHS.usersTrack,
            attributeBatches(action, batchSize),
            ctx,
          );
          return brazeReceipt(answers, { contacts: action.params.contacts.length });
        }
        default:
          throw new AdapterError('UNSUPPORTED_ACTION', `Braze does not execute ${action.type}`);
      }
    },
    /**
     * Deletes a schedule (`platformRef` = `<campaign_id>/<schedule_id>` from `schedule_message`). Braze applies
     * deletions close to the send time "with best efforts" (all, some or none of the users may still get it). A
     * deletion cannot apply twice, so a timeout here is a retryable `TIMEOUT`, not `IN_DOUBT`.
     */
    async cancel(platformRef, ctx): Promise<void> {
      const slash = platformRef.indexOf('/');
      if (slash <= 0 || slash === platformRef.length - 1) {
        throw new AdapterError(
          'INVALID_REQUEST',
          `Not a Braze schedule reference (campaign_id/schedule_id): ${platformRef}`,
        );
      }
      await deleteSchedule(platformRef.slice(0, slash), platformRef.slice(slash + 1), ctx);
    },
    /**
     * Reverses a `schedule_message` (a rollback's compensation) by deleting its schedule
     * (`POST /campaigns/trigger/schedule/delete` with the `scheduledId` captured at dispatch), which only helps
     * before its send time: at or after `sendAt` it is refused `CONFLICT` and nothing is sent.
     */
    async reverse(action, reversal, ctx): Promise<ExecuteReceipt> {
      const scheduleId = reversal.scheduledId;
      if (action.type !== 'schedule_message' || typeof scheduleId !== 'string') {
        throw new AdapterError('UNSUPPORTED_ACTION', `Braze does not reverse ${action.type}`);
      }
      if (Date.parse(action.params.sendAt) <= ctx.now()) {
        throw new AdapterError('CONFLICT', `The message was due at ${action.params.sendAt}`);
      }
      await deleteSchedule(action.params.campaignId, scheduleId, ctx);
      return { status: 'succeeded', details: { scheduleId } };
    },
  };
}
