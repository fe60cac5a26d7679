import { AdapterError } from '../adapter-error.js';
import { type ErrorBodyReader, errorFromResponse, type PlatformResponse } from '../http.js';

/**
 * Braze REST API documentation the adapter and the fake follow:
 * - API-triggered campaign send: https://www.braze.com/docs/api/endpoints/messaging/send_messages/post_send_triggered_campaigns/
 * - API-triggered Canvas send: https://www.braze.com/docs/api/endpoints/messaging/send_messages/post_send_triggered_canvases/
 * - Schedule API-triggered campaigns: https://www.braze.com/docs/api/endpoints/messaging/schedule_messages/post_schedule_triggered_campaigns/
 * - Delete scheduled API-triggered campaigns: https://www.braze.com/docs/api/endpoints/messaging/schedule_messages/post_delete_scheduled_triggered_messages/
 * - Track users: https://www.braze.com/docs/api/endpoints/user_data/post_user_track/
 * - Errors and responses (success, non-fatal `errors`, fatal errors): https://www.braze.com/docs/api/errors/
 * - Rate limits, batching and the `X-RateLimit-*` headers: https://www.braze.com/docs/api/api_limits/
 * - Instance REST endpoints and bearer API keys: https://www.braze.com/docs/api/basics/
 */
export const BRAZE_DOCS = {
  campaignTriggerSend:
    'https://www.braze.com/docs/api/endpoints/messaging/send_messages/post_send_triggered_campaigns/',
  canvasTriggerSend:
    'https://www.braze.com/docs/api/endpoints/messaging/send_messages/post_send_triggered_canvases/',
  scheduleCreate:
    'https://www.braze.com/docs/api/endpoints/messaging/schedule_messages/post_schedule_triggered_campaigns/',
  scheduleDelete:
    'https://www.braze.com/docs/api/endpoints/messaging/schedule_messages/post_delete_scheduled_triggered_messages/',
  usersTrack: 'https://www.braze.com/docs/api/endpoints/user_data/post_user_track/',
  errors: 'https://www.braze.com/docs/api/errors/',
  rateLimits: 'https://www.braze.com/docs/api/api_limits/',
  basics: 'https://www.braze.com/docs/api/basics/',
} as const;

/** The Braze REST paths the adapter calls (all `POST`, JSON bodies, `Authorization: Bearer <REST API key>`). */
export const BRAZE_PATHS = {
  campaignTriggerSend: '/campaigns/trigger/send',
  canvasTriggerSend: '/canvas/trigger/send',
  scheduleCreate: '/campaigns/trigger/schedule/create',
  scheduleDelete: '/campaigns/trigger/schedule/delete',
  usersTrack: '/users/track',
} as const;

/**
 * Braze's documented request limits:
 * - `recipientsPerRequest`: "The recipients array may contain up to 50 objects" on the trigger send and schedule
 *   endpoints ({@link BRAZE_DOCS}.campaignTriggerSend, .canvasTriggerSend);
 * - `usersTrackObjectsPerRequest`: "up to 75 event objects, 75 attribute objects, and 75 purchase objects" per
 *   `/users/track` request ({@link BRAZE_DOCS}.rateLimits, "Batching requests for Track users endpoint");
 * - `scheduleHorizonDays`: scheduled messages may be "up to 90 days in the future" ({@link BRAZE_DOCS}.scheduleCreate).
 */
export const BRAZE_LIMITS = {
  recipientsPerRequest: 50,
  usersTrackObjectsPerRequest: 75,
  scheduleHorizonDays: 90,
} as const;

/** At most this many non-fatal errors are copied into a receipt (the total is always reported). */
export const MAX_RECORDED_NON_FATAL_ERRORS = 50;

/** True for a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One non-fatal error as a short string (Braze sends strings, or objects such as `{ type, input_array, index }`). */
function describeError(error: unknown): string {
  const text = typeof error === 'string' ? error : JSON.stringify(error);
  return (text ?? String(error)).slice(0, 500);
}

/** The non-fatal `errors` of a Braze body (`{ "message": "success", "errors": [...] }`), as short strings. */
export function nonFatalErrors(body: unknown): string[] {
  if (!isRecord(body) || !Array.isArray(body.errors)) return [];
  return body.errors.map(describeError);
}

/**
 * Reads a Braze fatal body, `{ "message": <fatal error message>, "errors": [<minor error message>] }`
 * ({@link BRAZE_DOCS}.errors): the `message` becomes the platform code (Braze has no separate error codes) and the
 * `errors`, when present, the platform message.
 */
export const readBrazeError: ErrorBodyReader = (body) => {
  if (typeof body === 'string') return body.length > 0 ? { platformMessage: body } : {};
  if (!isRecord(body)) return {};
  const message = typeof body.message === 'string' ? body.message.slice(0, 200) : undefined;
  const errors = nonFatalErrors(body);
  const detail = errors.length > 0 ? errors.join('; ') : message;
  return {
    ...(message ? { platformCode: message } : {}),
    ...(detail ? { platformMessage: detail } : {}),
  };
};

/** Braze's documented fatal messages for an unknown campaign or Canvas id (returned with status 400). */
const UNKNOWN_OBJECT = /^Invalid (Campaign|Canvas) ID$/i;

/**
 * Milliseconds until `X-RateLimit-Reset` ("the time at which the current rate limit window resets in UTC epoch
 * seconds", {@link BRAZE_DOCS}.rateLimits) from `nowMs`; undefined when absent or unparseable; never negative.
 */
export function rateLimitResetMs(headers: Headers, nowMs: number): number | undefined {
  const value = headers.get('x-ratelimit-reset')?.trim();
  if (!value || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  return Math.max(0, Math.ceil(Number(value) * 1000 - nowMs));
}

/**
 * The {@link AdapterError} of a Braze non-2xx answer: {@link errorFromResponse} with {@link readBrazeError}, plus two
 * Braze specifics: a 429 without `Retry-After` waits until `X-RateLimit-Reset`, and the documented
 * `400 Invalid Campaign ID` (and its Canvas twin) is `NOT_FOUND`.
 */
export function brazeError(response: PlatformResponse, nowMs: number): AdapterError {
  const error = errorFromResponse(response, readBrazeError, nowMs);
  if (response.status === 429 && error.retryAfterMs === undefined) {
    const retryAfterMs = rateLimitResetMs(response.headers, nowMs);
    if (retryAfterMs !== undefined) {
      return new AdapterError(error.code, error.message, {
        retryAfterMs,
        platform: error.platform,
      });
    }
  }
  if (response.status === 400 && UNKNOWN_OBJECT.test(error.platform.platformCode ?? '')) {
    return new AdapterError('NOT_FOUND', error.message, { platform: error.platform });
  }
  return error;
}

/** Splits `items` into chunks of at most `size` (the last one shorter). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
