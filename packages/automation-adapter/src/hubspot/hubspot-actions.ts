import type { ActionOf } from '@handoff/protocol';
import type { ExecuteContext, ExecuteReceipt } from '../adapter.js';
import { AdapterError, isAdapterError } from '../adapter-error.js';
import { type PlatformRequest, type PlatformResponse, sendPlatformRequest } from '../http.js';
import { hubspotErrorFromResponse } from './hubspot-errors.js';
import { HUBSPOT_BATCH_LIMIT } from './hubspot-manifest.js';
import {
  batchUpsertRequest,
  contactsByEmailRequest,
  enrollmentRequest,
  type HubSpotConnection,
  listAddRequest,
  singleSendRequest,
  unenrollmentRequest,
} from './hubspot-requests.js';

/**
 * How far each multi-contact enrolment got, by idempotency key, so that a retry of the same action (same key)
 * resumes after the last contact HubSpot confirmed instead of enrolling the earlier ones again. In memory: it
 * lasts as long as the adapter instance, and keeps the newest `capacity` keys.
 */
export class EnrollmentProgress {
  readonly #done = new Map<string, number>();
  constructor(private readonly capacity = 1_000) {}

  /** Contacts already confirmed for `key` (0 when unknown). */
  get(key: string): number {
    return this.#done.get(key) ?? 0;
  }

