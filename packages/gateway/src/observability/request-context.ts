import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header a request id travels in, in and out. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** A well-formed incoming request id: 1-128 characters of letters, digits and `._:-` (no spaces, no control bytes). */
const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

const context = new AsyncLocalStorage<{ requestId: string }>();

/**
 * The request id of an HTTP request: its well-formed `x-request-id` header (a proxy's or the client's), else a
 * fresh UUID. A malformed or repeated header is replaced, never echoed.
 */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && WELL_FORMED.test(incoming) ? incoming : randomUUID();
}

/** Runs `work` (and everything it starts asynchronously) under `requestId`. */
export function withRequestId<T>(requestId: string, work: () => T): T {
  return context.run({ requestId }, work);
}

/** The id of the HTTP request the current code runs for, if any (undefined for timers and start-up). */
export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}
