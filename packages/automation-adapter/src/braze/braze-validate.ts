import { type Action, ActionSchema, type ActionType, type ContactRef } from '@handoff/protocol';
import type { AdapterValidation } from '../adapter.js';
import { BRAZE_LIMITS } from './braze-api.js';
import { RESERVED_ATTRIBUTE_NAMES } from './braze-payloads.js';

/** The action types the Braze adapter executes. */
export const BRAZE_ACTION_TYPES = [
  'trigger_broadcast',
  'enroll_in_workflow',
  'schedule_message',
  'track_event',
  'upsert_contacts',
] as const satisfies readonly ActionType[];

type Issue = { path: string; code: string; message: string };

/** A JSON Pointer (RFC 6901) of path segments. */
function pointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function supported(type: string): type is (typeof BRAZE_ACTION_TYPES)[number] {
  return (BRAZE_ACTION_TYPES as readonly string[]).includes(type);
}

/** Every contact must name a Braze user by `externalId` (trigger sends address `external_user_id`), once. */
function recipientIssues(contacts: readonly ContactRef[], path: string): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  contacts.forEach((contact, index) => {
    if (contact.externalId === undefined) {
      issues.push({
        path: `${path}/${index}/externalId`,
        code: 'EXTERNAL_ID_REQUIRED',
        message: 'Braze trigger sends address recipients by external_user_id',
      });
    } else if (seen.has(contact.externalId)) {
      issues.push({
        path: `${path}/${index}/externalId`,
        code: 'DUPLICATE_CONTACT',
        message: `${contact.externalId} is named twice; Braze would be asked to send to it twice`,
      });
    } else {
      seen.add(contact.externalId);
    }
  });
  return issues;
}

/** Braze's trigger endpoints take no segment id: the campaign's own dashboard targeting is the segment. */
function segmentIssue(segmentId: string | undefined): Issue[] {
  return segmentId === undefined
    ? []
    : [
        {
          path: '/params/segmentId',
          code: 'UNSUPPORTED_PARAM',
          message:
            'Braze API-triggered sends cannot target a segment by id: a broadcast reaches the segment the campaign ' +
            'targets in the dashboard. Omit segmentId, or name recipients.',
        },
      ];
}

function typeIssues(action: Action): Issue[] {
  switch (action.type) {
    case 'trigger_broadcast':
      return segmentIssue(action.params.segmentId);
    case 'enroll_in_workflow':
      return recipientIssues(action.params.contacts, '/params/contacts');
    case 'schedule_message': {
      const recipients = action.params.recipients ?? [];
      const issues = [
        ...segmentIssue(action.params.segmentId),
        ...recipientIssues(recipients, '/params/recipients'),
      ];
      if (recipients.length > BRAZE_LIMITS.recipientsPerRequest) {
        issues.push({
          path: '/params/recipients',
          code: 'TOO_MANY_RECIPIENTS',
          message: `One Braze schedule takes at most ${BRAZE_LIMITS.recipientsPerRequest} recipients; split the action so each schedule can be cancelled as one`,
        });
      }
      return issues;
    }
    case 'upsert_contacts':
      return action.params.contacts.flatMap((contact, index) =>
        Object.keys(contact.properties)
          .filter((name) => RESERVED_ATTRIBUTE_NAMES.has(name))
          .map((name) => ({
            path: pointer(['params', 'contacts', index, 'properties', name]),
            code: 'RESERVED_PROPERTY',
            message: `"${name}" identifies a Braze user; use the contact's email, externalId or phone fields`,
          })),
      );
    default:
      return [];
  }
}

/**
 * Checks an action against the protocol schema and Braze's documented limits before anything is sent: a supported
 * type; recipients named by `externalId`, each once; no `segmentId` (Braze's trigger endpoints take none); at most
 * 50 recipients per schedule; no user identifiers hidden in attribute properties.
 */
export function validateBrazeAction(action: Action): AdapterValidation {
  if (!supported(action.type)) {
    return {
      ok: false,
      issues: [
        {
          path: '/type',
          code: 'UNSUPPORTED_ACTION',
          message: `The Braze adapter does not execute ${action.type}`,
        },
      ],
    };
  }
  const parsed = ActionSchema.safeParse(action);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({
        path: pointer(issue.path.map(String)),
        code: 'INVALID_ACTION',
        message: issue.message,
      })),
    };
  }
  const issues = typeIssues(parsed.data);
  return issues.length === 0 ? { ok: true } : { ok: false, issues };
}
