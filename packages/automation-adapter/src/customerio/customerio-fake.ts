import { delay, HttpResponse, http, type RequestHandler } from 'msw';
import {
  type FakeCall,
  type FakePlatform,
  type Fault,
  FaultQueue,
  recordCall,
} from '../testing/fake-platform.js';
import {
  broadcastMetrics,
  CustomerIoFakeState,
  type FakeOutcome,
  identify,
  metaError,
  sendEmail,
  trackEvent,
  triggerBroadcast,
} from './fake-endpoints.js';
import {
  appAuthorization,
  CUSTOMERIO_BASE_URLS,
  type CustomerIoRegion,
  trackAuthorization,
} from './requests.js';

/** Options of {@link createCustomerIoFake}. */
export interface CustomerIoFakeOptions {
  /** The credentials the fake accepts. */
  siteId: string;
  trackApiKey: string;
  appApiKey: string;
  /** The fake's clock (epoch ms), for broadcast throttling and ids. Default `Date.now`. */
  now?: () => number;
  /** Selects the documented hosts the handlers answer. Default `us`. */
  region?: CustomerIoRegion;
  /** Overrides the Track API base URL (default: the region's). */
  trackUrl?: string;
  /** Overrides the App API base URL (default: the region's). */
  appUrl?: string;
  /** Broadcast ids that exist; others answer 404. Default: every numeric id exists. */
  broadcastIds?: readonly string[];
  /** Audience size per segment id, counted as sent by a segment-wide trigger (broadcast metrics). Default none. */
  segmentSizes?: Readonly<Record<string, number>>;
  /** How long the fake takes to process one queued broadcast trigger (fake clock). Default 60,000 ms. */
  triggerProcessingMs?: number;
}

/**
 * A Customer.io fake. Customer.io has two hosts, so the fake answers on two base URLs: `trackUrl` (Track API:
 * identify, events) and `appUrl` (App API: broadcast triggers, transactional email); `baseUrl` is `appUrl`.
 * Track API handlers also answer on `appUrl` (the two APIs' paths do not overlap), so one
 * `serveFake(fake.handlers, fake.baseUrl)` port serves both: pass its URL as both `baseUrls.track` and
 * `baseUrls.app`.
 */
export interface CustomerIoFake extends FakePlatform {
  readonly trackUrl: string;
  readonly appUrl: string;
  /** People as identified so far, by identifier. */
  readonly people: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

type Evaluate = (params: Record<string, string>, body: unknown) => FakeOutcome;

function respond(outcome: FakeOutcome): Response {
  return new HttpResponse(JSON.stringify(outcome.body), {
    status: outcome.status,
    headers: { 'content-type': 'application/json', ...outcome.headers },
  });
}

function faultResponse(fault: Extract<Fault, { kind: 'rate_limit' | 'server_error' }>): Response {
  if (fault.kind === 'server_error') {
    return respond(metaError(fault.status ?? 500, 'internal server error'));
  }
  return respond({
    ...metaError(429, 'too many requests'),
    ...(fault.retryAfterSeconds === undefined
      ? {}
      : { headers: { 'retry-after': String(fault.retryAfterSeconds) } }),
  });
}

/**
 * A local fake of Customer.io's Track and App APIs, true to the documented contract: Basic auth (site id and
 * Track API key) on the Track API and Bearer (App API key) on the App API, both answering 401; identify limits
 * (https://customer.io/docs/journeys/invalid-api-requests/) with `{ meta: { error } }` bodies; event dedupe on
 * the ULID `id` (https://docs.customer.io/integrations/api/track/tag/track-events/track/); broadcast triggers
 * throttled to one per broadcast every 10 s of the fake's clock and at most 5 queued, both answering 429, and
 * payload limits answering 422 `{ errors: [...] }`
 * (https://docs.customer.io/integrations/api/app/tag/send-messages/); transactional email
 * (https://docs.customer.io/integrations/api/app/tag/send-messages/sendEmail/); broadcast metrics read back
 * (`broadcastMetrics`). `applied` records identify calls
 * that changed a person, first-seen events, accepted triggers and sends. Injected faults hit the next requests.
 */
export function createCustomerIoFake(options: CustomerIoFakeOptions): CustomerIoFake {
  const region = CUSTOMERIO_BASE_URLS[options.region ?? 'us'];
  const trackUrl = (options.trackUrl ?? region.track).replace(/\/+$/, '');
  const appUrl = (options.appUrl ?? region.app).replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const trackAuth = trackAuthorization(options.siteId, options.trackApiKey);
  const appAuth = appAuthorization(options.appApiKey);
  const known = options.broadcastIds ? new Set(options.broadcastIds) : undefined;
  const processingMs = options.triggerProcessingMs ?? 60_000;
  const state = new CustomerIoFakeState();
  const faults = new FaultQueue();
  const received: FakeCall[] = [];
  const applied: FakeCall[] = [];

  function route(
    method: 'get' | 'put' | 'post',
    path: string,
    origins: readonly string[],
    auth: string,
    evaluate: Evaluate,
  ): RequestHandler[] {
    return origins.map((origin) =>
      http[method](`${origin}${path}`, async ({ request, params }) => {
        const call = await recordCall(request, now());
        received.push(call);
        const fault = faults.next();
        if (fault?.kind === 'rate_limit' || fault?.kind === 'server_error')
          return faultResponse(fault);
        if (request.headers.get('authorization') !== auth) {
          return respond(metaError(401, 'Unauthorized request'));
        }
        const outcome = evaluate(params as Record<string, string>, call.body);
        const applies = fault === undefined || fault.applied === true;
        if (applies && outcome.status < 300 && outcome.apply?.()) applied.push(call);
        if (fault?.kind === 'timeout') {
          await delay('infinite');
        }
        if (fault?.kind === 'reset') return HttpResponse.error();
        return respond(outcome);
      }),
    );
  }

  const trackOrigins = trackUrl === appUrl ? [trackUrl] : [trackUrl, appUrl];
  const handlers: RequestHandler[] = [
    ...route('put', '/api/v1/customers/:identifier', trackOrigins, trackAuth, (p, body) =>
      identify(state, p.identifier ?? '', body),
    ),
    ...route('post', '/api/v1/customers/:identifier/events', trackOrigins, trackAuth, (p, body) =>
      trackEvent(state, p.identifier ?? '', body),
    ),
    ...route('post', '/v1/campaigns/:broadcastId/triggers', [appUrl], appAuth, (p, body) =>
      triggerBroadcast(state, p.broadcastId ?? '', body, {
        now: now(),
        knownBroadcasts: known,
        processingMs,
        ...(options.segmentSizes ? { segmentSizes: options.segmentSizes } : {}),
      }),
    ),
    ...route('post', '/v1/send/email', [appUrl], appAuth, (_p, body) => sendEmail(body, now())),
    ...route('get', '/v1/broadcasts/:broadcastId/metrics', [appUrl], appAuth, (p) =>
      broadcastMetrics(state, p.broadcastId ?? '', known),
    ),
  ];

  return {
    id: 'customerio',
    baseUrl: appUrl,
    trackUrl,
    appUrl,
    handlers,
    received,
    applied,
    people: state.people,
    inject: (fault: Fault, count?: number) => faults.push(fault, count),
    reset() {
      received.length = 0;
      applied.length = 0;
      faults.clear();
      state.clear();
    },
  };
}
