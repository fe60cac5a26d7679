import { BRAZE_LIMITS, isRecord } from './braze-api.js';

/** A schedule the fake holds (created by `/campaigns/trigger/schedule/create`, removed by `.../delete`). */
export interface BrazeFakeSchedule {
  scheduleId: string;
  campaignId: string;
  /** `schedule.time` as received. */
  time: string;
  /** The recipients' `external_user_id`s. */
  recipients: string[];
}

/** What the fake's routes read and change. `undefined` sets mean "every id is known". */
export interface BrazeFakeState {
  campaigns: ReadonlySet<string> | undefined;
  canvases: ReadonlySet<string> | undefined;
  users: Set<string> | undefined;
  schedules: Map<string, BrazeFakeSchedule>;
  now(): number;
  nextId(prefix: string): string;
}

/** A route's answer; `apply` changes the fake's state and runs only when the platform really applies the call. */
export interface RouteOutcome {
  status: number;
  body: Record<string, unknown>;
  apply?: () => void;
}

/** A route: the endpoint's documented contract over a parsed JSON object body. */
export type BrazeRoute = (state: BrazeFakeState, body: Record<string, unknown>) => RouteOutcome;

/** A fatal answer, `{ "message": <fatal error message>, "errors": [...] }` (https://www.braze.com/docs/api/errors/). */
export function fatal(status: number, message: string, errors?: string[]): RouteOutcome {
  return { status, body: { message, ...(errors === undefined ? {} : { errors }) } };
}

const known = (ids: ReadonlySet<string> | undefined, id: string) =>
  ids === undefined || ids.has(id);

/**
 * The recipients of a trigger send or schedule, by the documented rules: `broadcast: true` excludes `recipients`;
 * without `recipients`, `broadcast` must be `true`; at most 50 recipients, each with exactly one of
 * `external_user_id` or `user_alias`. Returns the external ids, or the fatal answer.
 */
function readRecipients(body: Record<string, unknown>): string[] | RouteOutcome {
  const { recipients, broadcast } = body;
  if (broadcast !== undefined && typeof broadcast !== 'boolean') {
    return fatal(400, 'Bad Request', ['broadcast must be a boolean']);
  }
  if (recipients === undefined) {
    return broadcast === true ? [] : fatal(400, 'No Recipients');
  }
  if (!Array.isArray(recipients)) return fatal(400, 'Bad Request', ['recipients must be an array']);
  if (broadcast === true) {
    return fatal(400, 'Bad Request', ['recipients cannot be included when broadcast is true']);
  }
  if (recipients.length === 0) return fatal(400, 'No Recipients');
  if (recipients.length > BRAZE_LIMITS.recipientsPerRequest) {
    return fatal(400, 'The max number of external_ids and aliases per request was exceeded');
  }
  const ids: string[] = [];
  for (const recipient of recipients) {
    const external = isRecord(recipient) ? recipient.external_user_id : undefined;
    const alias = isRecord(recipient) ? recipient.user_alias : undefined;
    if ((typeof external === 'string') === (alias !== undefined)) {
      return fatal(400, 'Bad Request', [
        'Either external_user_id or user_alias is required, not both',
      ]);
    }
    if (typeof external === 'string') ids.push(external);
  }
  return ids;
}

/** The success answer of a send: a dispatch id, and a non-fatal error per recipient Braze does not know. */
function sent(state: BrazeFakeState, ids: string[], extra: Record<string, unknown> = {}) {
  const unknown = ids.filter((id) => state.users !== undefined && !state.users.has(id));
  return {
    message: 'success',
    dispatch_id: state.nextId('dispatch'),
    ...extra,
    ...(unknown.length === 0
      ? {}
      : { errors: unknown.map((id) => `external_user_id ${id} does not match an existing user`) }),
  };
}

function requiredId(body: Record<string, unknown>, field: string): string | RouteOutcome {
  const value = body[field];
  return typeof value === 'string' && value.length > 0
    ? value
    : fatal(400, 'Bad Request', [`${field} is required`]);
}

/** `POST /campaigns/trigger/send`: an unknown campaign is the documented `400 Invalid Campaign ID`. */
export const campaignTriggerSend: BrazeRoute = (state, body) => {
  const campaignId = requiredId(body, 'campaign_id');
  if (typeof campaignId !== 'string') return campaignId;
  if (!known(state.campaigns, campaignId)) return fatal(400, 'Invalid Campaign ID');
  const ids = readRecipients(body);
  return Array.isArray(ids) ? { status: 201, body: sent(state, ids) } : ids;
};

