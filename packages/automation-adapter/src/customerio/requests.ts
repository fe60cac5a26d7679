import type { ActionOf, ContactRecord, ContactRef } from '@handoff/protocol';
import type { ErrorBodyReader } from '../http.js';
import { eventIdFromKey } from './ulid.js';

/** Customer.io data centre: `us` or `eu` (hosts suffixed `-eu`). */
export type CustomerIoRegion = 'us' | 'eu';

/** Base URLs of the two APIs an adapter calls. */
export interface CustomerIoBaseUrls {
  /** Track API, e.g. `https://track.customer.io`. */
  track: string;
  /** App API, e.g. `https://api.customer.io`. */
  app: string;
}

/**
 * The documented hosts per region: Track API `https://track.customer.io` / `https://track-eu.customer.io`
 * (https://docs.customer.io/integrations/api/track/), App API `https://api.customer.io` /
 * `https://api-eu.customer.io` (https://docs.customer.io/integrations/api/app/).
 */
export const CUSTOMERIO_BASE_URLS: Readonly<Record<CustomerIoRegion, CustomerIoBaseUrls>> = {
  us: { track: 'https://track.customer.io', app: 'https://api.customer.io' },
  eu: { track: 'https://track-eu.customer.io', app: 'https://api-eu.customer.io' },
};

/**
 * Track API auth: HTTP Basic with the Site ID as user name and the Track API key as password, base64 of
 * `site_id:api_key` (https://docs.customer.io/integrations/api/track/).
 */
export function trackAuthorization(siteId: string, trackApiKey: string): string {
  return `Basic ${Buffer.from(`${siteId}:${trackApiKey}`, 'utf8').toString('base64')}`;
}

/** App API auth: `Bearer` and the App API key (https://docs.customer.io/integrations/api/app/). */
export function appAuthorization(appApiKey: string): string {
  return `Bearer ${appApiKey}`;
}

/**
 * The identifier of a person in Track API paths: the contact's `externalId` (Customer.io `id`) when set, else its
 * email. Customer.io reads the kind from the value's shape; phone numbers cannot identify people in v1 paths
 * (https://docs.customer.io/integrations/api/track/tag/track-events/track/).
 */
export function personIdentifier(contact: ContactRef | ContactRecord): string | undefined {
  return contact.externalId ?? contact.email;
}

/** `/api/v1/customers/{identifier}`, the identifier percent-encoded. */
export function customerPath(identifier: string): string {
  return `/api/v1/customers/${encodeURIComponent(identifier)}`;
}

/**
 * Identify (PUT `/api/v1/customers/{identifier}`,
 * https://docs.customer.io/integrations/api/track/tag/track-customers/identify/): attributes at the top level of
 * the body; the contact's `email` and `phone` are sent as attributes after its properties.
 */
export function identifyBody(contact: ContactRecord): Record<string, unknown> {
  return {
    ...contact.properties,
    ...(contact.email === undefined ? {} : { email: contact.email }),
    ...(contact.phone === undefined ? {} : { phone: contact.phone }),
  };
}

/** The event's time in Unix milliseconds, from `occurredAt` (0 when absent: see {@link eventIdFromKey}). */
export function eventTimeMs(action: ActionOf<'track_event'>): number {
  return action.params.occurredAt === undefined ? 0 : Date.parse(action.params.occurredAt);
}

/**
 * Track event (POST `/api/v1/customers/{identifier}/events`,
 * https://docs.customer.io/integrations/api/track/tag/track-events/track/): `name`, the dedupe `id` (a ULID derived
 * from the idempotency key), `data` from the properties and `timestamp` (Unix seconds) from `occurredAt`.
 */
export function trackEventBody(
  action: ActionOf<'track_event'>,
  idempotencyKey: string,
): { id: string; name: string; data?: Record<string, unknown>; timestamp?: number } {
  const timeMs = eventTimeMs(action);
  return {
    name: action.params.name,
    id: eventIdFromKey(idempotencyKey, timeMs),
    ...(action.params.properties === undefined ? {} : { data: action.params.properties }),
    ...(action.params.occurredAt === undefined ? {} : { timestamp: Math.floor(timeMs / 1000) }),
  };
}

/**
 * Trigger an API-triggered broadcast (POST `/v1/campaigns/{broadcast_id}/triggers`,
 * https://docs.customer.io/integrations/api/app/tag/send-messages/triggerBroadcast/): the default audience set in
 * the UI, or, with `segmentId`, the custom recipients filter `{ segment: { id } }`; `data` feeds `{{trigger.*}}`.
 */
export function triggerBroadcastBody(
  action: ActionOf<'trigger_broadcast'>,
): Record<string, unknown> {
  const { segmentId, data } = action.params;
  return {
    ...(data === undefined ? {} : { data }),
    ...(segmentId === undefined ? {} : { recipients: { segment: { id: Number(segmentId) } } }),
  };
}

/**
 * Send a transactional email (POST `/v1/send/email`,
 * https://docs.customer.io/integrations/api/app/tag/send-messages/sendEmail/): `transactional_message_id` is the
 * template's numeric id, or its trigger name; `to` the contact's email; `identifiers` exactly one of `id` (the
 * externalId) or `email`; `message_data` feeds `{{message_data.*}}`.
 */
export function sendEmailBody(action: ActionOf<'send_transactional'>): Record<string, unknown> {
  const { messageId, to, data } = action.params;
  return {
    transactional_message_id: /^[1-9]\d{0,15}$/.test(messageId) ? Number(messageId) : messageId,
    to: to.email,
    identifiers: to.externalId === undefined ? { email: to.email } : { id: to.externalId },
    ...(data === undefined ? {} : { message_data: data }),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messages(list: unknown[]): string[] {
  return list.flatMap((item) => {
    if (typeof item === 'string') return [item];
    if (isRecord(item) && typeof item.detail === 'string') return [item.detail];
    if (isRecord(item) && typeof item.message === 'string') return [item.message];
    return [];
  });
}

/**
 * Reads Customer.io's error bodies: `{ meta: { error } }` (Track API 400s,
 * https://customer.io/docs/journeys/invalid-api-requests/, and transactional sends), `{ meta: { errors: [...] } }`
 * (Track API 400 schema) and `{ errors: [{ detail, source: { pointer }, status }] }` (broadcast 422s). The first
 * error's JSON `source.pointer`, when given, becomes the platform code.
 */
export const readCustomerIoError: ErrorBodyReader = (body) => {
  if (typeof body === 'string') return body.length > 0 ? { platformMessage: body } : {};
  if (!isRecord(body)) return {};
  const meta = body.meta;
  if (isRecord(meta) && typeof meta.error === 'string') return { platformMessage: meta.error };
  if (isRecord(meta) && Array.isArray(meta.errors)) {
    const found = messages(meta.errors);
    return found.length > 0 ? { platformMessage: found.join('; ') } : {};
  }
  if (Array.isArray(body.errors)) {
    const found = messages(body.errors);
    const first: unknown = body.errors[0];
    const source = isRecord(first) && isRecord(first.source) ? first.source : undefined;
    return {
      ...(found.length > 0 ? { platformMessage: found.join('; ') } : {}),
      ...(typeof source?.pointer === 'string' ? { platformCode: source.pointer } : {}),
    };
  }
  return {};
};
