/**
 * The media type of a CloudEvent in structured content mode with the JSON event format. The CloudEvents HTTP
 * protocol binding, section 3.2 (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/http-protocol-binding.md#32-structured-content-mode)
 * says the `Content-Type` of a structured-mode message MUST be the event format's media type, here
 * `application/cloudevents+json` (JSON event format, section 3), so receivers (and CloudEvents SDKs) tell it from
 * binary mode by this header alone. Standard Webhooks does not constrain the content type ("The payload should be
 * JSON formatted ... but other content types can be used as well") and its verifiers work on the raw body bytes,
 * so a receiver needs no JSON-parsing middleware to check the signature; the `+json` structured-syntax suffix
 * (RFC 6839 section 3.1) tells generic tools the body is JSON.
 */
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

/**
 * A CloudEvents 1.0 event in the JSON format (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md):
 * the required `specversion`, `id`, `source`, `type`, and the optional `time`, `subject`, `datacontenttype`, `data`.
 */
export interface CloudEvent {
  specversion: '1.0';
  /** Unique per `source`: the action's idempotency key, equal to the `webhook-id` header. */
  id: string;
  /** A URI-reference naming the producer, e.g. `urn:handoff:gateway`. */
  source: string;
  /** The event type, e.g. `campaign.approved` (the action's `eventType`). */
  type: string;
  /**
   * When the occurrence happened (CloudEvents: "Timestamp of when the occurrence happened"), RFC 3339 in UTC with
   * milliseconds: when the action was queued, the same on every delivery attempt.
   */
  time: string;
  /** The action's `actionId`. */
  subject: string;
  datacontenttype: 'application/json';
  /** The action's `data`, as given. */
  data: Record<string, unknown>;
}

/** What a CloudEvent is built from. */
export interface CloudEventInput {
  id: string;
  source: string;
  type: string;
  subject: string;
  /** When the occurrence happened, epoch milliseconds. */
  timeMs: number;
  data: Record<string, unknown>;
}

/** Builds the structured-mode envelope (attribute order fixed, so the body is the same for the same input). */
export function buildCloudEvent(input: CloudEventInput): CloudEvent {
  return {
    specversion: '1.0',
    id: input.id,
    source: input.source,
    type: input.type,
    time: new Date(input.timeMs).toISOString(),
    subject: input.subject,
    datacontenttype: 'application/json',
    data: input.data,
  };
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/**
 * Checks a parsed body against the CloudEvents 1.0 required attributes (`specversion` "1.0", non-empty `id`,
 * `source` and `type`) and an RFC 3339 `time` when present. Returns the problem, or undefined when valid.
 */
export function cloudEventProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'not a JSON object';
  const event = value as Record<string, unknown>;
  if (event.specversion !== '1.0') return 'specversion is not "1.0"';
  for (const name of ['id', 'source', 'type'] as const) {
    if (!nonEmptyString(event[name])) return `${name} is missing or empty`;
  }
  if (event.time !== undefined && Number.isNaN(Date.parse(String(event.time))))
    return 'time is not RFC 3339';
  return undefined;
}