/** `POST /canvas/trigger/send`: as the campaign send, with `canvas_id` (unknown: `400 Invalid Canvas ID`). */
export const canvasTriggerSend: BrazeRoute = (state, body) => {
  const canvasId = requiredId(body, 'canvas_id');
  if (typeof canvasId !== 'string') return canvasId;
  if (!known(state.canvases, canvasId)) return fatal(400, 'Invalid Canvas ID');
  const ids = readRecipients(body);
  return Array.isArray(ids) ? { status: 201, body: sent(state, ids) } : ids;
};

/** `POST /campaigns/trigger/schedule/create`: `schedule.time` ISO 8601, in the future, at most 90 days ahead. */
export const scheduleCreate: BrazeRoute = (state, body) => {
  const campaignId = requiredId(body, 'campaign_id');
  if (typeof campaignId !== 'string') return campaignId;
  if (!known(state.campaigns, campaignId)) return fatal(400, 'Invalid Campaign ID');
  const time = isRecord(body.schedule) ? body.schedule.time : undefined;
  const at = typeof time === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(time) ? Date.parse(time) : NaN;
  if (typeof time !== 'string' || Number.isNaN(at)) {
    return fatal(400, 'Bad Request', ['schedule.time must be an ISO 8601 datetime']);
  }
  if (at <= state.now() || at > state.now() + BRAZE_LIMITS.scheduleHorizonDays * 86_400_000) {
    return fatal(400, 'Bad Request', ['schedule.time must be in the next 90 days']);
  }
  const ids = readRecipients(body);
  if (!Array.isArray(ids)) return ids;
  const scheduleId = state.nextId('schedule');
  return {
    status: 201,
    body: sent(state, ids, { schedule_id: scheduleId }),
    apply: () => state.schedules.set(scheduleId, { scheduleId, campaignId, time, recipients: ids }),
  };
};

/** `POST /campaigns/trigger/schedule/delete`: needs the schedule's own `campaign_id` and `schedule_id`. */
export const scheduleDelete: BrazeRoute = (state, body) => {
  const campaignId = requiredId(body, 'campaign_id');
  if (typeof campaignId !== 'string') return campaignId;
  const scheduleId = requiredId(body, 'schedule_id');
  if (typeof scheduleId !== 'string') return scheduleId;
  const schedule = state.schedules.get(scheduleId);
  if (schedule === undefined || schedule.campaignId !== campaignId) {
    // Braze does not document this answer; the fake refuses it as a bad request.
    return fatal(400, 'Bad Request', [`No schedule ${scheduleId} for campaign ${campaignId}`]);
  }
  return {
    status: 201,
    body: { message: 'success' },
    apply: () => state.schedules.delete(scheduleId),
  };
};

const IDENTIFIERS = ['external_id', 'user_alias', 'braze_id', 'email', 'phone'] as const;

/** Why Braze would skip one `/users/track` object (a non-fatal error), or undefined when it is processed. */
function objectProblem(array: string, item: unknown): string | undefined {
  if (!isRecord(item) || !IDENTIFIERS.some((id) => item[id] !== undefined)) {
    return "'external_id', 'braze_id', 'user_alias', 'email' or 'phone' is required";
  }
  if (array === 'events' && typeof item.name !== 'string') return "'name' is required";
  if (array === 'events' && Number.isNaN(Date.parse(String(item.time)))) {
    return "'time' must be an ISO 8601 datetime";
  }
  return undefined;
}

/**
 * `POST /users/track`: at most 75 objects per array (more is fatal); an object without a user identifier, or an
 * event without `name` or a parseable `time`, is a non-fatal `{ type, input_array, index }` error and is skipped.
 */
export const usersTrack: BrazeRoute = (state, body) => {
  const arrays = (['attributes', 'events', 'purchases'] as const).filter(
    (k) => body[k] !== undefined,
  );
  if (arrays.length === 0) return fatal(400, 'Bad Request', ['No attributes, events or purchases']);
  const errors: Record<string, unknown>[] = [];
  const counts: Record<string, number> = {};
  const users: string[] = [];
  for (const name of arrays) {
    const items = body[name];
    if (!Array.isArray(items)) return fatal(400, 'Bad Request', [`${name} must be an array`]);
    if (items.length > BRAZE_LIMITS.usersTrackObjectsPerRequest) {
      return fatal(400, 'Max Input Length Exceeded');
    }
    counts[`${name}_processed`] = 0;
    items.forEach((item, index) => {
      const problem = objectProblem(name, item);
      if (problem !== undefined) {
        errors.push({ type: problem, input_array: name, index });
        return;
      }
      counts[`${name}_processed`] = (counts[`${name}_processed`] ?? 0) + 1;
      if (isRecord(item) && typeof item.external_id === 'string') users.push(item.external_id);
    });
  }
  return {
    status: 201,
    body: { message: 'success', ...counts, ...(errors.length === 0 ? {} : { errors }) },
    apply: () => {
      for (const id of users) state.users?.add(id);
    },
  };
};