  set(key: string, confirmed: number): void {
    this.#done.delete(key);
    this.#done.set(key, confirmed);
    const oldest = this.#done.keys().next();
    if (this.#done.size > this.capacity && !oldest.done) this.#done.delete(oldest.value);
  }

  delete(key: string): void {
    this.#done.delete(key);
  }
}

/** What the action executors share: the connection, the account's time zone and enrolment progress. */
export interface HubSpotEnv {
  connection: HubSpotConnection;
  accountTimeZone: string;
  progress: EnrollmentProgress;
}

/** Sends one request; a non-2xx answer becomes the mapped {@link AdapterError}. */
async function call(
  env: HubSpotEnv,
  ctx: ExecuteContext,
  request: PlatformRequest,
): Promise<PlatformResponse> {
  let response: PlatformResponse;
  try {
    response = await sendPlatformRequest(ctx, request);
  } catch (error) {
    if (isAdapterError(error)) throw error;
    const code = request.deduped ? 'PLATFORM_UNAVAILABLE' : 'IN_DOUBT';
    throw new AdapterError(code, 'Unexpected failure while calling HubSpot', { cause: error });
  }
  if (response.status >= 200 && response.status < 300) return response;
  throw hubspotErrorFromResponse(response, ctx.now(), env.accountTimeZone);
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

function ids(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) => (typeof v === 'string' || typeof v === 'number' ? [String(v)] : []));
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Enrols each contact with its own request, in order, and stops at the first failure. The error thrown then says
 * how many contacts HubSpot confirmed; this adapter instance remembers it, and a retry with the same idempotency
 * key starts at the contact that failed (which, after an `IN_DOUBT`, may itself have been enrolled).
 */
export async function enrollInWorkflow(
  env: HubSpotEnv,
  action: ActionOf<'enroll_in_workflow'>,
  ctx: ExecuteContext,
): Promise<ExecuteReceipt> {
  const { workflowId, contacts } = action.params;
  const start = env.progress.get(ctx.idempotencyKey);
  for (let index = start; index < contacts.length; index += 1) {
    const email = contacts[index]?.email ?? '';
    try {
      await call(env, ctx, enrollmentRequest(env.connection, workflowId, email));
    } catch (error) {
      if (!isAdapterError(error) || contacts.length === 1) throw error;
      const note = `contact ${index + 1} of ${contacts.length} failed; ${index} confirmed (${start} by earlier attempts), a retry with the same idempotency key resumes at contact ${index + 1}`;
      throw new AdapterError(error.code, `${error.message} [${note}]`, {
        retryable: error.retryable,
        ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
        platform: error.platform,
        cause: error,
      });
    }
    env.progress.set(ctx.idempotencyKey, index + 1);
  }
  env.progress.delete(ctx.idempotencyKey);
  return {
    status: 'succeeded',
    details: { workflowId, contacts: contacts.length, enrolledNow: contacts.length - start },
  };
}

/**
 * Undoes an enrolment (a rollback's compensation): unenrols each contact of the action, in order, one request each,
 * stopping at the first failure. Unenrolment is repeat-safe, so a retry starts again from the first contact.
 * Messages the workflow already sent stay sent.
 */
export async function unenrollFromWorkflow(
  env: HubSpotEnv,
  action: ActionOf<'enroll_in_workflow'>,
  ctx: ExecuteContext,
): Promise<ExecuteReceipt> {
  const { workflowId, contacts } = action.params;
  for (const contact of contacts) {
    await call(env, ctx, unenrollmentRequest(env.connection, workflowId, contact.email ?? ''));
  }
  return { status: 'succeeded', details: { workflowId, unenrolled: contacts.length } };
}

/** Record ids of contacts named by email, looked up 100 at a time; emails HubSpot does not know are left out. */
async function resolveByEmail(
  env: HubSpotEnv,
  ctx: ExecuteContext,
  emails: readonly string[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let from = 0; from < emails.length; from += HUBSPOT_BATCH_LIMIT) {
    const chunk = emails.slice(from, from + HUBSPOT_BATCH_LIMIT);
    const response = await call(env, ctx, contactsByEmailRequest(env.connection, chunk));
    for (const result of list(field(response.body, 'results'))) {
      const id = field(result, 'id');
      const email = field(field(result, 'properties'), 'email');
      if (typeof id === 'string' && typeof email === 'string') found.set(email.toLowerCase(), id);
    }
  }
  return found;
}

/**
 * Adds contacts to a list by record id: `externalId` as given, or the id looked up by email. As HubSpot does, a
 * contact that does not exist is skipped and counted (`missing`, `unresolved`), not treated as a failure; when
 * none of them exists the action fails `NOT_FOUND`.
 */
export async function addToList(
  env: HubSpotEnv,
  action: ActionOf<'add_to_list'>,
  ctx: ExecuteContext,
): Promise<ExecuteReceipt> {
  const { listId, contacts } = action.params;
  const emails = contacts.flatMap((c) => (c.externalId === undefined && c.email ? [c.email] : []));
  const byEmail = emails.length > 0 ? await resolveByEmail(env, ctx, emails) : new Map();
  const recordIds = new Set<string>();
  let unresolved = 0;
  for (const contact of contacts) {
    const id = contact.externalId ?? byEmail.get(contact.email?.toLowerCase() ?? '');
    if (id === undefined) unresolved += 1;
    else recordIds.add(id);
  }
  if (recordIds.size === 0) {
    throw new AdapterError(
      'NOT_FOUND',
      `None of the ${contacts.length} contacts exists in HubSpot`,
    );
  }
  const response = await call(env, ctx, listAddRequest(env.connection, listId, [...recordIds]));
  const added = ids(
    field(response.body, 'recordsIdsAdded') ?? field(response.body, 'recordIdsAdded'),
  );
  const missing = ids(field(response.body, 'recordIdsMissing'));
  return {
    status: 'succeeded',
    details: {
      listId,
      requested: contacts.length,
      added: added.length,
      alreadyMembers: recordIds.size - added.length - missing.length,
      missing: missing.length,
      unresolved,
    },
  };
}

/**
 * Upserts up to 100 contacts by email in one batch request. A 207 multi-status (some inputs failed) is reported
 * as `INVALID_REQUEST` with the counts and HubSpot's first error; upserting is repeat-safe, so the action can be
 * corrected and run again.
 */
export async function upsertContacts(
  env: HubSpotEnv,
  action: ActionOf<'upsert_contacts'>,
  ctx: ExecuteContext,
): Promise<ExecuteReceipt> {
  const { contacts } = action.params;
  const response = await call(env, ctx, batchUpsertRequest(env.connection, contacts));
  const results = list(field(response.body, 'results'));
  const errors = list(field(response.body, 'errors'));
  const numErrors = field(response.body, 'numErrors');
  const failed = typeof numErrors === 'number' ? numErrors : errors.length;
  if (response.status === 207 || failed > 0) {
    const first = errors[0];
    const category = field(first, 'category');
    const message = field(first, 'message');
    throw new AdapterError(
      'INVALID_REQUEST',
      `HubSpot upserted ${results.length} of ${contacts.length} contacts; ${failed} failed`,
      {
        platform: {
          status: response.status,
          ...(typeof category === 'string' ? { platformCode: category } : {}),
          ...(typeof message === 'string' ? { platformMessage: message } : {}),
        },
      },
    );
  }
  return {
    status: 'succeeded',
    details: {
      upserted: results.length,
      created: results.filter((r) => field(r, 'new') === true).length,
    },
  };
}

/**
 * Sends one marketing email with `sendId` = the action's idempotency key, so a retry never sends twice. HubSpot
 * answers before sending (`status: 'PENDING'`), hence `accepted`, with its `statusId` as `platformRef`.
 */
export async function sendTransactional(
  env: HubSpotEnv,
  action: ActionOf<'send_transactional'>,
  ctx: ExecuteContext,
): Promise<ExecuteReceipt> {
  const { messageId, to, data } = action.params;
  const request = singleSendRequest(env.connection, {
    emailId: Number(messageId),
    to: to.email ?? '',
    sendId: ctx.idempotencyKey,
    ...(data ? { customProperties: data } : {}),
  });
  const response = await call(env, ctx, request);
  const statusId = field(response.body, 'statusId');
  const status = field(response.body, 'status');
  return {
    status: 'accepted',
    ...(typeof statusId === 'string' ? { platformRef: statusId } : {}),
    details: { emailId: messageId, ...(typeof status === 'string' ? { sendStatus: status } : {}) },
  };
}
