import { timingSafeEqual, verify } from 'node:crypto';
import {
  decodeWebhookSecret,
  type ResolvedKey,
  resolvePublicKey,
  type WebhookPublicKey,
  type WebhookScheme,
} from './webhook-keys.js';
import { rawSignature, signedContent, WEBHOOK_HEADERS } from './webhook-signature.js';

/**
 * Why a webhook failed verification:
 * - `MISSING_HEADER`: `webhook-id`, `webhook-timestamp` or `webhook-signature` is absent or empty;
 * - `INVALID_HEADER`: the timestamp is not integer seconds, or a header is repeated;
 * - `TIMESTAMP_TOO_OLD` / `TIMESTAMP_TOO_NEW`: outside `toleranceSec` of the receiver's clock (replay protection);
 * - `NO_MATCHING_SIGNATURE`: no `v1`/`v1a` entry matches a trusted key (bad signature, tampered body or headers,
 *   or an unknown key);
 * - `INVALID_KEY`: the receiver's own key configuration is unusable (no key, a malformed `whsec_` or `whpk_`).
 */
export const WEBHOOK_VERIFICATION_ERROR_CODES = [
  'MISSING_HEADER',
  'INVALID_HEADER',
  'TIMESTAMP_TOO_OLD',
  'TIMESTAMP_TOO_NEW',
  'NO_MATCHING_SIGNATURE',
  'INVALID_KEY',
] as const;
/** One of {@link WEBHOOK_VERIFICATION_ERROR_CODES}. */
export type WebhookVerificationErrorCode = (typeof WEBHOOK_VERIFICATION_ERROR_CODES)[number];

/** The one error {@link verifyWebhook} throws; `code` is stable, the message is for humans. */
export class WebhookVerificationError extends Error {
  readonly code: WebhookVerificationErrorCode;

  constructor(code: WebhookVerificationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookVerificationError';
    this.code = code;
  }
}

/** Request headers as `fetch` (`Headers`) or Node's `IncomingHttpHeaders` give them. */
export type WebhookRequestHeaders =
  | Headers
  | Record<string, string | readonly string[] | undefined>;

/** What {@link verifyWebhook} needs. Give `secret`, `publicKey` or both; each may list several keys (rotation). */
export interface VerifyWebhookOptions {
  headers: WebhookRequestHeaders;
  /** The raw body, exactly as received (never re-serialised JSON). */
  body: string | Uint8Array;
  /** Trusted `whsec_<base64>` secret(s), for `v1` signatures. */
  secret?: string | readonly string[];
  /** Trusted Ed25519 public key(s), for `v1a` signatures. */
  publicKey?: WebhookPublicKey | readonly WebhookPublicKey[];
  /** Allowed distance between `webhook-timestamp` and the clock, in SECONDS, either way. Default 300. */
  toleranceSec?: number;
  /** The receiver's clock, epoch MILLISECONDS. Default `Date.now`. */
  now?: () => number;
}

/** A verified webhook's metadata. */
export interface VerifiedWebhook {
  /** The `webhook-id`: dedupe on it (the spec's idempotency key). */
  id: string;
  /** The `webhook-timestamp`, integer Unix seconds. */
  timestampSec: number;
  /** The scheme of the signature that matched. */
  scheme: WebhookScheme;
}

function header(headers: WebhookRequestHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  const value = entry?.[1];
  if (value === undefined || typeof value === 'string') return value;
  if (value.length > 1) throw new WebhookVerificationError('INVALID_HEADER', `${name} is repeated`);
  return value[0];
}

function list<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

function trustedKeys(options: VerifyWebhookOptions): ResolvedKey[] {
  try {
    const keys: ResolvedKey[] = [
      ...list(options.secret).map(
        (s): ResolvedKey => ({ scheme: 'v1', secret: decodeWebhookSecret(s) }),
      ),
      ...list(options.publicKey).map(resolvePublicKey),
    ];
    if (keys.length === 0) throw new RangeError('No secret or public key to verify with');
    return keys;
  } catch (cause) {
    throw new WebhookVerificationError('INVALID_KEY', (cause as Error).message, { cause });
  }
}

function matches(key: ResolvedKey, content: Buffer, signature: Buffer): boolean {
  if (key.scheme === 'v1') {
    const expected = rawSignature(key, content);
    return signature.length === expected.length && timingSafeEqual(signature, expected);
  }
  return signature.length === 64 && verify(null, content, key.key, signature);
}

/**
 * Verifies a Standard Webhooks request
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md, "Verifying
 * signatures"): the three headers are present, `webhook-timestamp` is within `toleranceSec` of `now`, and at least
 * one space-separated `v1,<base64>` (HMAC-SHA256, compared in constant time) or `v1a,<base64>` (Ed25519) entry of
 * `webhook-signature` is valid for a trusted key over `${id}.${timestamp}.${body}`. Entries of other schemes are
 * ignored (forward compatibility). Dedupe on the returned `id` afterwards.
 * @throws WebhookVerificationError with a {@link WebhookVerificationErrorCode}.
 */
export function verifyWebhook(options: VerifyWebhookOptions): VerifiedWebhook {
  const keys = trustedKeys(options);
  const id = header(options.headers, WEBHOOK_HEADERS.id);
  const timestamp = header(options.headers, WEBHOOK_HEADERS.timestamp);
  const signatures = header(options.headers, WEBHOOK_HEADERS.signature);
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError('MISSING_HEADER', 'A webhook-* header is missing');
  }
  if (!/^\d{1,15}$/.test(timestamp)) {
    throw new WebhookVerificationError(
      'INVALID_HEADER',
      'webhook-timestamp is not integer seconds',
    );
  }
  const timestampSec = Number(timestamp);
  const nowSec = Math.floor((options.now ?? Date.now)() / 1000);
  const toleranceSec = options.toleranceSec ?? 300;
  if (nowSec - timestampSec > toleranceSec) {
    throw new WebhookVerificationError('TIMESTAMP_TOO_OLD', 'webhook-timestamp is too old');
  }
  if (timestampSec - nowSec > toleranceSec) {
    throw new WebhookVerificationError('TIMESTAMP_TOO_NEW', 'webhook-timestamp is in the future');
  }
  const content = signedContent(id, timestamp, options.body);
  for (const entry of signatures.split(' ')) {
    const [scheme, value, ...rest] = entry.split(',');
    if ((scheme !== 'v1' && scheme !== 'v1a') || !value || rest.length > 0) continue;
    const signature = Buffer.from(value, 'base64');
    if (keys.some((key) => key.scheme === scheme && matches(key, content, signature))) {
      return { id, timestampSec, scheme };
    }
  }
  throw new WebhookVerificationError('NO_MATCHING_SIGNATURE', 'No signature matches a trusted key');
}
