import type { IncomingMessage, ServerResponse } from 'node:http';
import { getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { appRouter } from './router.js';
import {
  type ApiContext,
  createCallerFactory,
  type ProcedureErrorReport,
  reportErrorsTo,
  toEnvelope,
} from './trpc.js';

/** The procedures served by the lean JSON route, by path: the two mutations every plan goes through. */
const ROUTES = {
  '/json/plans.submit': 'plans.submit',
  '/json/approvals.submit': 'approvals.submit',
} as const;

type JsonPath = keyof typeof ROUTES;

const createCaller = createCallerFactory(appRouter);

/** True for `POST /json/plans.submit` and `POST /json/approvals.submit` (no query string). */
export function isJsonRouteRequest(req: IncomingMessage): boolean {
  return req.method === 'POST' && Object.hasOwn(ROUTES, req.url ?? '');
}

/** Options of {@link createJsonRoute}. */
export interface JsonRouteOptions {
  /** Largest body in bytes; a larger one is refused `PAYLOAD_TOO_LARGE` (413) without being parsed. */
  maxBodyBytes: number;
  /** The procedure context of a request, as the tRPC adapter builds it (credential, UTF-8 check, ...). */
  contextOf: (req: IncomingMessage, res: ServerResponse) => ApiContext;
  /** Told each error a call ends in, as the tRPC adapter tells it. */
  onError: ProcedureErrorReport | undefined;
}

/**
 * Reads the body as text (UTF-8; invalid bytes are flagged by the server's UTF-8 guard and refused by the
 * procedure), or undefined once it passes `max` bytes: reading stops there, and the answer closes the connection.
 */
function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) return void chunks.push(chunk);
      req.off('data', onData);
      req.pause();
      resolve(undefined);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Parses a body as the procedure's input; JSON it is not is refused as tRPC refuses it (`PARSE_ERROR`). */
function inputOf(req: IncomingMessage, body: string): unknown {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json(\s*;|$)/i.test(type)) {
    throw new TRPCError({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'The body must be JSON (content-type: application/json)',
    });
  }
  try {
    return JSON.parse(body) as unknown;
  } catch (cause) {
    throw new TRPCError({ code: 'PARSE_ERROR', message: (cause as Error).message, cause });
  }
}

/**
 * The lean JSON route (issue 14, Performance): `plans.submit` and `approvals.submit`, the two mutations every plan
 * goes through, served beside tRPC without its HTTP adapter. The body is the procedure's input as JSON, the same
 * as `POST /plans.submit` over tRPC; the answer is the procedure's output itself (200), or on a refusal the
 * `ErrorEnvelope` alone (`code`, `message`, `issues` with JSON Pointer paths) under the HTTP status tRPC gives
 * the same error. The procedure runs through the router's own caller (`createCallerFactory(appRouter)`), so input
 * schemas, authentication (bearer credential or console session with CSRF), role checks and the error table
 * (`GATEWAY_ERROR_TABLE`) are the tRPC procedure's, not a copy. What it saves is the adapter's per-request work
 * (a Fetch `Request` built from the node request, the response envelope, batching and content negotiation),
 * which the bare `node:http` baseline of `pnpm bench` does not pay either. Admission, request ids, the UTF-8
 * check, tracing and metrics are the HTTP server's, around it as around tRPC.
 */
export function createJsonRoute(
  options: JsonRouteOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const report = reportErrorsTo(options.onError);
  return async (req, res) => {
    const path = ROUTES[req.url as JsonPath];
    try {
      const body = await readBody(req, options.maxBodyBytes);
      if (body === undefined) {
        throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: 'PAYLOAD_TOO_LARGE' });
      }
      const input = inputOf(req, body);
      const caller = createCaller(options.contextOf(req, res));
      const output =
        path === 'plans.submit'
          ? await caller.plans.submit(input as Parameters<typeof caller.plans.submit>[0])
          : await caller.approvals.submit(input as Parameters<typeof caller.approvals.submit>[0]);
      answer(res, 200, output);
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      report({ path, error });
      if (res.headersSent) return void res.destroy();
      if (error.code === 'PAYLOAD_TOO_LARGE') res.setHeader('connection', 'close');
      answer(res, getHTTPStatusCodeFromError(error), toEnvelope(error));
    }
  };
}
