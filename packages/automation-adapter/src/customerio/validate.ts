import type { Action, ActionOf, ActionType } from '@handoff/protocol';
import type { AdapterValidation } from '../adapter.js';
import {
  checkAttributes,
  checkBytes,
  checkIdentifier,
  checkNumericId,
  CUSTOMERIO_LIMITS as L,
  type LimitIssue,
} from './limits.js';
import { personIdentifier, sendEmailBody, triggerBroadcastBody } from './requests.js';

/** The action types the Customer.io adapter executes. */
export const CUSTOMERIO_ACTION_TYPES = [
  'track_event',
  'upsert_contacts',
  'trigger_broadcast',
  'send_transactional',
] as const satisfies readonly ActionType[];

/** One of {@link CUSTOMERIO_ACTION_TYPES}. */
export type CustomerIoActionType = (typeof CUSTOMERIO_ACTION_TYPES)[number];

/** True when the Customer.io adapter executes `action`'s type. */
export function isCustomerIoAction(action: Action): action is ActionOf<CustomerIoActionType> {
  return (CUSTOMERIO_ACTION_TYPES as readonly string[]).includes(action.type);
}

function trackEventIssues(action: ActionOf<'track_event'>): LimitIssue[] {
  const { contact, name, properties, occurredAt } = action.params;
  const issues = checkIdentifier(personIdentifier(contact), '/params/contact');
  if (name.trim().length === 0) {
    issues.push({
      path: '/params/name',
      code: 'BLANK_EVENT_NAME',
      message: 'Event names must not be blank',
    });
  }
  issues.push(
    ...checkBytes(
      name,
      L.MAX_EVENT_NAME_BYTES,
      '/params/name',
      'EVENT_NAME_TOO_LONG',
      'An event name',
    ),
    ...checkBytes(
      properties ?? {},
      L.MAX_EVENT_DATA_BYTES,
      '/params/properties',
      'EVENT_DATA_TOO_LARGE',
      'Event data',
    ),
  );
  if (occurredAt !== undefined) {
    const ms = Date.parse(occurredAt);
    if (!Number.isFinite(ms) || ms < 0) {
      issues.push({
        path: '/params/occurredAt',
        code: 'INVALID_TIMESTAMP',
        message: 'occurredAt must be a date-time at or after 1970-01-01T00:00:00Z',
      });
    }
  }
  return issues;
}

function upsertIssues(action: ActionOf<'upsert_contacts'>): LimitIssue[] {
  return action.params.contacts.flatMap((contact, index) => {
    const at = `/params/contacts/${index}`;
    const extra = (contact.email === undefined ? 0 : 1) + (contact.phone === undefined ? 0 : 1);
    return [
      ...checkIdentifier(personIdentifier(contact), at),
      ...checkAttributes(contact.properties, extra, `${at}/properties`),
    ];
  });
}

function broadcastIssues(action: ActionOf<'trigger_broadcast'>): LimitIssue[] {
  const { broadcastId, segmentId, data } = action.params;
  return [
    ...checkNumericId(broadcastId, '/params/broadcastId', 'broadcastId'),
    ...checkNumericId(segmentId, '/params/segmentId', 'segmentId'),
    ...checkBytes(
      data ?? {},
      L.MAX_TRIGGER_DATA_BYTES,
      '/params/data',
      'TRIGGER_DATA_TOO_LARGE',
      'Broadcast trigger data',
    ),
    ...checkBytes(
      triggerBroadcastBody(action),
      L.MAX_TRIGGER_PAYLOAD_BYTES,
      '/params',
      'TRIGGER_PAYLOAD_TOO_LARGE',
      'A broadcast trigger payload',
    ),
  ];
}

function transactionalIssues(action: ActionOf<'send_transactional'>): LimitIssue[] {
  const { to } = action.params;
  const issues = checkIdentifier(personIdentifier(to), '/params/to');
  if (to.email === undefined) {
    issues.push({
      path: '/params/to/email',
      code: 'MISSING_EMAIL',
      message: 'A transactional email needs the recipient address in to.email',
    });
  }
  const body = sendEmailBody(action);
  return [
    ...issues,
    ...checkBytes(
      body,
      L.MAX_TRIGGER_PAYLOAD_BYTES,
      '/params',
      'PAYLOAD_TOO_LARGE',
      'A transactional send',
    ),
  ];
}

/**
 * Checks an action against Customer.io's documented limits (see `CUSTOMERIO_LIMITS`) before anything is sent:
 * identifier presence and size, event name and data sizes, identify attribute counts and sizes, reserved
 * attribute names, numeric broadcast and segment ids, trigger data and payload sizes, a recipient address for
 * transactional email. Actions of other types, or for another adapter, are refused.
 */
export function validateCustomerIoAction(action: Action, adapterId: string): AdapterValidation {
  if (!isCustomerIoAction(action)) {
    return {
      ok: false,
      issues: [
        {
          path: '/type',
          code: 'UNSUPPORTED_ACTION',
          message: `The Customer.io adapter does not execute ${action.type}`,
        },
      ],
    };
  }
  const issues: LimitIssue[] =
    action.adapter === adapterId
      ? []
      : [
          {
            path: '/adapter',
            code: 'WRONG_ADAPTER',
            message: `This action names ${action.adapter}`,
          },
        ];
  switch (action.type) {
    case 'track_event':
      issues.push(...trackEventIssues(action));
      break;
    case 'upsert_contacts':
      issues.push(...upsertIssues(action));
      break;
    case 'trigger_broadcast':
      issues.push(...broadcastIssues(action));
      break;
    case 'send_transactional':
      issues.push(...transactionalIssues(action));
      break;
  }
  return issues.length === 0 ? { ok: true } : { ok: false, issues };
}
