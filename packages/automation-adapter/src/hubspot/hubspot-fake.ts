import { HttpResponse, http, type RequestHandler } from 'msw';
import {
  type FakeCall,
  type FakePlatform,
  type Fault,
  FaultQueue,
  recordCall,
} from '../testing/fake-platform.js';
import {
  batchReadEndpoint,
  batchUpsertEndpoint,
  type EndpointInput,
  type EndpointResult,
  enrollEndpoint,
  type FakeContact,
  type FakeSend,
  HubSpotFakeState,
  listAddEndpoint,
  singleSendEndpoint,
  unenrollEndpoint,
} from './hubspot-fake-endpoints.js';
import {
  correlationIds,
  errorAnswer,
  HUBSPOT_AUTH_MESSAGE,
  holdUntilAborted,
  rateLimitResponse,
  SlidingWindow,
  toResponse,
} from './hubspot-fake-support.js';

/** Options of {@link createHubSpotFake}. */
export interface HubSpotFakeOptions {
  /** The private-app token the fake accepts as `Authorization: Bearer {token}`; anything else gets 401. */
  accessToken: string;
  /** Default `https://api.hubapi.com`. */
  baseUrl?: string;
  /** The fake's clock (epoch ms), for its rate window and timestamps. Default `Date.now`. */
  now?: () => number;
  /** The burst limit the fake enforces over a rolling 10 s (default 100, HubSpot's lowest tier). */
  rateLimit?: { perTenSeconds: number };
  /** Workflows that exist; enrolling into any other answers 404. */
  workflowIds?: readonly string[];
  /** Static lists that exist (ILS ids); adding to any other answers 404. */
  listIds?: readonly string[];
  /** Marketing emails that exist (content ids); single sends of any other answer 404. */
  emailIds?: readonly string[];
  /** Contacts that exist before any request; ids default to 1001, 1002, ... */
  contacts?: readonly { email: string; id?: string; properties?: Record<string, string> }[];
  /** Longest a `timeout` fault holds a request whose client never aborts (default 30,000 ms). */
  maxHoldMs?: number;
}

/** A {@link FakePlatform} of HubSpot, with read access to the fake account's state. */
export interface HubSpotFake extends FakePlatform {
  /** Every enrolment applied, in order (HubSpot does not dedupe enrolments). */
  readonly enrollments: readonly { workflowId: string; email: string }[];
  /** Every single send applied (one per `sendId`). */
  readonly sends: readonly FakeSend[];
  /** The contact with this email (case-insensitive), if any. */
  contact(email: string): Readonly<FakeContact> | undefined;
  /** The record ids in a list. */
  listMembers(listId: string): string[];
}

type Logic = (input: EndpointInput) => EndpointResult;

/**
 * A local fake of the HubSpot endpoints the HubSpot adapter uses, true to HubSpot's documented contract:
 * - workflow enrolment (`POST /automation/v2/workflows/{workflowId}/enrollments/contacts/{email}`, 204) and
 *   unenrolment (`DELETE` on the same path, 204),
 *   list membership (`PUT /crm/v3/lists/{listId}/memberships/add`), contact batch read and batch upsert
 *   (`POST /crm/v3/objects/contacts/batch/{read,upsert}`, at most 100 inputs) and marketing single send
 *   (`POST /marketing/v4/email/single-send`, deduplicated on `message.sendId`);
 * - bearer auth (401 `INVALID_AUTHENTICATION`), validation errors (400 `VALIDATION_ERROR`), unknown workflow,
 *   list or email ids (404 `OBJECT_NOT_FOUND`), all in HubSpot's `{ status, message, correlationId, category }`
 *   body;
 * - its own rolling 10-second limit: 429 with `errorType: 'RATE_LIMIT'`, `policyName: 'TEN_SECONDLY_ROLLING'`
 *   and `X-HubSpot-RateLimit-*` headers, which every counted answer also carries;
 * - injected faults (checked before auth): 429 (`policy` `DAILY` or the default), 5xx, timeouts held until the
 *   client aborts, and resets; with `applied`, the request is processed first and then lost.
 * `applied` records requests that changed the account (reads and repeated `sendId`s are not applied).
 */
