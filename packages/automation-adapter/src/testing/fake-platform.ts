import { HttpResponse, type RequestHandler } from 'msw';

/** One request a fake received, with credentials redacted. */
export interface FakeCall {
  method: string;
  /** Path and query, e.g. `/automation/v2/workflows/123/enrollments/contacts/a%40b.com`. */
  path: string;
  /** Lower-cased header names; `authorization` and other secrets replaced by `[redacted]`. */
  headers: Record<string, string>;
  /** Parsed JSON body, or the raw text. */
  body: unknown;
  /** The fake's clock when received (epoch ms). */
  at: number;
}

/** A fault the next matching requests meet, injected by tests (throttling, errors, timeouts, resets). */
export type Fault =
  /** The platform's own 429 body and headers (e.g. HubSpot's TEN_SECONDLY_ROLLING, `Retry-After`). */
  | { kind: 'rate_limit'; retryAfterSeconds?: number; policy?: string }
  | { kind: 'server_error'; status?: 500 | 502 | 503 }
  /** No answer until the client gives up; the request is applied first when `applied` (the in-doubt case). */
  | { kind: 'timeout'; applied?: boolean }
  /** The connection is reset; the request is applied first when `applied`. */
  | { kind: 'reset'; applied?: boolean };

/**
 * A local fake of a platform: msw handlers reproducing its documented contract (auth, validation errors, limits,
 * error bodies), a record of every request and of every call it APPLIED (what really happened at the platform),
 * and fault injection. The same handlers serve tests in process (msw `setupServer`) or over HTTP on 127.0.0.1
 * (`serveFake`).
 */
export interface FakePlatform {
  readonly id: string;
  /** Base URL the handlers answer, e.g. `https://api.hubapi.com`; `serveFake` maps it to a local port. */
  readonly baseUrl: string;
  readonly handlers: RequestHandler[];
  /** Every request received, in order. */
  readonly received: readonly FakeCall[];
  /** Every request the platform applied (deduplicated where the platform dedupes), in order. */
  readonly applied: readonly FakeCall[];
  /** The next `count` (default 1) requests meet `fault`. */
  inject(fault: Fault, count?: number): void;
  /** Forgets calls, faults and platform state. */
  reset(): void;
}

const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'api-key', 'cookie']);

/** Reads a request into a {@link FakeCall}, redacting credentials. */
export async function recordCall(request: Request, now: number): Promise<FakeCall> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, key) => {
    headers[key] = SECRET_HEADERS.has(key) ? '[redacted]' : value;
  });
  const text = await request.clone().text();
  let body: unknown = text;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    // keep the raw text
  }
  return { method: request.method, path: `${url.pathname}${url.search}`, headers, body, at: now };
}

/** A queue of injected faults, shared by every fake. */
export class FaultQueue {
  #faults: Fault[] = [];

  push(fault: Fault, count = 1): void {
    for (let i = 0; i < count; i += 1) this.#faults.push(fault);
  }

  /** The fault the current request meets, if any. */
  next(): Fault | undefined {
    return this.#faults.shift();
  }

  clear(): void {
    this.#faults = [];
  }
}

/**
 * For `timeout` faults: holds a request until the client gives up (its signal aborts, e.g. the adapter's timeout),
 * then answers with a network error; gives up itself after `maxMs` (MILLISECONDS, default 60,000; requests served by
 * `serveFake` carry no client signal). A 10 ms timer polls the signal and so keeps the pending handler reachable: a
 * handler waiting only on a `request.signal` 'abort' listener, with no timer referencing it, was seen to be
 * garbage-collected before the abort arrived, leaving the client's fetch (and the adapter's `execute`) hanging.
 */
export function holdUntilClientAborts(request: Request, maxMs = 60_000): Promise<Response> {
  const started = Date.now();
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (request.signal.aborted || Date.now() - started > maxMs) {
        clearInterval(timer);
        resolve(HttpResponse.error());
      }
    }, 10);
  });
}
