import type { Action, ActionOf } from '@handoff/protocol';
import type {
  AdapterManifest,
  AutomationAdapter,
  ExecuteContext,
  ExecuteReceipt,
} from '../adapter.js';
import { AdapterError } from '../adapter-error.js';
import { errorFromResponse, type PlatformResponse, sendPlatformRequest } from '../http.js';
import { BROADCAST_METRICS_DOC, readBroadcastResults } from './broadcast-results.js';
import { CUSTOMERIO_LIMITS } from './limits.js';
import {
  appAuthorization,
  CUSTOMERIO_BASE_URLS,
  type CustomerIoBaseUrls,
  type CustomerIoRegion,
  customerPath,
  identifyBody,
  personIdentifier,
  readCustomerIoError,
  sendEmailBody,
  trackAuthorization,
  trackEventBody,
  triggerBroadcastBody,
} from './requests.js';
import { CUSTOMERIO_ACTION_TYPES, validateCustomerIoAction } from './validate.js';

/** Options of {@link createCustomerIoAdapter}. */
export interface CustomerIoAdapterOptions {
  /** The workspace's data centre: selects the documented hosts unless `baseUrls` overrides them. */
  region: CustomerIoRegion;
  /** Site ID (Track API user name). */
  siteId: string;
  /** Track API key (Track API password). */
  trackApiKey: string;
  /** App API key (bearer token for broadcasts and transactional sends). */
  appApiKey: string;
  /** Overrides the region's hosts, e.g. to point at `createCustomerIoFake`. */
  baseUrls?: CustomerIoBaseUrls;
  /** Per-request timeout in milliseconds. Default 10,000. */
  timeoutMs?: number;
}

/** Customer.io documentation the adapter follows (also in its manifest). */
export const CUSTOMERIO_DOCS = [
  'https://docs.customer.io/integrations/api/track/',
  'https://docs.customer.io/integrations/api/track/tag/track-customers/identify/',
  'https://docs.customer.io/integrations/api/track/tag/track-events/track/',
  'https://customer.io/docs/journeys/invalid-api-requests/',
  'https://docs.customer.io/integrations/api/app/',
  'https://docs.customer.io/integrations/api/app/tag/send-messages/',
  'https://docs.customer.io/integrations/api/app/tag/send-messages/triggerBroadcast/',
  'https://docs.customer.io/integrations/api/app/tag/send-messages/sendEmail/',
  'https://github.com/ulid/spec',
  BROADCAST_METRICS_DOC,
] as const;

/**
 * The manifest. `idempotency` is `none`: Customer.io dedupes only tracked events (on their ULID `id`);
 * broadcast triggers and transactional sends take no idempotency key, so the manifest cannot promise platform
 * dedupe for every action it declares. Per action:
 * - `track_event`: platform dedupe on the event `id`, derived from the idempotency key (retry-safe; a timeout is
 *   `TIMEOUT`, retryable);
 * - `upsert_contacts`: identify is an upsert (PUT): resending the same attributes changes nothing (retry-safe);
 * - `trigger_broadcast`: no key; a timeout or reset after sending is `IN_DOUBT`, never resent;
 * - `send_transactional`: no key; a timeout or reset after sending is `IN_DOUBT`, never resent.
 */