export function createHubSpotFake(options: HubSpotFakeOptions): HubSpotFake {
  const baseUrl = (options.baseUrl ?? 'https://api.hubapi.com').replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const maxHoldMs = options.maxHoldMs ?? 30_000;
  const limit = options.rateLimit?.perTenSeconds ?? 100;
  const window = new SlidingWindow(limit);
  const faults = new FaultQueue();
  const ids = correlationIds();
  const received: FakeCall[] = [];
  const applied: FakeCall[] = [];
  const state = new HubSpotFakeState({
    workflowIds: options.workflowIds ?? [],
    listIds: options.listIds ?? [],
    emailIds: options.emailIds ?? [],
    contacts: options.contacts ?? [],
  });

  function handle(
    request: Request,
    call: FakeCall,
    params: EndpointInput['params'],
    logic: Logic,
  ): Response {
    const correlationId = ids.next();
    if (request.headers.get('authorization') !== `Bearer ${options.accessToken}`) {
      const answer = errorAnswer(
        401,
        'INVALID_AUTHENTICATION',
        HUBSPOT_AUTH_MESSAGE,
        correlationId,
      );
      return toResponse(answer, {});
    }
    const remaining = window.hit(now());
    if (remaining < 0) return rateLimitResponse('TEN_SECONDLY_ROLLING', correlationId, limit);
    const result = logic({ state, params, body: call.body, now: now(), correlationId });
    if (result.applied) applied.push(call);
    return toResponse(result.answer, {
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
      'x-hubspot-ratelimit-max': String(limit),
      'x-hubspot-ratelimit-remaining': String(remaining),
    });
  }

  async function lose(fault: Fault, request: Request): Promise<Response> {
    if (fault.kind === 'timeout') await holdUntilAborted(request.signal, maxHoldMs);
    return HttpResponse.error();
  }

  function route(method: 'post' | 'put' | 'delete', path: string, logic: Logic): RequestHandler {
    return http[method](`${baseUrl}${path}`, async ({ request, params }) => {
      const call = await recordCall(request, now());
      received.push(call);
      const fault = faults.next();
      if (fault?.kind === 'rate_limit') {
        const policy = fault.policy ?? 'TEN_SECONDLY_ROLLING';
        return rateLimitResponse(policy, ids.next(), limit, fault.retryAfterSeconds);
      }
      if (fault?.kind === 'server_error') {
        const status = fault.status ?? 500;
        const message = 'internal error';
        return toResponse(errorAnswer(status, 'INTERNAL_ERROR', message, ids.next()), {});
      }
      if (fault && !fault.applied) return lose(fault, request);
      const response = handle(request, call, params, logic);
      return fault ? lose(fault, request) : response;
    });
  }

  const handlers = [
    route(
      'post',
      '/automation/v2/workflows/:workflowId/enrollments/contacts/:email',
      enrollEndpoint,
    ),
    route(
      'delete',
      '/automation/v2/workflows/:workflowId/enrollments/contacts/:email',
      unenrollEndpoint,
    ),
    route('put', '/crm/v3/lists/:listId/memberships/add', listAddEndpoint),
    route('post', '/crm/v3/objects/contacts/batch/read', batchReadEndpoint),
    route('post', '/crm/v3/objects/contacts/batch/upsert', batchUpsertEndpoint),
    route('post', '/marketing/v4/email/single-send', singleSendEndpoint),
  ];

  return {
    id: 'hubspot',
    baseUrl,
    handlers,
    received,
    applied,
    get enrollments() {
      return state.enrollments;
    },
    get sends() {
      return state.sends;
    },
    contact: (email) => state.contacts.get(email.toLowerCase()),
    listMembers: (listId) => [...(state.lists.get(listId) ?? [])],
    inject: (fault, count) => faults.push(fault, count),
    reset() {
      received.length = 0;
      applied.length = 0;
      faults.clear();
      window.reset();
      ids.reset();
      state.reset();
    },
  };
}
