import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SUBMITTED_VIA_HEADER } from '@handoff/protocol';
import { context } from '@opentelemetry/api';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import type { Authenticator } from '../auth/authenticate.js';
import { CSRF_HEADER } from '../auth/sessions.js';
import type { Gateway } from '../gateway.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { REQUEST_ID_HEADER, requestIdOf, withRequestId } from '../observability/request-context.js';
import { startRequestSpan } from '../observability/tracing.js';
import { Admission, DEFAULT_MAX_CONCURRENT_REQUESTS } from './admission.js';
import { createConsoleRoute, isConsoleRequest } from './console-route.js';
import { createJsonRoute, isJsonRouteRequest } from './json-route.js';
import { createMcpRoute, failMcp, isMcpRequest } from './mcp-route.js';
import { serveMetrics, timeRequest } from './metrics-route.js';
import { isReadyRequest, type ReadinessProbe, serveReady } from './ready-route.js';
import { appRouter } from './router.js';
import { headerText } from './submitted-via.js';
import { type ApiContext, type ProcedureErrorReport, reportErrorsTo } from './trpc.js';
import { watchUtf8 } from './utf8-guard.js';

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  gateway: Gateway;
  authenticator: Authenticator;
  /** Interface to bind. Default `127.0.0.1`: the gateway is not exposed beyond the machine unless asked. */
  host?: string;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /**
   * Largest request body in bytes, refused before parsing with `PAYLOAD_TOO_LARGE` (HTTP 413). Default 1 MiB,
   * which holds a `plans.submitBatch` of `MAX_BATCH_PLANS` (100) plans of typical size (about 0.4 MB).
   */
  maxBodyBytes?: number;
  /**
   * Requests worked on at once (default {@link DEFAULT_MAX_CONCURRENT_REQUESTS}); more wait, first in first out,
   * with their bodies unread, so memory stays bounded under any number of connections. `health` never waits.
   */
  maxConcurrentRequests?: number;
  /** Served at `GET /metrics`, and told each request's latency. Absent: no `/metrics` route. */
  metrics?: GatewayMetrics;
  /** Called with each error a procedure ends in (for logging without tokens or payloads). */
  onError?: ProcedureErrorReport;
  /** Answers `GET /ready` (see `serveReady`); without it, `/ready` is not served. */
  ready?: ReadinessProbe;
  /** The console's built files, served at `/console/` (see `createConsoleRoute`). Default: the repository's. */
  consoleDir?: string;
}

/** A running gateway HTTP server. */
export interface RunningServer {
  /** Base URL of the tRPC endpoint, e.g. `http://127.0.0.1:51234`. */
  url: string;
  /** Closes every connection at once, requests under way included. */
  close(): Promise<void>;
  /**
   * Stops accepting connections, lets the requests under way finish, closes each keep-alive connection once its
   * last response is sent (a request arriving on one meanwhile is answered with `connection: close`), and
   * resolves once the last connection is closed.
   */
  drain(): Promise<void>;
}

/**
 * Serves the gateway's tRPC router over HTTP (tRPC standalone adapter on `node:http`), at `/json/plans.submit` and
 * `/json/approvals.submit` the same two procedures as plain JSON (see `createJsonRoute`), and at `/mcp` the MCP
 * Streamable HTTP endpoint of `@handoff/mcp` behind the same authentication (see `createMcpRoute`).
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const notUtf8 = new WeakSet<IncomingMessage>();
  const admission = new Admission(options.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS);
  const mcp = createMcpRoute({
    gateway: options.gateway,
    authenticator: options.authenticator,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const consoleRoute = createConsoleRoute(options.consoleDir);
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  /** The procedure context of a request: the same for tRPC and the lean JSON route. */
  const contextOf = (req: IncomingMessage, res: ServerResponse): ApiContext => ({
    gateway: options.gateway,
    authenticator: options.authenticator,
    authorization: req.headers.authorization,
    submittedVia: headerText(req.headers[SUBMITTED_VIA_HEADER]),
    bodyIsUtf8: () => !notUtf8.has(req),
    cookie: req.headers.cookie,
    csrf: headerText(req.headers[CSRF_HEADER]),
    secure: 'encrypted' in req.socket && req.socket.encrypted === true,
    setCookie: (value: string) => void res.appendHeader('set-cookie', value),
  });
  const jsonRoute = createJsonRoute({ maxBodyBytes, contextOf, onError: options.onError });
  const server = createHTTPServer({
    router: appRouter,
    maxBodySize: maxBodyBytes,
    // Admitted first (the body is read only then), and bodies must be UTF-8 (RFC 8259 section 8.1): watched as
    // they stream, refused before any procedure runs.
    // Each request gets an id (a well-formed incoming `x-request-id`, else a new UUID), returned in the same
    // header and carried by everything the request starts (the decision log's `requestId`).
    middleware: (req, res, next) => {
      if (draining) res.setHeader('connection', 'close');
      if (options.ready && isReadyRequest(req)) return void serveReady(res, options.ready);
      if (serveMetrics(req, res, options.metrics)) return;
      if (isConsoleRequest(req)) return void consoleRoute(req, res);
      timeRequest(req, res, options.metrics);
      const requestId = requestIdOf(req);
      res.setHeader(REQUEST_ID_HEADER, requestId);
      // With tracing on, the request runs in a server span continuing the caller's `traceparent`.
      const span = startRequestSpan(
        req.method ?? 'GET',
        (req.url ?? '/').split('?')[0] ?? '/',
        req.headers,
      );
      if (span) res.once('close', () => span.end(res.statusCode));
      // `/mcp` is the MCP endpoint (authenticated there, like every procedure); `/json/plans.submit` and
      // `/json/approvals.submit` the lean JSON route of the hot mutations (see `createJsonRoute`); everything
      // else is tRPC.
      const json = isJsonRouteRequest(req);
      const proceed = isMcpRequest(req)
        ? () => void mcp.serve(req, res).catch(() => failMcp(res))
        : json
          ? () => void jsonRoute(req, res)
          : next;
      const start = () =>
        withRequestId(requestId, () => {
          if (json || proceed === next) watchUtf8(req, () => notUtf8.add(req));
          if (span) context.with(span.context, proceed);
          else proceed();
        });
      if (/^\/health(\?|$)/.test(req.url ?? '')) start();
      else admission.admit(req, res, start);
    },
    createContext: ({ req, res }) => contextOf(req, res),
    onError: reportErrorsTo(options.onError),
  });
  let draining = false;
  // While draining, a keep-alive connection is closed as soon as its last response is sent.
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    res.once('finish', () => {
      if (draining) req.socket.end();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        void mcp.close();
        server.closeAllConnections?.();
        server.close((error?: Error) => (error ? reject(error) : resolve()));
      }),
    drain: () =>
      new Promise<void>((resolve, reject) => {
        draining = true;
        server.close((error?: Error) =>
          error ? reject(error) : mcp.close().then(resolve, reject),
        );
        server.closeIdleConnections();
      }),
  };
}
