import type { Action, ContactRef } from '@handoff/protocol';
import type { AdapterValidation } from '../adapter.js';
import { HUBSPOT_BATCH_LIMIT } from './hubspot-manifest.js';

/** One validation issue: a JSON Pointer into the action, a stable code and a message. */
type Issue = { path: string; code: string; message: string };

/** Validation settings that follow the adapter's options. */
export interface HubSpotValidationOptions {
  /** Whether `add_to_list` may name contacts by email only (their record ids are then looked up). */
  resolveByEmail: boolean;
}

/** HubSpot object ids in these APIs are integers (`workflowId`, ILS `listId`, `emailId`, record ids). */
function isHubSpotId(value: string): boolean {
  return /^\d+$/.test(value) && Number.isSafeInteger(Number(value));
}

function idIssue(path: string, what: string, value: string): Issue[] {
  return isHubSpotId(value)
    ? []
    : [{ path, code: 'NOT_A_HUBSPOT_ID', message: `${what} must be HubSpot's numeric id` }];
}

/** Each contact must carry an email, once (emails compared case-insensitively, as HubSpot does). */
function emailIssues(
  contacts: readonly Pick<ContactRef, 'email'>[],
  path: string,
  why: string,
): Issue[] {
  const seen = new Set<string>();
  return contacts.flatMap((contact, index): Issue[] => {
    if (!contact.email) {
      return [{ path: `${path}/${index}/email`, code: 'EMAIL_REQUIRED', message: why }];
    }
    const key = contact.email.toLowerCase();
    if (seen.has(key)) {
      return [
        {
          path: `${path}/${index}/email`,
          code: 'DUPLICATE_CONTACT',
          message: 'This email is named twice in the action',
        },
      ];
    }
    seen.add(key);
    return [];
  });
}

function listContactIssues(contacts: readonly ContactRef[], resolveByEmail: boolean): Issue[] {
  return contacts.flatMap((contact, index): Issue[] => {
    const path = `/params/contacts/${index}`;
    if (contact.externalId !== undefined) {
      return idIssue(`${path}/externalId`, 'externalId (a HubSpot record id)', contact.externalId);
    }
    if (contact.email && resolveByEmail) return [];
    return [
      {
        path,
        code: 'RECORD_ID_REQUIRED',
        message: resolveByEmail
          ? 'HubSpot lists take record ids: give externalId or an email to look it up'
          : 'HubSpot lists take record ids: give externalId (email look-up is switched off)',
      },
    ];
  });
}

/**
 * Checks an action against HubSpot's documented limits before anything is sent:
 * - `enroll_in_workflow`: numeric `workflowId`; every contact has an email, once (the v2 endpoint enrols by
 *   email);
 * - `add_to_list`: numeric `listId`; every contact has a numeric `externalId` (its record id) or, when email
 *   look-up is on, an email;
 * - `upsert_contacts`: at most 100 contacts (HubSpot's batch limit); every contact has an email, once (the upsert
 *   key); property values are strings, numbers, booleans or null;
 * - `send_transactional`: numeric `messageId` (HubSpot's `emailId`); `to.email` is present;
 * - any other type: `UNSUPPORTED_ACTION`.
 */
export function validateHubSpotAction(
  action: Action,
  options: HubSpotValidationOptions,
): AdapterValidation {
  const issues = collectIssues(action, options);
  return issues.length === 0 ? { ok: true } : { ok: false, issues };
}

function collectIssues(action: Action, options: HubSpotValidationOptions): Issue[] {
  switch (action.type) {
    case 'enroll_in_workflow':
      return [
        ...idIssue('/params/workflowId', 'workflowId', action.params.workflowId),
        ...emailIssues(
          action.params.contacts,
          '/params/contacts',
          'HubSpot enrols contacts in a workflow by email',
        ),
      ];
    case 'add_to_list':
      return [
        ...idIssue('/params/listId', 'listId', action.params.listId),
        ...listContactIssues(action.params.contacts, options.resolveByEmail),
      ];
    case 'upsert_contacts': {
      const { contacts } = action.params;
      const size: Issue[] =
        contacts.length > HUBSPOT_BATCH_LIMIT
          ? [
              {
                path: '/params/contacts',
                code: 'BATCH_TOO_LARGE',
                message: `HubSpot's batch upsert takes at most ${HUBSPOT_BATCH_LIMIT} contacts (got ${contacts.length})`,
              },
            ]
          : [];
      const values = contacts.flatMap((contact, index) =>
        Object.entries(contact.properties).flatMap(([name, value]): Issue[] =>
          typeof value === 'object' && value !== null
            ? [
                {
                  path: `/params/contacts/${index}/properties/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`,
                  code: 'PROPERTY_NOT_SCALAR',
                  message: 'HubSpot contact properties take strings, numbers, booleans or null',
                },
              ]
            : [],
        ),
      );
      return [
        ...size,
        ...emailIssues(contacts, '/params/contacts', 'HubSpot upserts contacts by email'),
        ...values,
      ];
    }
    case 'send_transactional':
      return [
        ...idIssue('/params/messageId', 'messageId (HubSpot emailId)', action.params.messageId),
        ...(action.params.to.email
          ? []
          : [
              {
                path: '/params/to/email',
                code: 'EMAIL_REQUIRED',
                message: 'HubSpot single send needs the recipient email (message.to)',
              },
            ]),
      ];
    default:
      return [
        {
          path: '/type',
          code: 'UNSUPPORTED_ACTION',
          message: `The HubSpot adapter does not execute ${action.type}`,
        },
      ];
  }
}
