import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpHttpHandler } from '@handoff/mcp';
import { SUBMITTED_VIA_HEADER } from '@handoff/protocol';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { Authenticator } from '../auth/authenticate.js';
import { GatewayError, gatewayErrorEnvelope, isGatewayError } from '../errors.js';
import type { Gateway } from '../gateway.js';
import { appRouter } from './router.js';
import { type ProcedureErrorReport, reportErrorsTo } from './trpc.js';

/** The path of the MCP Streamable HTTP endpoint on the gateway. */
export const MCP_PATH = '/mcp';

/** True for a request to {@link MCP_PATH} (query string ignored). */
export function isMcpRequest(req: IncomingMessage): boolean {
  return /^\/mcp(?:\?|$)/.test(req.url ?? '');
}

/** Options of {@link createMcpRoute}. */
export interface McpRouteOptions {
  gateway: Gateway;
  authenticator: Authenticator;
  /** Called with each error an API call of an MCP session ends in, as the HTTP server's own `onError`. */
  onError?: ProcedureErrorReport;
}

/** The gateway's `/mcp` endpoint: serve an MCP request, close every MCP session. */
export interface McpRoute {
  serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves `@handoff/mcp`'s Streamable HTTP handler at `/mcp`, behind the gateway's own authentication: every
 * request is authenticated as tRPC's are (`Authorization: Bearer` with an API key or JWT of the gateway's
 * config), and refused with 401 and the `UNAUTHENTICATED` envelope otherwise. The MCP server calls the gateway's
 * API with that same credential, in process (tRPC's fetch adapter on the same router, so no second HTTP hop and
 * no second admission slot): tenant, roles and visibility are exactly the caller's. The MCP package is loaded on
 * the first `/mcp` request.
 */
export function createMcpRoute(options: McpRouteOptions): McpRoute {
  const { gateway, authenticator } = options;
  let handler: Promise<McpHttpHandler> | undefined;
  const inProcessFetch = (input: string, init: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    return fetchRequestHandler({
      endpoint: '',
      req,
      router: appRouter,
      createContext: () => ({
        gateway,
        authenticator,
        authorization: req.headers.get('authorization') ?? undefined,
        submittedVia: req.headers.get(SUBMITTED_VIA_HEADER) ?? undefined,
      }),
      onError: reportErrorsTo(options.onError),
    });
  };
  const load = () => {
    handler ??= import('@handoff/mcp').then(({ createMcpHttpHandler }) =>
      // The URL only names procedures: calls never leave the process.
      createMcpHttpHandler({ gatewayUrl: 'http://gateway.invalid', fetch: inProcessFetch }),
    );
    return handler;
  };
  return {
    async serve(req, res) {
      const authorization = req.headers.authorization;
      let identity: string;
      try {
        const principal = await authenticator.authenticate(authorization);
        identity = JSON.stringify([principal.tenantId, principal.id]);
      } catch (error) {
        const refusal = isGatewayError(error)
          ? error
          : new GatewayError('UNAUTHENTICATED', 'The credential could not be checked');
        const status = refusal.code === 'UNAUTHENTICATED' ? 401 : 503;
        res.writeHead(status, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        res.end(JSON.stringify(gatewayErrorEnvelope(refusal)));
        return;
      }
      await (await load()).handle(req, res, { identity, authorization: authorization ?? '' });
    },
    async close() {
      if (handler) await (await handler).close();
    },
  };
}

/** Answers an MCP request that failed inside the gateway with 500 and the `INTERNAL` envelope (no detail). */
export function failMcp(res: ServerResponse): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(500, { 'content-type': 'application/json' });
  res.end(JSON.stringify(gatewayErrorEnvelope(new GatewayError('INTERNAL', 'Internal error'))));
}
