import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FetchLike } from '@handoff/copilot-adapter';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createHandoffMcpServer } from './server.js';

/** Who sent an HTTP request, as the gateway authenticated it. */
export interface McpCaller {
  /** A stable key of the principal (tenant and id): a session answers only the caller that opened it. */
  identity: string;
  /** The request's `Authorization` header, forwarded to the gateway's API for this session's calls. */
  authorization: string;
}

/** Options of {@link createMcpHttpHandler}. */
export interface McpHttpHandlerOptions {
  /** The gateway's API base URL for the sessions' calls. */
  gatewayUrl: string;
  /** The `fetch` of those calls: the gateway passes one that runs its API in process. */
  fetch?: FetchLike;
  /** Sessions kept at once; opening one more closes the least recently used. Default 1000. */
  maxSessions?: number;
  /**
   * Sessions one caller keeps at once; its next one closes its own least recently used, so no caller can push
   * another's sessions out. Default 16.
   */
  maxSessionsPerCaller?: number;
}

/** The Streamable HTTP endpoint: handle an authenticated request, close every session. */
export interface McpHttpHandler {
  handle(req: IncomingMessage, res: ServerResponse, caller: McpCaller): Promise<void>;
  /** Closes every session. */
  close(): Promise<void>;
  /** Sessions open now. */
  readonly sessions: number;
}

interface Session {
  identity: string;
  authorization: string;
  transport: StreamableHTTPServerTransport;
  server: Server;
}

function jsonRpcError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/**
 * The MCP Streamable HTTP endpoint the gateway mounts at `/mcp`
 * ([Streamable HTTP](https://modelcontextprotocol.io/specification/2025-06-18/basic/transports#streamable-http)),
 * stateful: `initialize` opens a session (`Mcp-Session-Id`, a random UUID), each with its own MCP server whose
 * gateway calls carry the latest `Authorization` of that session's requests.
 *
 * - The gateway authenticates every request first (its own API keys and JWTs) and passes the caller; a session
 *   answers only the identity that opened it (another's requests get 404, as an unknown session).
 * - Answers are JSON, not SSE streams, and `GET` (the server-to-client stream) is refused with 405: this server
 *   sends nothing unasked, so no request holds a connection open.
 * - `DELETE` with the session id closes the session. Sessions live in memory until then, until the caller opens more
 *   than `maxSessionsPerCaller` (or all callers more than `maxSessions`: the least recently used goes), or until
 *   the gateway stops.
 */
export function createMcpHttpHandler(options: McpHttpHandlerOptions): McpHttpHandler {
  const sessions = new Map<string, Session>();
  const maxSessions = options.maxSessions ?? 1000;
  const maxPerCaller = options.maxSessionsPerCaller ?? 16;

  /** Forgets a session and closes its server (in the background: the caller does not wait on it). */
  function evict(id: string): void {
    const session = sessions.get(id);
    sessions.delete(id);
    void session?.server.close();
  }

  function open(caller: McpCaller): Session {
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => {
        const own = [...sessions].filter(([, s]) => s.identity === caller.identity);
        for (const [oldest] of own.slice(0, Math.max(0, own.length - maxPerCaller + 1))) {
          evict(oldest);
        }
        while (sessions.size >= maxSessions) {
          const [oldest] = sessions.keys();
          if (oldest === undefined) break;
          evict(oldest);
        }
        sessions.set(id, session);
      },
    });
    const session: Session = {
      identity: caller.identity,
      authorization: caller.authorization,
      transport,
      server: createHandoffMcpServer({
        gatewayUrl: options.gatewayUrl,
        credential: () => session.authorization.trim().replace(/^bearer\s+/i, ''),
        sessionId: () => transport.sessionId,
        retry: false,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    };
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    return session;
  }

  return {
    get sessions() {
      return sessions.size;
    },
    async handle(req, res, caller) {
      if (req.method === 'GET') {
        res.setHeader('allow', 'POST, DELETE');
        return jsonRpcError(
          res,
          405,
          'This server sends no unrequested messages: POST requests only',
        );
      }
      const header = req.headers['mcp-session-id'];
      const id = Array.isArray(header) ? header[0] : header;
      if (id !== undefined) {
        const session = sessions.get(id);
        if (!session || session.identity !== caller.identity) {
          return jsonRpcError(res, 404, 'Session not found');
        }
        // Most recently used last, so the oldest is the first key.
        sessions.delete(id);
        sessions.set(id, session);
        session.authorization = caller.authorization;
        return session.transport.handleRequest(req, res);
      }
      const session = open(caller);
      await session.server.connect(session.transport);
      await session.transport.handleRequest(req, res);
      // Anything but an initialize request without a session was refused by the transport: nothing to keep.
      if (session.transport.sessionId === undefined) await session.server.close();
    },
    async close() {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.all(open.map((s) => s.server.close()));
    },
  };
}
