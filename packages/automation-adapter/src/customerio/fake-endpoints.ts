import { byteSize, CUSTOMERIO_LIMITS as L } from './limits.js';
import { isUlid, newUlid } from './ulid.js';

/**
 * What one fake endpoint decides about a request: the answer, and, for a request the platform accepts, how to
 * apply it (returning whether it changed anything, so duplicates and no-op upserts are not recorded as applied).
 */
export interface FakeOutcome {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  apply?: () => boolean;
}

/** The platform state behind the Customer.io fake. */
export class CustomerIoFakeState {
  /** People by identifier (`id` or email) and their attributes. */
  readonly people = new Map<string, Record<string, unknown>>();
  /** Event ids received (Customer.io ignores an event whose `id` repeats). */
  readonly eventIds = new Set<string>();
  /** Per broadcast, when it was last triggered (fake clock). */
  readonly lastTrigger = new Map<string, number>();
  /** Per broadcast, how many listed recipients its accepted triggers named (the fake's `sent` metric). */
  readonly sent = new Map<string, number>();
  /** When each queued trigger finishes processing (fake clock); finished ones are dropped. */
  queue: number[] = [];
  nextTriggerId = 1;

  clear(): void {
    this.people.clear();
    this.eventIds.clear();
    this.lastTrigger.clear();
    this.sent.clear();
    this.queue = [];
    this.nextTriggerId = 1;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Customer.io's 400 body: `{ meta: { error } }` (https://customer.io/docs/journeys/invalid-api-requests/). */
export function metaError(status: number, error: string): FakeOutcome {
  return { status, body: { meta: { error } } };
}

/** Customer.io's broadcast 422 body: `{ errors: [{ detail, source: { pointer }, status }] }`. */
function unprocessable(detail: string, pointer: string): FakeOutcome {
  return { status: 422, body: { errors: [{ detail, source: { pointer }, status: '422' }] } };
}

/** PUT `/api/v1/customers/{identifier}`: the Track API's identify limits, then an upsert. */
export function identify(
  state: CustomerIoFakeState,
  identifier: string,
  body: unknown,
): FakeOutcome {
  if (identifier.length === 0) return metaError(400, 'id attribute cannot be an empty string');
  if (byteSize(identifier) > L.MAX_IDENTIFIER_BYTES)
    return metaError(400, 'identifier is too long');
  if (!isRecord(body)) return metaError(400, 'attributes must be a hash');
  const names = Object.keys(body);
  if (names.length > L.MAX_IDENTIFY_ATTRIBUTES)
    return metaError(400, 'cannot identify more than 300 attributes in one request');
  for (const name of names) {
    if (byteSize(name) > L.MAX_ATTRIBUTE_NAME_BYTES)
      return metaError(400, 'attribute name cannot be longer than 150 bytes');
    if (byteSize(body[name]) > L.MAX_ATTRIBUTE_VALUE_BYTES)
      return metaError(400, `value for attribute '${name}' cannot be longer than 1000 bytes`);
  }
  return {
    status: 200,
    body: {},
    apply: () => {
      const before = state.people.get(identifier);
      const after = { ...before, ...body };
      state.people.set(identifier, after);
      return before === undefined || JSON.stringify(before) !== JSON.stringify(after);
    },
  };
}

/** POST `/api/v1/customers/{identifier}/events`: name and data limits, dedupe on the ULID `id`. */
export function trackEvent(
  state: CustomerIoFakeState,
  identifier: string,
  body: unknown,
): FakeOutcome {
  if (identifier.length === 0) return metaError(400, 'id attribute cannot be an empty string');
  if (!isRecord(body)) return metaError(400, 'request body must be a hash');
  const { name, data, id } = body;
  if (typeof name !== 'string' || name.trim().length === 0)
    return metaError(400, 'event name must not be blank');
  if (byteSize(name) > L.MAX_EVENT_NAME_BYTES)
    return metaError(400, 'event name cannot be longer than 100 bytes');
  if (data !== undefined && !isRecord(data)) {
    return metaError(400, 'event data must be a hash (e.g., send "data":{} instead of "data":"")');
  }
  if (data !== undefined && byteSize(data) > L.MAX_EVENT_DATA_BYTES)
    return metaError(400, 'event data cannot be longer than 100000 bytes');
  if (id !== undefined && (typeof id !== 'string' || !isUlid(id)))
    return metaError(400, 'id must be a valid ULID');
  return {
    status: 200,
    body: {},
    apply: () => {
      if (typeof id === 'string') {
        if (state.eventIds.has(id)) return false;
        state.eventIds.add(id);
      }
      return true;
    },
  };
}

const RECIPIENT_KEYS = ['recipients', 'emails', 'ids', 'per_user_data', 'data_file_url'] as const;

/**
 * POST `/v1/campaigns/{broadcast_id}/triggers`: 404 for an unknown broadcast; 429 when the same broadcast was
 * triggered less than 10 s ago or 5 triggers are already queued; 422 over the payload limits; else the trigger
 * is queued for `processingMs` after the previous one and its id returned.
 */
export function triggerBroadcast(
  state: CustomerIoFakeState,
  broadcastId: string,
  body: unknown,
  ctx: {
    now: number;
    knownBroadcasts: ReadonlySet<string> | undefined;
    processingMs: number;
    /** Audience size per Customer.io segment id, for the `sent` metric of a segment-wide trigger. */
    segmentSizes?: Readonly<Record<string, number>>;
  },
): FakeOutcome {
  if (!/^\d+$/.test(broadcastId) || (ctx.knownBroadcasts && !ctx.knownBroadcasts.has(broadcastId)))
    return metaError(404, `broadcast ${broadcastId} not found`);
  state.queue = state.queue.filter((finish) => finish > ctx.now);
  const last = state.lastTrigger.get(broadcastId);
  if (last !== undefined && ctx.now - last < L.BROADCAST_TRIGGER_INTERVAL_MS)
    return metaError(429, 'broadcast triggers are limited to one request every 10 seconds');
  if (state.queue.length >= L.MAX_QUEUED_TRIGGERS)
    return metaError(429, 'too many broadcast triggers queued');
  if (!isRecord(body)) return metaError(400, 'request body must be a hash');
  if (RECIPIENT_KEYS.filter((key) => body[key] !== undefined).length > 1)
    return unprocessable('only one audience option is allowed', '/data/attributes');
  if (byteSize(body) > L.MAX_TRIGGER_PAYLOAD_BYTES)
    return unprocessable('trigger payload is too large', '/data/attributes');
  if (
    body.data !== undefined &&
    (!isRecord(body.data) || byteSize(body.data) > L.MAX_TRIGGER_DATA_BYTES)
  )
    return unprocessable('data must be a hash of at most 50000 bytes', '/data/attributes/data');
  for (const key of ['ids', 'emails'] as const) {
    const list = body[key];
    if (list !== undefined && (!Array.isArray(list) || list.length > L.MAX_TRIGGER_RECIPIENTS))
      return unprocessable(`${key} must list at most 10000 recipients`, `/data/attributes/${key}`);
  }
  const perUser = body.per_user_data;
  if (
    perUser !== undefined &&
    (!Array.isArray(perUser) || perUser.length > L.MAX_TRIGGER_PER_USER_DATA)
  )
    return unprocessable(
      'per_user_data has at most 10000 entries',
      '/data/attributes/per_user_data',
    );
  const triggerId = state.nextTriggerId;
  return {
    status: 200,
    body: { id: triggerId },
    apply: () => {
      state.nextTriggerId += 1;
      state.lastTrigger.set(broadcastId, ctx.now);
      const listed = ['emails', 'ids', 'per_user_data'].map((k) => body[k]);
      const segment = (body.recipients as { segment?: { id?: unknown } } | undefined)?.segment?.id;
      const count = listed.reduce(
        (n: number, l) => n + (Array.isArray(l) ? l.length : 0),
        ctx.segmentSizes?.[String(segment)] ?? 0,
      );
      state.sent.set(broadcastId, (state.sent.get(broadcastId) ?? 0) + count);
      const previous = state.queue.at(-1) ?? ctx.now;
      state.queue.push(Math.max(previous, ctx.now) + ctx.processingMs);
      return true;
    },
  };
}

/** The number of daily steps the fake's metrics series hold: Customer.io's documented maximum for days. */
const METRIC_DAYS = 45;

/**
 * GET `/v1/broadcasts/{broadcast_id}/metrics`
 * (https://docs.customer.io/integrations/api/app/tag/broadcasts/broadcastMetrics/): 404 for an unknown broadcast;
 * else `{ metric: { series } }`, 45 daily counts per metric, oldest first. The fake counts every listed recipient
 * of its accepted triggers, and the configured size of a segment a trigger names, as sent and delivered on the
 * last day; it never opens, clicks or converts.
 */
export function broadcastMetrics(
  state: CustomerIoFakeState,
  broadcastId: string,
  knownBroadcasts: ReadonlySet<string> | undefined,
): FakeOutcome {
  if (!/^\d+$/.test(broadcastId) || (knownBroadcasts && !knownBroadcasts.has(broadcastId)))
    return metaError(404, `broadcast ${broadcastId} not found`);
  const sent = state.sent.get(broadcastId) ?? 0;
  const lastDay = (count: number) => [...Array<number>(METRIC_DAYS - 1).fill(0), count];
  const series: Record<string, number[]> = {};
  for (const name of ['attempted', 'bounced', 'clicked', 'converted', 'failed', 'opened'])
    series[name] = lastDay(0);
  series.sent = lastDay(sent);
  series.delivered = lastDay(sent);
  return { status: 200, body: { metric: { series } } };
}

/** POST `/v1/send/email`: `to` and exactly one identifier required; answers a delivery id. */
export function sendEmail(body: unknown, now: number): FakeOutcome {
  if (!isRecord(body)) return metaError(400, 'request body must be a hash');
  if (typeof body.to !== 'string' || body.to.length === 0) return metaError(400, 'to is required');
  const recipients = [body.to, body.cc, body.bcc]
    .filter((v): v is string => typeof v === 'string' && v.length > 0)
    .flatMap((v) => v.split(','));
  if (recipients.length > L.MAX_TRANSACTIONAL_RECIPIENTS)
    return metaError(400, 'too many recipients: at most 15 across to, cc and bcc');
  const identifiers = body.identifiers;
  const kinds = isRecord(identifiers)
    ? ['id', 'email', 'cio_id'].filter(
        (k) => typeof identifiers[k] === 'string' && identifiers[k] !== '',
      )
    : [];
  if (kinds.length !== 1)
    return metaError(400, 'identifiers must contain exactly one of id, email or cio_id');
  const template = body.transactional_message_id;
  if (template === undefined && (body.body === undefined || body.subject === undefined))
    return metaError(400, 'transactional_message_id or body and subject are required');
  return {
    status: 200,
    body: { delivery_id: newUlid(now), queued_at: Math.floor(now / 1000) },
    apply: () => true,
  };
}
