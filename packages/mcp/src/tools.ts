import { type HandoffClient, HandoffClientError, PlanSigningError } from '@handoff/copilot-adapter';
import { type HandoffPlan, toJsonPointer } from '@handoff/protocol';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { PlanSigner } from './plan-signer.js';
import { refusalResult, successResult, validationRefused } from './refusal.js';
import {
  argsSchema,
  inputJsonSchema,
  outputJsonSchema,
  TOOL_SHAPES,
  type ToolName,
} from './tool-schemas.js';

/** What a tool call runs against: the gateway client of this connection, and its signer if it has one. */
export interface ToolContext {
  client: HandoffClient;
  signer: PlanSigner | undefined;
}

const TEXTS: Record<ToolName, { title: string; description: string; readOnly: boolean }> = {
  handoff_submit_plan: {
    title: 'Submit a plan for approval',
    description:
      "Hand a HandoffPlan to the Handoff gateway. It is validated, checked against policy and budget, and recorded; the answer is the plan state at once (awaiting_approval, approved, rejected or paused). Approvals happen on the approvers' own surface, never here: poll handoff_get_plan. A refusal (isError) carries the error, a hint per issue and a repair prompt: fix the plan and submit again. Resubmitting the same plan is safe (idempotent on planId); a changed plan needs a new planId.",
    readOnly: false,
  },
  handoff_dry_run_plan: {
    title: 'Check a plan without submitting it',
    description:
      'Validate a HandoffPlan and evaluate it against the active policy set without recording anything or checking budget: the per-option policy outcome and the approvals it would need. Refusals as handoff_submit_plan.',
    readOnly: true,
  },
  handoff_get_plan: {
    title: 'Read a plan',
    description:
      "A plan's current state, policy decisions, approval gates and budget held. Poll it after submitting: the plan leaves awaiting_approval when approvers decide.",
    readOnly: true,
  },
  handoff_list_plans: {
    title: 'List my plans',
    description:
      'Plans you submitted, newest first, filtered by states and workflowId; pass nextCursor as cursor for the next page.',
    readOnly: true,
  },
  handoff_get_caps: {
    title: 'Budget caps and headroom',
    description:
      "The tenant's budget caps, each with its current period's limit, reserved, committed and headroom (integer minor units of the cap's currency). Plan within the smallest headroom of the caps your actions touch.",
    readOnly: true,
  },
};

/** Every tool as `tools/list` shows it, input and output schemas generated from the contract. */
export function toolList(): Tool[] {
  return (Object.keys(TOOL_SHAPES) as ToolName[]).map((name) => ({
    name,
    title: TEXTS[name].title,
    description: TEXTS[name].description,
    inputSchema: inputJsonSchema(name) as Tool['inputSchema'],
    outputSchema: outputJsonSchema(name) as Tool['outputSchema'],
    annotations: {
      readOnlyHint: TEXTS[name].readOnly,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
  }));
}

function isToolName(name: string): name is ToolName {
  return Object.hasOwn(TOOL_SHAPES, name);
}

/** The plan and signature to send: the caller's signature, or this server's over the plan. */
async function signed(
  input: { plan: unknown; signature?: string | undefined },
  signer: PlanSigner | undefined,
): Promise<{ signature?: string }> {
  if (input.signature !== undefined) return { signature: input.signature };
  if (!signer) return {};
  return { signature: await signer(input.plan as HandoffPlan) };
}

/** Runs a validated call against the gateway; throws what the client throws. */
async function run(name: ToolName, args: Record<string, unknown>, context: ToolContext) {
  const { client, signer } = context;
  switch (name) {
    case 'handoff_submit_plan': {
      const input = args as { plan: unknown; signature?: string };
      const plan = await client.submit(input.plan as HandoffPlan, await signed(input, signer));
      return { ok: true, plan };
    }
    case 'handoff_dry_run_plan': {
      const input = args as { plan: unknown; signature?: string };
      const result = await client.dryRun(input.plan as HandoffPlan, await signed(input, signer));
      return { ok: true, result };
    }
    case 'handoff_get_plan':
      return { ok: true, plan: await client.status(String(args.planId)) };
    case 'handoff_list_plans':
      return { ok: true, page: await client.listPlans(args) };
    case 'handoff_get_caps':
      return { ok: true, caps: await client.caps() };
  }
}

/**
 * Answers `tools/call`. Arguments are checked first (the plan itself is left to the gateway, whose issues are the
 * contract's); a refusal, from here or from the gateway, is a tool result with `isError: true`, never a protocol
 * error, so the model sees it and can repair its plan. An unknown tool is a protocol error (thrown).
 */
export async function callTool(
  name: string,
  args: Record<string, unknown> | undefined,
  context: ToolContext,
): Promise<CallToolResult> {
  if (!isToolName(name)) throw new Error(`Unknown tool ${name}`);
  const parsed = argsSchema(name).safeParse(args ?? {});
  if (!parsed.success) {
    return validationRefused(
      'The tool arguments do not match its input schema',
      parsed.error.issues.map((issue) => ({
        path: toJsonPointer(issue.path),
        code:
          issue.code === 'invalid_type' && issue.input === undefined ? 'REQUIRED' : 'INVALID_VALUE',
        message: issue.message,
      })),
    );
  }
  try {
    return successResult(await run(name, parsed.data as Record<string, unknown>, context));
  } catch (error) {
    if (error instanceof PlanSigningError && error.code === 'INVALID_PLAN') {
      const issues = error.issues.map(({ path, code, message }) => ({ path, code, message }));
      return validationRefused('The plan does not validate', issues);
    }
    if (error instanceof HandoffClientError) return refusalResult(error);
    throw error;
  }
}
