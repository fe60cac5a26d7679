import type { ActionOf, ContactRecord, ContactRef } from '@handoff/protocol';
import { BRAZE_LIMITS, chunk } from './braze-api.js';

/**
 * One recipient of a trigger send or schedule: Braze's recipients object with an `external_user_id`
 * (https://www.braze.com/docs/api/objects_filters/recipient_object/). `send_to_existing_only` keeps its documented
 * default (`true`): Braze does not create users on a send.
 */
export interface BrazeRecipient {
  external_user_id: string;
}

/** Body of `POST /campaigns/trigger/send` (https://www.braze.com/docs/api/endpoints/messaging/send_messages/post_send_triggered_campaigns/). */
export interface CampaignTriggerSendBody {
  campaign_id: string;
  /** `true` sends to the whole segment the campaign targets; then `recipients` must be omitted. */
  broadcast: boolean;
  trigger_properties?: Record<string, unknown>;
  recipients?: BrazeRecipient[];
}

/** Body of `POST /canvas/trigger/send` (https://www.braze.com/docs/api/endpoints/messaging/send_messages/post_send_triggered_canvases/). */
export interface CanvasTriggerSendBody {
  canvas_id: string;
  broadcast: false;
  recipients: BrazeRecipient[];
}

/** Body of `POST /campaigns/trigger/schedule/create` (https://www.braze.com/docs/api/endpoints/messaging/schedule_messages/post_schedule_triggered_campaigns/). */
export interface ScheduleCreateBody {
  campaign_id: string;
  broadcast: false;
  recipients: BrazeRecipient[];
  trigger_properties?: Record<string, unknown>;
  /** `time`: ISO 8601, at most 90 days ahead. */
  schedule: { time: string };
}

/** Body of `POST /users/track` (https://www.braze.com/docs/api/endpoints/user_data/post_user_track/). */
export interface UsersTrackBody {
  attributes?: Record<string, unknown>[];
  events?: Record<string, unknown>[];
}

/** The user identifier fields `/users/track` accepts from a contact: `external_id`, else `email`, else `phone`. */
function userIdentifiers(contact: ContactRef | ContactRecord): Record<string, string> {
  return {
    ...(contact.externalId === undefined ? {} : { external_id: contact.externalId }),
    ...(contact.email === undefined ? {} : { email: contact.email }),
    ...(contact.phone === undefined ? {} : { phone: contact.phone }),
  };
}

/** Recipients by `external_user_id` (the adapter's validation requires every contact to carry an `externalId`). */
export function toRecipients(contacts: readonly ContactRef[]): BrazeRecipient[] {
  return contacts.flatMap((contact) =>
    contact.externalId === undefined ? [] : [{ external_user_id: contact.externalId }],
  );
}

/** `trigger_broadcast`: a broadcast to the segment the campaign targets in the Braze dashboard. */
export function campaignBroadcastBody(
  action: ActionOf<'trigger_broadcast'>,
): CampaignTriggerSendBody {
  return {
    campaign_id: action.params.broadcastId,
    broadcast: true,
    ...(action.params.data === undefined ? {} : { trigger_properties: action.params.data }),
  };
}

/** `enroll_in_workflow`: one Canvas trigger send per 50 recipients, in the order of the action's contacts. */
export function canvasBatches(action: ActionOf<'enroll_in_workflow'>): CanvasTriggerSendBody[] {
  return chunk(toRecipients(action.params.contacts), BRAZE_LIMITS.recipientsPerRequest).map(
    (recipients) => ({ canvas_id: action.params.workflowId, broadcast: false, recipients }),
  );
}

/** `schedule_message`: one schedule for the named recipients (validation caps them at 50). */
export function scheduleCreateBody(action: ActionOf<'schedule_message'>): ScheduleCreateBody {
  return {
    campaign_id: action.params.campaignId,
    broadcast: false,
    recipients: toRecipients(action.params.recipients ?? []),
    ...(action.params.data === undefined ? {} : { trigger_properties: action.params.data }),
    schedule: { time: action.params.sendAt },
  };
}

/**
 * `track_event`: one event object (https://www.braze.com/docs/api/objects_filters/event_object/); `time` is required
 * by Braze, so an action without `occurredAt` is stamped with the dispatcher's clock.
 */
export function eventBody(action: ActionOf<'track_event'>, nowMs: number): UsersTrackBody {
  const { contact, name, properties, occurredAt } = action.params;
  return {
    events: [
      {
        ...userIdentifiers(contact),
        name,
        time: occurredAt ?? new Date(nowMs).toISOString(),
        ...(properties === undefined ? {} : { properties }),
      },
    ],
  };
}

/**
 * `upsert_contacts`: attribute objects (https://www.braze.com/docs/api/objects_filters/user_attributes_object/),
 * `batchSize` (at most 75) per request. Identifiers are written after the properties, so a property can never
 * replace them (validation refuses such properties anyway).
 */
export function attributeBatches(
  action: ActionOf<'upsert_contacts'>,
  batchSize: number,
): UsersTrackBody[] {
  const attributes = action.params.contacts.map((contact) => ({
    ...contact.properties,
    ...userIdentifiers(contact),
  }));
  return chunk(attributes, batchSize).map((batch) => ({ attributes: batch }));
}

/** Property names that identify a Braze user in an attributes object, refused as plain properties. */
export const RESERVED_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set([
  'external_id',
  'user_alias',
  'braze_id',
  'email',
  'phone',
  '_update_existing_only',
]);
