import { delay, HttpResponse, http, type RequestHandler } from 'msw';
import {
  type FakeCall,
  type FakePlatform,
  type Fault,
  FaultQueue,
  recordCall,
} from '../testing/fake-platform.js';
import { BRAZE_PATHS, isRecord } from './braze-api.js';
import {
  type BrazeFakeSchedule,
  type BrazeFakeState,
  type BrazeRoute,
  campaignTriggerSend,
  canvasTriggerSend,
  fatal,
  scheduleCreate,
  scheduleDelete,
  usersTrack,
} from './braze-fake-routes.js';

export type { BrazeFakeSchedule } from './braze-fake-routes.js';

/** How to set up a {@link createBrazeFake}. */
export interface BrazeFakeOptions {
  /** The only REST API key the fake accepts (as `Authorization: Bearer <key>`). */
  apiKey: string;
  /** The fake's clock (epoch ms), for schedule times and `X-RateLimit-Reset`. Default `Date.now`. */
  now?: () => number;
  /** API-triggered campaign ids that exist; others are `400 Invalid Campaign ID`. Default: every id exists. */
  knownCampaigns?: readonly string[];
  /** Canvas ids that exist; others are `400 Invalid Canvas ID`. Default: every id exists. */
  knownCanvases?: readonly string[];
  /**
   * External user ids that exist; a send to another is a non-fatal error in a success answer (users created by
   * `/users/track` then exist). Default: every user exists.
   */
  knownUsers?: readonly string[];
  /** The instance REST endpoint the handlers answer. Default `https://rest.iad-01.braze.com`. */
  baseUrl?: string;
}

/** A Braze fake, with its schedules and users visible to tests. */
export interface BrazeFake extends FakePlatform {
  /** Schedules created and not deleted, by `schedule_id`. */
  readonly schedules: ReadonlyMap<string, BrazeFakeSchedule>;
  /** Known external user ids, or undefined when every user is known. */
  readonly users: ReadonlySet<string> | undefined;
}

/**
 * The limit the fake reports in the `X-RateLimit-*` headers Braze returns on every answer (the documented 250,000
 * requests per hour of the trigger endpoints: https://www.braze.com/docs/api/api_limits/).
 */
const HOURLY_LIMIT = 250_000;

/**
 * A local fake of the Braze REST API endpoints the Braze adapter uses (`/campaigns/trigger/send`,
 * `/canvas/trigger/send`, `/campaigns/trigger/schedule/create` and `/delete`, `/users/track`), true to the documented
 * contract: bearer auth (`401 { "message": "Invalid API key" }`), validation (`400` with Braze's fatal message, e.g.
 * more than 50 recipients), unknown campaigns and Canvases (`400 Invalid Campaign ID` / `Invalid Canvas ID`), unknown
 * users as non-fatal `errors` in a `201 { "message": "success" }`, `X-RateLimit-Limit`/`-Remaining`/`-Reset` (epoch
 * seconds) on every answer, and injected faults: `rate_limit` (429 with `X-RateLimit-Reset` = now +
 * `retryAfterSeconds`, default 60, and no `Retry-After`), `server_error`, `timeout`, `reset`.
 */
export function createBrazeFake(options: BrazeFakeOptions): BrazeFake {
  const baseUrl = (options.baseUrl ?? 'https://rest.iad-01.braze.com').replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const received: FakeCall[] = [];
  const applied: FakeCall[] = [];
  const faults = new FaultQueue();
  let counter = 0;
  const state: BrazeFakeState = {
    campaigns: options.knownCampaigns && new Set(options.knownCampaigns),
    canvases: options.knownCanvases && new Set(options.knownCanvases),
    users: options.knownUsers && new Set(options.knownUsers),
    schedules: new Map(),
    now,
    nextId: (prefix) => {
      counter += 1;
      return `${prefix}-${counter}`;
    },
  };

  function reply(status: number, body: Record<string, unknown>, resetInSeconds = 3600) {
    const remaining = status === 429 ? 0 : Math.max(0, HOURLY_LIMIT - received.length);
    return HttpResponse.json(body, {
      status,
      headers: {
        'X-RateLimit-Limit': String(HOURLY_LIMIT),
        'X-RateLimit-Remaining': String(remaining),
        'X-RateLimit-Reset': String(Math.ceil(now() / 1000) + resetInSeconds),
      },
    });
  }

  function route(path: string, answer: BrazeRoute): RequestHandler {
    return http.post(`${baseUrl}${path}`, async ({ request }) => {
      const call = await recordCall(request, now());
      received.push(call);
      if (request.headers.get('authorization') !== `Bearer ${options.apiKey}`) {
        return reply(401, { message: 'Invalid API key' });
      }
      const fault: Fault | undefined = faults.next();
      if (fault?.kind === 'rate_limit') {
        return reply(429, { message: 'Rate Limited' }, fault.retryAfterSeconds ?? 60);
      }
      if (fault?.kind === 'server_error') {
        return reply(fault.status ?? 500, { message: 'Internal Server Error' });
      }
      const outcome = isRecord(call.body)
        ? answer(state, call.body)
        : fatal(400, 'Bad Request', ['The body must be a JSON object']);
      if (outcome.status < 300 && (fault === undefined || fault.applied === true)) {
        outcome.apply?.();
        applied.push(call);
      }
      if (fault?.kind === 'timeout') await delay('infinite');
      if (fault?.kind === 'reset') return HttpResponse.error();
      return reply(outcome.status, outcome.body);
    });
  }

  return {
    id: 'braze',
    baseUrl,
    handlers: [
      route(BRAZE_PATHS.campaignTriggerSend, campaignTriggerSend),
      route(BRAZE_PATHS.canvasTriggerSend, canvasTriggerSend),
      route(BRAZE_PATHS.scheduleCreate, scheduleCreate),
      route(BRAZE_PATHS.scheduleDelete, scheduleDelete),
      route(BRAZE_PATHS.usersTrack, usersTrack),
    ],
    received,
    applied,
    get schedules() {
      return state.schedules;
    },
    get users() {
      return state.users;
    },
    inject(fault, count) {
      faults.push(fault, count);
    },
    reset() {
      received.length = 0;
      applied.length = 0;
      faults.clear();
      state.schedules.clear();
      state.users = options.knownUsers && new Set(options.knownUsers);
      counter = 0;
    },
  };
}
