import { createHash } from 'node:crypto';
import { type Action, type ActionOf, ActionSchema, toJsonPointer } from '@handoff/protocol';
import type {
  AdapterManifest,
  AdapterValidation,
  AutomationAdapter,
  ExecuteContext,
  ExecuteReceipt,
} from '../adapter.js';
import { AdapterError } from '../adapter-error.js';
import { type ErrorBodyReader, errorFromResponse, sendPlatformRequest } from '../http.js';
import { buildCloudEvent, CLOUDEVENTS_CONTENT_TYPE } from './cloud-event.js';
import {
  guardedAgent,
  isPrivateHost,
  PRIVATE_ADDRESS_CODE,
  resolvePublic,
  systemResolver,
  type WebhookResolver,
  webhookHost,
} from './webhook-address.js';
import { type ResolvedKey, resolveSigningKey, type WebhookSigningKey } from './webhook-keys.js';
import { isSafeMessageId, webhookHeaders } from './webhook-signature.js';

/** The Standard Webhooks specification this adapter follows. */
export const STANDARD_WEBHOOKS_SPEC =
  'https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md';

/** Options of {@link createWebhookAdapter}. */
export interface WebhookAdapterOptions {
  /** The id plans name in `action.adapter`. Default `webhook`. */
  id?: string;
  /**
   * The signing key, or several during a rotation (each adds one entry to `webhook-signature`, new key first):
   * `{ scheme: 'v1', secret: 'whsec_<base64 of 24-64 random bytes>' }` (HMAC-SHA256) or
   * `{ scheme: 'v1a', privateKey }` (Ed25519 `whsk_<base64>`, private JWK or `KeyObject`).
   */
  signing: WebhookSigningKey | readonly WebhookSigningKey[];
  /** Per-request timeout in MILLISECONDS. Default 15,000 (the spec recommends receivers get 15 to 30 s). */
  timeoutMs?: number;
  /** The CloudEvents `source` (a URI-reference). Default `urn:handoff:gateway`. */
  source?: string;
  /**
   * Lets webhooks target loopback, private, link-local and reserved addresses (a receiver on the operator's own
   * network). Default false: such URLs are refused by `validate`, and host names are checked again after DNS
   * resolution, at connect time.
   */
  allowPrivateNetworks?: boolean;
  /** How host names are resolved (default: the system resolver, as `fetch` would). For tests. */
  resolve?: WebhookResolver;
}

const readError: ErrorBodyReader = (body) => {
  if (typeof body === 'string' && body.length > 0) return { platformMessage: body };
  if (typeof body !== 'object' || body === null) return {};
  const fields = body as Record<string, unknown>;
  const message = [fields.message, fields.error, fields.title].find((v) => typeof v === 'string');
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  return {
    ...(typeof message === 'string' ? { platformMessage: message } : {}),
    ...(code ? { platformCode: code } : {}),
  };
};

/**
 * The `webhook-id` (and CloudEvents `id`) of an idempotency key: the key itself when the spec allows it in the
 * signed content (printable ASCII without `.` or spaces, at most 256 characters), else `sha256_` + the base64url
 * SHA-256 of the key. Deterministic either way, so every retry carries the same id.
 */
export function webhookMessageId(idempotencyKey: string): string {
  if (isSafeMessageId(idempotencyKey)) return idempotencyKey;
  return `sha256_${createHash('sha256').update(idempotencyKey, 'utf8').digest('base64url')}`;
}

function validateWebhook(action: Action, allowPrivate: boolean): AdapterValidation {
  if (action.type !== 'call_webhook') {
    return {
      ok: false,
      issues: [
        {
          path: '/type',
          code: 'UNSUPPORTED_ACTION',
          message: `The webhook adapter executes call_webhook, not ${action.type}`,
        },
      ],
    };
  }
  const parsed = ActionSchema.safeParse(action);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({
        path: toJsonPointer(issue.path),
        code: 'INVALID_ACTION',
        message: issue.message,
      })),
    };
  }
  if (!allowPrivate && isPrivateHost(action.params.url)) {
    return {
      ok: false,
      issues: [
        {
          path: '/params/url',
          code: 'PRIVATE_HOST',
          message: 'Webhooks may not target localhost or private, link-local or reserved addresses',
        },
      ],
    };
  }
  return { ok: true };
}

/** Resolves the URL's host and throws `INVALID_REQUEST` (not retryable, nothing sent) when an answer is blocked. */
async function refusePrivateAnswers(resolver: WebhookResolver, url: string): Promise<void> {
  const host = webhookHost(url) ?? '';
  try {
    await resolvePublic(resolver, host);
  } catch (cause) {
    if ((cause as { code?: unknown }).code !== PRIVATE_ADDRESS_CODE) return; // fetch reports DNS failures
    throw new AdapterError(
      'INVALID_REQUEST',
      `The webhook host resolves to a private, loopback, link-local or reserved address (set allowPrivateNetworks to allow it)`,
      { retryable: false, cause },
    );
  }
}

function receiptOf(status: number, messageId: string): ExecuteReceipt {
  return {
    status: status === 202 ? 'accepted' : 'succeeded',
    platformRef: messageId,
    details: { httpStatus: status, webhookId: messageId },
  };
}

