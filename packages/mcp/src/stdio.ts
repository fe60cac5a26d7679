import { randomUUID } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import type { FetchLike } from '@handoff/copilot-adapter';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { signerFromEnv } from './plan-signer.js';
import { createHandoffMcpServer } from './server.js';

/** The environment variable holding the copilot's API key (or JWT) for the stdio server: never a flag. */
export const API_KEY_ENV = 'HANDOFF_API_KEY';

/** Options of {@link runStdioServer}. */
export interface StdioServerOptions {
  /** The gateway's base URL (`--gateway`). */
  gatewayUrl: string;
  /** Where the API key and copilot key come from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The MCP stream in and out. Default stdin and stdout (nothing else may write to stdout). */
  stdin?: Readable;
  stdout?: Writable;
  /** The gateway client's `fetch` (tests). */
  fetch?: FetchLike;
}

/** Why the stdio server cannot start, in words for the person who started it (no secret in it). */
export class StdioConfigError extends Error {
  override readonly name = 'StdioConfigError';
}

/**
 * Serves MCP over stdio ([MCP stdio transport](https://modelcontextprotocol.io/specification/2025-06-18/basic/transports#stdio))
 * for one copilot: the API key from `HANDOFF_API_KEY`, the copilot's private JWK for provenance signatures from
 * `HANDOFF_COPILOT_KEY_FILE` (a path) or `HANDOFF_COPILOT_PRIVATE_JWK` (the JSON), when set. The process is one
 * connection: its session id (recorded with each plan it submits) is a UUID made at start, since stdio has no
 * `Mcp-Session-Id`.
 *
 * @returns a function that closes the server. @throws StdioConfigError without an API key or with a bad gateway
 *   URL; PlanSigningError `INVALID_KEY` for an unusable copilot key.
 */
export async function runStdioServer(options: StdioServerOptions): Promise<() => Promise<void>> {
  const env = options.env ?? process.env;
  const credential = env[API_KEY_ENV];
  if (!credential) {
    throw new StdioConfigError(`Set ${API_KEY_ENV} to the copilot's API key (it is never a flag)`);
  }
  let url: URL;
  try {
    url = new URL(options.gatewayUrl);
  } catch {
    throw new StdioConfigError(
      `--gateway must be an absolute http(s) URL, got ${options.gatewayUrl}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new StdioConfigError(`--gateway must be an http: or https: URL, got ${url.protocol}`);
  }
  const signer = await signerFromEnv(env);
  const sessionId = randomUUID();
  const server = createHandoffMcpServer({
    gatewayUrl: url.href,
    credential,
    sessionId: () => sessionId,
    ...(signer ? { signer } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  await server.connect(new StdioServerTransport(options.stdin, options.stdout));
  return () => server.close();
}
