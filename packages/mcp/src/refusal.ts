import {
  HandoffClientError,
  type PlanIssue,
  refusalHints,
  repairPrompt,
} from '@handoff/copilot-adapter';
import { HANDOFF_PROTOCOL_VERSION } from '@handoff/protocol';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Refusal } from './tool-schemas.js';

/**
 * A refusal as a tool result the model can act on ([MCP tool execution errors](https://modelcontextprotocol.io/specification/2025-06-18/server/tools#error-handling)):
 * `isError: true`, the structured {@link Refusal} (error envelope, repair hints, repair prompt) as
 * `structuredContent`, and the same as JSON text for clients that read only `content`.
 */
export function refusalResult(error: HandoffClientError): CallToolResult {
  const hints = refusalHints(error);
  const envelope = error.envelope ?? {
    protocolVersion: HANDOFF_PROTOCOL_VERSION,
    kind: 'ErrorEnvelope' as const,
    code: String(error.code),
    message: error.message.slice(0, 4000),
    issues: [...error.issues],
  };
  const issues: PlanIssue[] = hints.issues.map((issue) => ({
    ...issue,
    code: issue.code as PlanIssue['code'],
  }));
  const refusal: Refusal = {
    ok: false,
    error: envelope,
    hints,
    repairPrompt:
      issues.length > 0 ? repairPrompt(issues) : `${error.code}: ${error.message}. ${hints.hint}`,
  };
  return {
    isError: true,
    structuredContent: refusal,
    content: [{ type: 'text', text: JSON.stringify(refusal) }],
  };
}

/**
 * A `VALIDATION_FAILED` refusal written here, for what never reached the gateway: tool arguments that do not match
 * the input schema (a missing `plan`, a bad `planId`), or a plan this server could not sign because it does not
 * validate. `issues` carry JSON Pointers (into the arguments, or into the plan).
 */
export function validationRefused(
  message: string,
  issues: { path: string; code: string; message: string }[],
): CallToolResult {
  const envelope = {
    protocolVersion: HANDOFF_PROTOCOL_VERSION,
    kind: 'ErrorEnvelope' as const,
    code: 'VALIDATION_FAILED',
    message,
    issues,
  };
  return refusalResult(new HandoffClientError('VALIDATION_FAILED', message, { envelope }));
}

/** A successful tool result: `structuredContent` and its JSON text ([structured content](https://modelcontextprotocol.io/specification/2025-06-18/server/tools#structured-content)). */
export function successResult(value: Record<string, unknown>): CallToolResult {
  return { structuredContent: value, content: [{ type: 'text', text: JSON.stringify(value) }] };
}
