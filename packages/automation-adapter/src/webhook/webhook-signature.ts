import { createHmac, sign } from 'node:crypto';
import { type ResolvedKey, resolveSigningKey, type WebhookSigningKey } from './webhook-keys.js';

/**
 * The Standard Webhooks header names
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md, "Webhook headers").
 */
export const WEBHOOK_HEADERS = {
  /** The message id, the same on every retry: receivers dedupe on it. */
  id: 'webhook-id',
  /** The attempt's time, integer Unix seconds. */
  timestamp: 'webhook-timestamp',
  /** Space-separated `<scheme>,<base64 signature>` entries, one per signing key (key rotation). */
  signature: 'webhook-signature',
} as const;

/**
 * A message id the spec allows in the signed content: not empty, at most 256 printable ASCII characters without
 * `.` (the content delimiter: "It's important that both the message id and the timestamp not ... include any `.`")
 * or spaces.
 */
const SAFE_MESSAGE_ID = /^[!-\-/-~]{1,256}$/;

/** True when `id` can be a `webhook-id` as is (see the rule above). */
export function isSafeMessageId(id: string): boolean {
  return SAFE_MESSAGE_ID.test(id);
}

/**
 * The signed content: `${id}.${timestamp}.${body}` as UTF-8 bytes, with the timestamp as sent in its header
 * (integer seconds) and the body's exact bytes.
 */
export function signedContent(
  id: string,
  timestamp: number | string,
  body: string | Uint8Array,
): Buffer {
  const prefix = Buffer.from(`${id}.${timestamp}.`, 'utf8');
  return Buffer.concat([prefix, typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
}

/** The raw signature bytes of `content` with one key: HMAC-SHA256 (`v1`) or Ed25519 (`v1a`). */
export function rawSignature(key: ResolvedKey, content: Uint8Array): Buffer {
  if (key.scheme === 'v1') return createHmac('sha256', key.secret).update(content).digest();
  return sign(null, content, key.key);
}

/** What a webhook is signed over. */
export interface WebhookSignInput {
  /** The `webhook-id`; see {@link isSafeMessageId}. */
  id: string;
  /** The `webhook-timestamp`, integer Unix seconds. */
  timestampSec: number;
  /** The exact body sent. */
  body: string | Uint8Array;
}

/**
 * The `webhook-signature` header value: one `v1,<base64>` or `v1a,<base64>` entry per key, space-separated, in
 * the order of `keys` (sign with the new and the old key during a rotation).
 * @throws RangeError on an unsafe id, a non-integer timestamp, no key, or a public (verification-only) key.
 */
export function signWebhook(input: WebhookSignInput, keys: readonly ResolvedKey[]): string {
  if (!isSafeMessageId(input.id))
    throw new RangeError('The webhook id is empty, too long or has "."');
  if (!Number.isSafeInteger(input.timestampSec) || input.timestampSec < 0) {
    throw new RangeError('The webhook timestamp is a non-negative integer of seconds');
  }
  if (keys.length === 0) throw new RangeError('At least one signing key is needed');
  const content = signedContent(input.id, input.timestampSec, input.body);
  return keys
    .map((key) => {
      if (key.scheme === 'v1a' && key.type !== 'private')
        throw new RangeError('A public key cannot sign');
      return `${key.scheme},${rawSignature(key, content).toString('base64')}`;
    })
    .join(' ');
}

/** The headers of a signed webhook (lower-case names), ready to send. */
export function webhookHeaders(
  input: WebhookSignInput,
  keys: readonly ResolvedKey[],
): Record<string, string> {
  return {
    [WEBHOOK_HEADERS.id]: input.id,
    [WEBHOOK_HEADERS.timestamp]: String(input.timestampSec),
    [WEBHOOK_HEADERS.signature]: signWebhook(input, keys),
  };
}

/**
 * The Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`) for one message signed
 * with the sender's keys as configured (`whsec_` secrets, `whsk_` or JWK Ed25519 keys; several during a rotation):
 * what any Handoff component that POSTs webhooks (the webhook adapter, the gateway's notifications) sends.
 *
 * @throws RangeError on an unusable key, an unsafe id or a non-integer timestamp (see {@link signWebhook}).
 */
export function signedWebhookHeaders(
  input: WebhookSignInput,
  signing: WebhookSigningKey | readonly WebhookSigningKey[],
): Record<string, string> {
  const list: readonly WebhookSigningKey[] = Array.isArray(signing)
    ? signing
    : [signing as WebhookSigningKey];
  return webhookHeaders(input, list.map(resolveSigningKey));
}