export const CUSTOMERIO_MANIFEST: AdapterManifest = {
  id: 'customerio',
  platform: 'Customer.io',
  actionTypes: CUSTOMERIO_ACTION_TYPES,
  idempotency: 'none',
  supportsDryRun: false,
  supportsStatus: false,
  supportsCancel: false,
  resultsActionTypes: ['trigger_broadcast'],
  rateLimits: [
    {
      requests: 1,
      perMs: CUSTOMERIO_LIMITS.BROADCAST_TRIGGER_INTERVAL_MS,
      scope: 'endpoint',
      endpoint: 'POST /v1/campaigns/{broadcast_id}/triggers',
      source: 'https://docs.customer.io/integrations/api/app/tag/send-messages/triggerBroadcast/',
    },
    {
      requests: 100,
      perMs: 1_000,
      scope: 'endpoint',
      endpoint: 'POST /v1/send/email',
      source: 'https://docs.customer.io/integrations/api/app/tag/send-messages/',
    },
    {
      requests: 10,
      perMs: 1_000,
      scope: 'account',
      source: 'https://docs.customer.io/integrations/api/app/',
    },
    {
      requests: 100,
      perMs: 1_000,
      scope: 'account',
      source: 'https://docs.customer.io/integrations/api/track/',
    },
  ],
  docs: CUSTOMERIO_DOCS,
};

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function nonEmpty(value: string, name: string): string {
  if (value.length === 0) throw new TypeError(`createCustomerIoAdapter: ${name} is required`);
  return value;
}

/** A 429 without `Retry-After` on the broadcast endpoint waits out the documented 10-second window. */
function withRetryAfter(error: AdapterError, fallbackMs: number): AdapterError {
  if (error.code !== 'RATE_LIMITED' || error.retryAfterMs !== undefined) return error;
  return new AdapterError(error.code, error.message, {
    retryAfterMs: fallbackMs,
    platform: error.platform,
  });
}

function bodyField(body: unknown, key: string): unknown {
  return typeof body === 'object' && body !== null
    ? (body as Record<string, unknown>)[key]
    : undefined;
}

/**
 * The Customer.io automation adapter: `track_event` (Track API events), `upsert_contacts` (identify, one PUT per
 * contact), `trigger_broadcast` (App API API-triggered broadcasts) and `send_transactional` (App API transactional
 * email). It also enforces, client side, the documented limit of one broadcast trigger every 10 seconds: a
 * trigger of the same broadcast within 10 s (by `ctx.now`) of the previous one is refused with `RATE_LIMITED`
 * and `retryAfterMs` before anything is sent. See {@link CUSTOMERIO_MANIFEST} for retry safety per action.
 */
