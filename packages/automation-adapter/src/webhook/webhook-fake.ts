import { HttpResponse, http } from 'msw';
import {
  type FakeCall,
  type FakePlatform,
  type Fault,
  FaultQueue,
  holdUntilClientAborts,
  recordCall,
} from '../testing/fake-platform.js';
import { cloudEventProblem } from './cloud-event.js';
import type { WebhookPublicKey } from './webhook-keys.js';
import { WEBHOOK_HEADERS } from './webhook-signature.js';
import { verifyWebhook, WebhookVerificationError } from './webhook-verify.js';

/** Options of {@link createWebhookFake}: the keys it trusts (give `secret`, `publicKey` or both). */
export interface WebhookFakeOptions {
  /** e.g. `https://hooks.example.test`: the fake answers POST to every path under it. */
  baseUrl: string;
  /** Trusted `whsec_` secret(s) for `v1` signatures. */
  secret?: string | readonly string[];
  /** Trusted Ed25519 public key(s) for `v1a` signatures. */
  publicKey?: WebhookPublicKey | readonly WebhookPublicKey[];
  /** The receiver's clock, epoch MILLISECONDS. Default `Date.now`. */
  now?: () => number;
  /** Timestamp tolerance in SECONDS. Default 300. */
  toleranceSec?: number;
}

function transportFault(fault: Fault | undefined, request: Request): Promise<Response> | undefined {
  if (fault?.kind === 'timeout') return holdUntilClientAborts(request);
  if (fault?.kind === 'reset') return Promise.resolve(HttpResponse.error());
  return undefined;
}

function problem(status: number, code: string, message: string): Response {
  return HttpResponse.json({ code, message }, { status });
}

/**
 * A fake Standard Webhooks receiver
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md), true to what the
 * spec asks of consumers:
 * - 401 `{ code, message }` when {@link verifyWebhook} fails (bad or missing signature, unknown key, a timestamp
 *   outside the tolerance; `code` is the {@link WebhookVerificationError} code);
 * - 415 when the content type is not `application/cloudevents+json`; 400 when the body is not a CloudEvents 1.0
 *   event or its `id` differs from `webhook-id`;
 * - dedupe on `webhook-id`: a repeat answers 200 `{ received: true, duplicate: true }` and is not applied again;
 * - otherwise 200 `{ received: true, duplicate: false }`, the call applied.
 * Injected faults: `rate_limit` answers 429 with `Retry-After` (seconds, default 1); `server_error` answers 500
 * (or the given status); `timeout` holds the request until the client aborts; `reset` drops the connection. With
 * `applied: true` a timeout or reset happens AFTER the call was verified and applied (the in-doubt case).
 * Every request is recorded in `received`; applied calls in `applied`.
 */
export function createWebhookFake(options: WebhookFakeOptions): FakePlatform {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const faults = new FaultQueue();
  const received: FakeCall[] = [];
  const applied: FakeCall[] = [];
  const seen = new Set<string>();

  const handler = http.post(`${baseUrl}/*`, async ({ request }) => {
    const call = await recordCall(request, now());
    received.push(call);
    const fault = faults.next();
    if (fault?.kind === 'rate_limit') {
      return HttpResponse.json(
        { code: fault.policy ?? 'RATE_LIMITED', message: 'Too many requests' },
        { status: 429, headers: { 'retry-after': String(fault.retryAfterSeconds ?? 1) } },
      );
    }
    if (fault?.kind === 'server_error') {
      return problem(fault.status ?? 500, 'RECEIVER_ERROR', 'The receiver failed');
    }
    if ((fault?.kind === 'timeout' || fault?.kind === 'reset') && !fault.applied) {
      return transportFault(fault, request);
    }
    const body = await request.text();
    try {
      verifyWebhook({
        headers: request.headers,
        body,
        ...(options.secret === undefined ? {} : { secret: options.secret }),
        ...(options.publicKey === undefined ? {} : { publicKey: options.publicKey }),
        ...(options.toleranceSec === undefined ? {} : { toleranceSec: options.toleranceSec }),
        now,
      });
    } catch (error) {
      if (error instanceof WebhookVerificationError) return problem(401, error.code, error.message);
      throw error;
    }
    const contentType = request.headers.get('content-type') ?? '';
    if (!contentType.toLowerCase().startsWith('application/cloudevents+json')) {
      return problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Expected application/cloudevents+json');
    }
    const id = request.headers.get(WEBHOOK_HEADERS.id) ?? '';
    const invalid = cloudEventProblem(call.body);
    if (invalid) return problem(400, 'INVALID_CLOUDEVENT', invalid);
    if ((call.body as { id?: unknown }).id !== id) {
      return problem(400, 'ID_MISMATCH', 'The CloudEvents id differs from webhook-id');
    }
    const duplicate = seen.has(id);
    if (!duplicate) {
      seen.add(id);
      applied.push(call);
    }
    return transportFault(fault, request) ?? HttpResponse.json({ received: true, duplicate });
  });

  return {
    id: 'webhook',
    baseUrl,
    handlers: [handler],
    received,
    applied,
    inject: (fault, count) => faults.push(fault, count),
    reset: () => {
      received.length = 0;
      applied.length = 0;
      seen.clear();
      faults.clear();
    },
  };
}
