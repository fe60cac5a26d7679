/**
 * The console's one door to the gateway: its tRPC HTTP API on the same origin (see `WIRE_PROCEDURES` in
 * `@handoff/protocol`: `GET /<path>?input=<url-encoded JSON>` for a query, `POST /<path>` with the input as JSON
 * body for a mutation; the answer is `{ "result": { "data": ... } }`, a refusal
 * `{ "error": { "data": { "handoff": ErrorEnvelope } } }`). Plain `fetch`: the session travels in the HttpOnly
 * cookie `handoff_session` (sent by the browser, same origin), and every mutation carries the session's CSRF
 * token in the `x-handoff-csrf` header.
 */
import type { WireInput, WireOutput, WireProcedurePath } from '@handoff/protocol';

/** The header every mutation made with a session carries (its value: the session's `csrfToken`). */
export const CSRF_HEADER = 'x-handoff-csrf';

/** A refusal of the gateway: its stable `code` (e.g. `FORBIDDEN`), message, HTTP status and issues. */
export class RpcError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly issues: readonly { path: string; code: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

let csrfToken: string | undefined;

/** Remembers the session's CSRF token (from `session.signIn` or `session.get`); `undefined` forgets it. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** The `fetch` the console calls (tests pass their own). */
export type Fetch = (input: string, init: RequestInit) => Promise<Response>;
let fetchImpl: Fetch = (input, init) => fetch(input, init);

/** Replaces the `fetch` used (for unit tests); returns the previous one. */
export function useFetch(impl: Fetch): Fetch {
  const previous = fetchImpl;
  fetchImpl = impl;
  return previous;
}

interface Envelope {
  code?: string;
  message?: string;
  issues?: { path: string; code: string; message: string }[];
}

async function answer<T>(response: Response): Promise<T> {
  let body: { result?: { data?: T }; error?: { message?: string; data?: { handoff?: Envelope } } };
  try {
    body = await response.json();
  } catch {
    throw new RpcError('INTERNAL', `The gateway answered HTTP ${response.status}`, response.status);
  }
  if (body.error || !response.ok || !body.result) {
    const envelope = body.error?.data?.handoff ?? {};
    throw new RpcError(
      envelope.code ?? 'INTERNAL',
      envelope.message ?? body.error?.message ?? `HTTP ${response.status}`,
      response.status,
      envelope.issues ?? [],
    );
  }
  return body.result.data as T;
}

/** Calls a query procedure (`GET`), with the session cookie. */
export async function query<P extends WireProcedurePath>(
  path: P,
  ...input: undefined extends WireInput<P> ? [WireInput<P>?] : [WireInput<P>]
): Promise<WireOutput<P>> {
  const search =
    input[0] === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input[0]))}`;
  const response = await fetchImpl(`/${path}${search}`, {
    method: 'GET',
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
  });
  return answer<WireOutput<P>>(response);
}

/** Calls a mutation procedure (`POST`, JSON body), with the session cookie and the `x-handoff-csrf` header. */
export async function mutate<P extends WireProcedurePath>(
  path: P,
  ...input: undefined extends WireInput<P> ? [WireInput<P>?] : [WireInput<P>]
): Promise<WireOutput<P>> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
  };
  if (csrfToken) headers[CSRF_HEADER] = csrfToken;
  const response = await fetchImpl(`/${path}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers,
    body: JSON.stringify(input[0] ?? {}),
  });
  return answer<WireOutput<P>>(response);
}
