import type { ContactRecord } from '@handoff/protocol';
import type { PlatformRequest } from '../http.js';

/** What every HubSpot request needs: where to send it, the private-app token and the per-request timeout. */
export interface HubSpotConnection {
  /** e.g. `https://api.hubapi.com`, without a trailing slash. */
  baseUrl: string;
  /** A private-app access token, sent as `Authorization: Bearer {token}` (https://developers.hubspot.com/docs/apps/legacy-apps/private-apps/overview). */
  accessToken: string;
  timeoutMs?: number;
}

function request(
  connection: HubSpotConnection,
  method: PlatformRequest['method'],
  path: string,
  body: unknown,
  deduped: boolean,
): PlatformRequest {
  return {
    method,
    url: `${connection.baseUrl}${path}`,
    headers: {
      authorization: `Bearer ${connection.accessToken}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body }),
    ...(connection.timeoutMs === undefined ? {} : { timeoutMs: connection.timeoutMs }),
    deduped,
  };
}

/**
 * `POST /automation/v2/workflows/{workflowId}/enrollments/contacts/{email}`, no body; 204 on success
 * (https://developers.hubspot.com/docs/api-reference/legacy/create-manage-workflows-v2/post-automation-v2-workflows-workflowId-enrollments-contacts-email).
 * Not deduped: HubSpot takes no key, and whether a second enrolment runs depends on the workflow.
 */
export function enrollmentRequest(
  connection: HubSpotConnection,
  workflowId: string,
  email: string,
): PlatformRequest {
  const path = `/automation/v2/workflows/${encodeURIComponent(workflowId)}/enrollments/contacts/${encodeURIComponent(email)}`;
  return request(connection, 'POST', path, undefined, false);
}

/**
 * `DELETE /automation/v2/workflows/{workflowId}/enrollments/contacts/{email}`, no body: removes the contact from
 * the workflow, so the events it was scheduled for do not take place
 * (https://developers.hubspot.com/docs/api-reference/legacy/automation/workflows/v2/unenroll-contact,
 * https://developers.hubspot.com/docs/methods/workflows/remove_contact). Not deduped on a key; repeat-safe by
 * nature (a contact removed twice is out of the workflow once).
 */
export function unenrollmentRequest(
  connection: HubSpotConnection,
  workflowId: string,
  email: string,
): PlatformRequest {
  const path = `/automation/v2/workflows/${encodeURIComponent(workflowId)}/enrollments/contacts/${encodeURIComponent(email)}`;
  return request(connection, 'DELETE', path, undefined, false);
}

/**
 * `PUT /crm/v3/lists/{listId}/memberships/add` with a JSON array of record ids; records that do not exist or are
 * already members are ignored, and the answer lists `recordsIdsAdded` and `recordIdsMissing`
 * (https://developers.hubspot.com/docs/api-reference/legacy/crm/lists/memberships/add-to-list). Not deduped.
 */
export function listAddRequest(
  connection: HubSpotConnection,
  listId: string,
  recordIds: readonly string[],
): PlatformRequest {
  const path = `/crm/v3/lists/${encodeURIComponent(listId)}/memberships/add`;
  return request(connection, 'PUT', path, [...recordIds], false);
}

/**
 * `POST /crm/v3/objects/contacts/batch/read` by `idProperty: 'email'` (at most 100 inputs), to find the record ids
 * of contacts named by email (https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/get-contacts).
 * Marked `deduped`: a read changes nothing, so repeating it after a timeout is safe.
 */
export function contactsByEmailRequest(
  connection: HubSpotConnection,
  emails: readonly string[],
): PlatformRequest {
  return request(
    connection,
    'POST',
    '/crm/v3/objects/contacts/batch/read',
    {
      idProperty: 'email',
      inputs: emails.map((id) => ({ id })),
      properties: ['email'],
      propertiesWithHistory: [],
    },
    true,
  );
}

/**
 * A contact property value as HubSpot takes it (a string): numbers and booleans as text, `null` as `''` (which
 * clears the property). Objects and arrays are refused by validation before anything is sent.
 */
export function toHubSpotValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A contact's properties for HubSpot: its `properties`, plus `phone` from the contact unless set there. */
export function toHubSpotProperties(contact: ContactRecord): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [name, value] of Object.entries(contact.properties)) {
    properties[name] = toHubSpotValue(value);
  }
  if (contact.phone && properties.phone === undefined) properties.phone = contact.phone;
  return properties;
}

/**
 * `POST /crm/v3/objects/contacts/batch/upsert` with one input per contact, `{ idProperty: 'email', id: email,
 * properties }` (at most 100 inputs): creates contacts whose email is new, updates the others
 * (https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/upsert-contacts). Not
 * deduped (no key), though repeating it sets the same values.
 */
export function batchUpsertRequest(
  connection: HubSpotConnection,
  contacts: readonly ContactRecord[],
): PlatformRequest {
  return request(
    connection,
    'POST',
    '/crm/v3/objects/contacts/batch/upsert',
    {
      inputs: contacts.map((contact) => ({
        idProperty: 'email',
        id: contact.email ?? '',
        properties: toHubSpotProperties(contact),
      })),
    },
    false,
  );
}

/** What one marketing single send carries. */
export interface SingleSend {
  /** The email's content id (an integer) from HubSpot's email tool. */
  emailId: number;
  /** The recipient's address (`message.to`). */
  to: string;
  /** At most one email is sent per `sendId` per account. */
  sendId: string;
  /** Template data, referenced as `{{ custom.NAME }}`; not stored on the contact. */
  customProperties?: Record<string, unknown>;
}

/**
 * `POST /marketing/v4/email/single-send` with `{ emailId, message: { to, sendId }, customProperties }`
 * (https://developers.hubspot.com/docs/api-reference/marketing-single-send-v4/single-send/post-marketing-v4-email-single-send).
 * Deduped: "only one email with a given sendId will be sent per account"
 * (https://developers.hubspot.com/docs/api-reference/marketing-single-send-v4/guide).
 */
export function singleSendRequest(
  connection: HubSpotConnection,
  send: SingleSend,
): PlatformRequest {
  return request(
    connection,
    'POST',
    '/marketing/v4/email/single-send',
    {
      emailId: send.emailId,
      message: { to: send.to, sendId: send.sendId },
      ...(send.customProperties ? { customProperties: send.customProperties } : {}),
    },
    true,
  );
}