/**
 * The reference adapter for HTTPS webhooks. It executes `call_webhook` actions: one POST to `params.url` whose
 * body is a CloudEvents 1.0 event in structured mode (`application/cloudevents+json`, see
 * {@link CLOUDEVENTS_CONTENT_TYPE}): `id` = the `webhook-id`, `source`, `type` = `params.eventType`, `time` = when the
 * action was queued (`ctx.queuedAt`, the same on every retry), `subject` = `actionId`, `datacontenttype: application/json`, `data` = `params.data`. The request
 * is signed per Standard Webhooks ({@link STANDARD_WEBHOOKS_SPEC}): `webhook-id` = {@link webhookMessageId} of the
 * idempotency key (the same on every retry), `webhook-timestamp` = `floor(ctx.now() / 1000)` (integer seconds,
 * fresh on each attempt), `webhook-signature` = `v1,<base64 HMAC-SHA256>` and/or `v1a,<base64 Ed25519>` over
 * `${id}.${timestamp}.${body}`. Receivers dedupe on `webhook-id` (the spec's "use the webhook-id header as an
 * idempotency key"), hence `idempotency: 'platform_key'`: a timeout is `TIMEOUT` and a reset
 * `PLATFORM_UNAVAILABLE`, both retryable with the same key.
 *
 * Answers: 2xx succeeds (202 `accepted`); 410 Gone is `NOT_FOUND` (the spec: stop sending to this endpoint); 401
 * and 403 `AUTH_FAILED`; 429 `RATE_LIMITED` with `Retry-After`; 5xx `PLATFORM_UNAVAILABLE`; other statuses
 * (including 3xx: redirects are not followed) `INVALID_REQUEST` or a transport failure.
 *
 * `validate` refuses other action types (`UNSUPPORTED_ACTION`), actions failing the protocol schema
 * (`INVALID_ACTION`) and URLs naming localhost or a private, link-local or reserved IP literal (`PRIVATE_HOST`);
 * `execute` throws `AdapterError` `UNSUPPORTED_ACTION` for any of these before sending anything.
 * @throws RangeError at creation when a signing key is unusable (e.g. a secret without `whsec_` or under 24 bytes,
 *   a `whsk_` key of the wrong length).
 */
export function createWebhookAdapter(options: WebhookAdapterOptions): AutomationAdapter {
  const signing: readonly WebhookSigningKey[] = Array.isArray(options.signing)
    ? options.signing
    : [options.signing as WebhookSigningKey];
  if (signing.length === 0) throw new RangeError('At least one signing key is needed');
  const keys: readonly ResolvedKey[] = signing.map(resolveSigningKey);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const source = options.source ?? 'urn:handoff:gateway';
  const allowPrivate = options.allowPrivateNetworks ?? false;
  const resolver = options.resolve ?? systemResolver;
  // Without the opt-in, every connection resolves through a lookup that refuses blocked answers.
  const dispatcher = allowPrivate ? undefined : guardedAgent(resolver);
  const validate = (action: Action) => validateWebhook(action, allowPrivate);
  const manifest: AdapterManifest = {
    id: options.id ?? 'webhook',
    platform: 'HTTPS webhook receiver (Standard Webhooks, CloudEvents 1.0)',
    actionTypes: ['call_webhook'],
    idempotency: 'platform_key',
    supportsDryRun: false,
    supportsStatus: false,
    supportsCancel: false,
    // Receivers set their own limits; a 429 with Retry-After is honoured per request.
    rateLimits: [],
    docs: [
      STANDARD_WEBHOOKS_SPEC,
      'https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md',
      'https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/http-protocol-binding.md',
    ],
  };

  async function execute(action: Action, ctx: ExecuteContext): Promise<ExecuteReceipt> {
    const validation = validate(action);
    if (!validation.ok) {
      const detail = validation.issues.map((i) => `${i.path} ${i.code}: ${i.message}`).join('; ');
      throw new AdapterError(
        'UNSUPPORTED_ACTION',
        `Not executable by the webhook adapter: ${detail}`,
      );
    }
    const webhook = action as ActionOf<'call_webhook'>;
    if (!allowPrivate) await refusePrivateAnswers(resolver, webhook.params.url);
    const id = webhookMessageId(ctx.idempotencyKey);
    let body: string;
    let headers: Record<string, string>;
    try {
      // `time` is when the event happened (the action was queued): the same body on every retry. Only the
      // `webhook-timestamp` of the attempt moves, as the spec's replay window needs.
      body = JSON.stringify(
        buildCloudEvent({
          id,
          source,
          type: webhook.params.eventType,
          subject: webhook.actionId,
          timeMs: ctx.queuedAt,
          data: webhook.params.data,
        }),
      );
      headers = {
        'content-type': CLOUDEVENTS_CONTENT_TYPE,
        ...webhookHeaders({ id, timestampSec: Math.floor(ctx.now() / 1000), body }, keys),
      };
    } catch (cause) {
      throw new AdapterError('INVALID_REQUEST', 'The webhook could not be built or signed', {
        cause,
      });
    }
    const response = await sendPlatformRequest(ctx, {
      method: 'POST',
      url: webhook.params.url,
      headers,
      body,
      timeoutMs,
      deduped: true,
      ...(dispatcher ? { dispatcher } : {}),
    });
    if (response.status >= 200 && response.status < 300) return receiptOf(response.status, id);
    if (response.status === 410) {
      throw new AdapterError('NOT_FOUND', '410 Gone: the receiver asks to stop sending to it', {
        retryable: false,
        platform: { status: 410, platformCode: 'GONE' },
      });
    }
    throw errorFromResponse(response, readError, ctx.now());
  }

  return { manifest, validate, execute };
}
