/**
 * @handoff/mcp: a Model Context Protocol server for Handoff, on the official MCP TypeScript SDK.
 *
 * - `handoff-mcp --gateway <url>` (or `handoff mcp`): stdio, one copilot per process (`runStdioServer`).
 * - `createMcpHttpHandler`: the Streamable HTTP endpoint the gateway mounts at `/mcp`.
 * - `createHandoffMcpServer`: one connection's server, for any other transport.
 */
export {
  createMcpHttpHandler,
  type McpCaller,
  type McpHttpHandler,
  type McpHttpHandlerOptions,
} from './http-handler.js';
export {
  COPILOT_KEY_ENV,
  COPILOT_KEY_FILE_ENV,
  jwkSigner,
  type PlanSigner,
  signerFromEnv,
} from './plan-signer.js';
export { WRITE_PLAN_PROMPT } from './prompt.js';
export { EXAMPLE_URI_PREFIX, PLAN_SCHEMA_URI, POLICY_SUMMARY_URI } from './resources.js';
export { createHandoffMcpServer, type HandoffMcpServerOptions } from './server.js';
export { API_KEY_ENV, runStdioServer, StdioConfigError, type StdioServerOptions } from './stdio.js';
export { type Refusal, RefusalSchema, type ToolName } from './tool-schemas.js';
