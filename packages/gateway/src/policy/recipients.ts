import { createHash } from 'node:crypto';
import type { Action, ContactRef, StrategyOption } from '@handoff/protocol';

/**
 * Who an action reaches, as the marketing policy pack reads it. Contacts are only ever handled as SHA-256 digests
 * here: nothing in this module logs or returns an email or an id.
 *
 * Normalisation follows Google's Customer Match rules for hashed identifiers (trim, lowercase;
 * https://developers.google.com/google-ads/api/docs/remarketing/audience-segments/customer-match/get-started#normalize-and-hash):
 * an email is trimmed and lowercased; an external id is trimmed.
 */

/** Lowercase hex SHA-256 of UTF-8 text. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** An email as it is hashed: trimmed and lowercased. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The hex SHA-256 digests a contact is known by: of its normalised email and of its trimmed external id (each
 * when present). A suppression list entry matching any of them suppresses the contact.
 */
export function contactHashes(contact: Pick<ContactRef, 'email' | 'externalId'>): string[] {
  const hashes: string[] = [];
  if (contact.email !== undefined) hashes.push(sha256Hex(normaliseEmail(contact.email)));
  if (contact.externalId !== undefined) hashes.push(sha256Hex(contact.externalId.trim()));
  return hashes;
}

/**
 * The key a contact's sends are counted under: `contact:<hex>` of its email when it has one, else of its external
 * id. (A contact named by email in one plan and by id in another is counted as two.)
 */
export function contactKey(contact: Pick<ContactRef, 'email' | 'externalId'>): string {
  return `contact:${contactHashes(contact)[0] ?? ''}`;
}

/** The key a segment's sends are counted under. */
export function segmentKey(segmentId: string): string {
  return `segment:${segmentId}`;
}

/** A contact an action names, with its path inside the action (e.g. `['params', 'contacts', 3]`). */
export interface NamedContact {
  contact: ContactRef;
  path: (string | number)[];
}

/** Every contact an action names (its contact list, `to`, or `contact`), in order. */
export function actionContacts(action: Action): NamedContact[] {
  const list = (contacts: readonly ContactRef[] | undefined, field: string) =>
    (contacts ?? []).map((contact, i) => ({ contact, path: ['params', field, i] }));
  switch (action.type) {
    case 'enroll_in_workflow':
    case 'add_to_list':
    case 'upsert_contacts':
      return list(action.params.contacts, 'contacts');
    case 'schedule_message':
      return list(action.params.recipients, 'recipients');
    case 'send_transactional':
      return [{ contact: action.params.to, path: ['params', 'to'] }];
    case 'track_event':
      return [{ contact: action.params.contact, path: ['params', 'contact'] }];
    default:
      return [];
  }
}

/** Action types that send a message to people (what frequency caps and send windows govern). */
export const SEND_ACTION_TYPES: readonly Action['type'][] = [
  'enroll_in_workflow',
  'trigger_broadcast',
  'send_transactional',
  'schedule_message',
];

/** True when the action sends a message (see {@link SEND_ACTION_TYPES}). */
export function isSendAction(action: Action): boolean {
  return SEND_ACTION_TYPES.includes(action.type);
}

/**
 * The segment a send reaches when it names no contacts: its own `segmentId`, or the option's audience segment for
 * a broadcast that names none; undefined for a send to named contacts.
 */
export function sendSegment(action: Action, option: StrategyOption): string | undefined {
  if (action.type === 'trigger_broadcast')
    return action.params.segmentId ?? option.audience.segmentId;
  if (action.type === 'schedule_message' && action.params.recipients === undefined)
    return action.params.segmentId;
  return undefined;
}

/**
 * The keys one send is counted under: one per named contact (see {@link contactKey}, distinct), or its segment's
 * (see {@link sendSegment}); none for an action that sends nothing.
 */
export function sendKeys(action: Action, option: StrategyOption): string[] {
  if (!isSendAction(action)) return [];
  const segment = sendSegment(action, option);
  if (segment !== undefined) return [segmentKey(segment)];
  return [...new Set(actionContacts(action).map(({ contact }) => contactKey(contact)))];
}
