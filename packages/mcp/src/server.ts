import { createRequire } from 'node:module';
import { type FetchLike, HandoffClient, type RetryPolicy } from '@handoff/copilot-adapter';
import { encodeSubmittedVia, SUBMITTED_VIA_HEADER } from '@handoff/protocol';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { PlanSigner } from './plan-signer.js';
import { getWritePlanPrompt, WRITE_PLAN_PROMPT, writePlanPrompt } from './prompt.js';
import { readResource, resourceList } from './resources.js';
import { callTool, toolList } from './tools.js';

/** This package's name and version, as the server names itself in `initialize`. */
const { name: PACKAGE_NAME, version: PACKAGE_VERSION } = createRequire(import.meta.url)(
  '../package.json',
) as { name: string; version: string };

/** Options of {@link createHandoffMcpServer}: the gateway this connection talks to, as whom, and how it signs. */
export interface HandoffMcpServerOptions {
  /** The gateway's tRPC base URL, e.g. `http://127.0.0.1:4000`. */
  gatewayUrl: string;
  /** The copilot's API key or JWT (a function is called before each request), sent as `Authorization: Bearer`. */
  credential: string | (() => string | Promise<string>);
  /** The connection's MCP session id: the Streamable HTTP `Mcp-Session-Id`, or one made per stdio connection. */
  sessionId: () => string | undefined;
  /** Signs each plan submitted or dry-run without a `signature` of its own. Absent: plans go unsigned. */
  signer?: PlanSigner;
  /** The `fetch` of the gateway client (the gateway passes one that runs its API in process). */
  fetch?: FetchLike;
  /** Retries of the gateway client (see `HandoffClientOptions.retry`). */
  retry?: RetryPolicy | false;
}

/** Printable text of at most `max` characters, `unknown` when nothing is left. */
function label(value: string | undefined, max: number): string {
  const text = (value ?? '')
    .replace(/\p{Cc}/gu, '')
    .slice(0, max)
    .trim();
  return text.length > 0 ? text : 'unknown';
}

/**
 * An MCP server for one connection, on the MCP TypeScript SDK's `Server` (the low-level class: tool JSON Schemas
 * come from the contract, and the plan is checked by the gateway, so refusals carry the contract's issues and
 * hints rather than the SDK's argument errors). Connect it to a transport (`server.connect(transport)`).
 *
 * Every call goes to the gateway over its HTTP API through `HandoffClient` of `@handoff/copilot-adapter`, with the
 * connection's credential, so tenant, roles and visibility are the gateway's. Each request carries the
 * `x-handoff-submitted-via` header: the MCP client's self-declared name and version (from `initialize`) and the
 * session id, recorded by the gateway in a submitted plan's `plan.received` event (a label, not an identity).
 */
export function createHandoffMcpServer(options: HandoffMcpServerOptions): Server {
  const server = new Server(
    { name: PACKAGE_NAME, version: PACKAGE_VERSION, title: 'Handoff' },
    {
      capabilities: { tools: {}, resources: {}, prompts: {} },
      instructions:
        'Handoff: submit marketing plans for approval. Read the handoff_write_plan prompt first. Approvals never happen in this conversation: submit, then poll handoff_get_plan.',
    },
  );
  const client = new HandoffClient({
    url: options.gatewayUrl,
    credential: options.credential,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.retry !== undefined ? { retry: options.retry } : {}),
    headers: () => {
      const info = server.getClientVersion();
      const via = {
        channel: 'mcp' as const,
        client: { name: label(info?.name, 200), version: label(info?.version, 100) },
        sessionId: label(options.sessionId(), 200),
      };
      return { [SUBMITTED_VIA_HEADER]: encodeSubmittedVia(via) };
    },
  });
  const context = { client, signer: options.signer };
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: toolList() }));
  server.setRequestHandler(CallToolRequestSchema, (request) =>
    callTool(request.params.name, request.params.arguments, context),
  );
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({
    resources: await resourceList(),
  }));
  server.setRequestHandler(ReadResourceRequestSchema, (request) =>
    readResource(request.params.uri, client),
  );
  server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: [writePlanPrompt] }));
  server.setRequestHandler(GetPromptRequestSchema, (request) => {
    if (request.params.name !== WRITE_PLAN_PROMPT) {
      throw new Error(`Unknown prompt ${request.params.name}`);
    }
    return getWritePlanPrompt(request.params.arguments);
  });
  return server;
}