export function createCustomerIoAdapter(options: CustomerIoAdapterOptions): AutomationAdapter {
  const urls = options.baseUrls ?? CUSTOMERIO_BASE_URLS[options.region];
  const trackUrl = trimSlash(urls.track);
  const appUrl = trimSlash(urls.app);
  const trackAuth = trackAuthorization(
    nonEmpty(options.siteId, 'siteId'),
    nonEmpty(options.trackApiKey, 'trackApiKey'),
  );
  const appAuth = appAuthorization(nonEmpty(options.appApiKey, 'appApiKey'));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const lastTrigger = new Map<string, number>();

  async function call(
    ctx: ExecuteContext,
    request: { method: 'PUT' | 'POST'; url: string; auth: string; body: unknown; deduped: boolean },
  ): Promise<PlatformResponse> {
    const response = await sendPlatformRequest(ctx, {
      method: request.method,
      url: request.url,
      headers: {
        authorization: request.auth,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: request.body,
      timeoutMs,
      deduped: request.deduped,
    });
    if (response.status >= 200 && response.status < 300) return response;
    throw errorFromResponse(response, readCustomerIoError, ctx.now());
  }

  async function trackEvent(
    action: ActionOf<'track_event'>,
    ctx: ExecuteContext,
  ): Promise<ExecuteReceipt> {
    const body = trackEventBody(action, ctx.idempotencyKey);
    const identifier = personIdentifier(action.params.contact) ?? '';
    await call(ctx, {
      method: 'POST',
      url: `${trackUrl}${customerPath(identifier)}/events`,
      auth: trackAuth,
      body,
      deduped: true,
    });
    return { status: 'succeeded', platformRef: body.id, details: { eventId: body.id } };
  }

  async function upsertContacts(
    action: ActionOf<'upsert_contacts'>,
    ctx: ExecuteContext,
  ): Promise<ExecuteReceipt> {
    for (const contact of action.params.contacts) {
      await call(ctx, {
        method: 'PUT',
        url: `${trackUrl}${customerPath(personIdentifier(contact) ?? '')}`,
        auth: trackAuth,
        body: identifyBody(contact),
        deduped: true,
      });
    }
    return { status: 'succeeded', details: { contacts: action.params.contacts.length } };
  }

  async function triggerBroadcast(
    action: ActionOf<'trigger_broadcast'>,
    ctx: ExecuteContext,
  ): Promise<ExecuteReceipt> {
    const { broadcastId } = action.params;
    const interval = CUSTOMERIO_LIMITS.BROADCAST_TRIGGER_INTERVAL_MS;
    if (ctx.signal.aborted) throw new AdapterError('ABORTED', 'Aborted before sending');
    const now = ctx.now();
    const previous = lastTrigger.get(broadcastId);
    if (previous !== undefined && now - previous < interval) {
      throw new AdapterError(
        'RATE_LIMITED',
        `Broadcast ${broadcastId} was triggered ${now - previous} ms ago; Customer.io allows one trigger every 10 s`,
        { retryAfterMs: interval - (now - previous) },
      );
    }
    lastTrigger.set(broadcastId, now);
    const response = await call(ctx, {
      method: 'POST',
      url: `${appUrl}/v1/campaigns/${encodeURIComponent(broadcastId)}/triggers`,
      auth: appAuth,
      body: triggerBroadcastBody(action),
      deduped: false,
    }).catch((error: unknown) => {
      throw error instanceof AdapterError ? withRetryAfter(error, interval) : error;
    });
    const triggerId = bodyField(response.body, 'id');
    return {
      status: 'accepted',
      ...(triggerId === undefined ? {} : { platformRef: String(triggerId) }),
      details: { broadcastId, ...(triggerId === undefined ? {} : { triggerId }) },
    };
  }

  async function sendTransactional(
    action: ActionOf<'send_transactional'>,
    ctx: ExecuteContext,
  ): Promise<ExecuteReceipt> {
    const response = await call(ctx, {
      method: 'POST',
      url: `${appUrl}/v1/send/email`,
      auth: appAuth,
      body: sendEmailBody(action),
      deduped: false,
    });
    const deliveryId = bodyField(response.body, 'delivery_id');
    const queuedAt = bodyField(response.body, 'queued_at');
    return {
      status: 'accepted',
      ...(typeof deliveryId === 'string' ? { platformRef: deliveryId } : {}),
      details: {
        ...(typeof deliveryId === 'string' ? { deliveryId } : {}),
        ...(typeof queuedAt === 'number' ? { queuedAt } : {}),
      },
    };
  }

  return {
    manifest: CUSTOMERIO_MANIFEST,
    readResults: (action, ctx) => readBroadcastResults({ appUrl, appAuth, timeoutMs }, action, ctx),
    validate: (action: Action) => validateCustomerIoAction(action, CUSTOMERIO_MANIFEST.id),
    async execute(action: Action, ctx: ExecuteContext): Promise<ExecuteReceipt> {
      const validation = validateCustomerIoAction(action, CUSTOMERIO_MANIFEST.id);
      if (!validation.ok) {
        const summary = validation.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
        throw new AdapterError(
          'UNSUPPORTED_ACTION',
          `Customer.io cannot execute this action: ${summary}`,
        );
      }
      switch (action.type) {
        case 'track_event':
          return trackEvent(action, ctx);
        case 'upsert_contacts':
          return upsertContacts(action, ctx);
        case 'trigger_broadcast':
          return triggerBroadcast(action, ctx);
        case 'send_transactional':
          return sendTransactional(action, ctx);
        default:
          throw new AdapterError(
            'UNSUPPORTED_ACTION',
            `Customer.io does not execute ${action.type}`,
          );
      }
    },
  };
}
