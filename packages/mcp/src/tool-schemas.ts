import type { JsonSchema } from '@handoff/copilot-adapter';
import {
  DryRunResultSchema,
  ErrorEnvelopeSchema,
  HandoffPlanSchema,
  PlanGetInputSchema,
  PlanListInputSchema,
  PlanPageSchema,
  PlanViewSchema,
  SubmittedPlanSchema,
  WIRE_PROCEDURES,
} from '@handoff/protocol';
import { z } from 'zod';

/**
 * The JSON Schemas of the tools, generated from the contract's zod schemas (`@handoff/protocol`) with zod 4's
 * `z.toJSONSchema` (draft-07, the dialect the MCP SDK's client validates structured output with: Ajv's default).
 * Tool schemas need `type: "object"` at the root
 * ([MCP tools](https://modelcontextprotocol.io/specification/2025-06-18/server/tools#tool)).
 */

/** A hint for one issue of a refusal (`RefusalHints` of `@handoff/copilot-adapter`). */
const RefusalIssueSchema = z.object({
  path: z.string(),
  code: z.string(),
  message: z.string(),
  hint: z.string(),
});

/**
 * A refused call, as a tool result's structured content (with `isError: true`): the gateway's error envelope
 * (`ErrorEnvelope`, or one the server writes for a failure of its own, e.g. `NETWORK`), the copilot adapter's
 * repair hints, and a repair prompt (`repairPrompt`) ready to act on.
 */
export const RefusalSchema = z.object({
  ok: z.literal(false),
  error: ErrorEnvelopeSchema,
  hints: z.object({
    code: z.string(),
    hint: z.string(),
    retryable: z.boolean(),
    issues: z.array(RefusalIssueSchema),
  }),
  repairPrompt: z.string(),
});

/** A refusal's structured content. */
export type Refusal = z.infer<typeof RefusalSchema>;

/** The input of `handoff_submit_plan` and `handoff_dry_run_plan`: the plan, and optionally its provenance JWS. */
export const PlanInputSchema = z.strictObject({
  plan: HandoffPlanSchema,
  signature: z.string().min(1).max(16_384).optional().meta({
    description:
      'The plan provenance JWS (signPlan of @handoff/copilot-adapter), when you sign plans yourself. Leave it out when this server signs.',
  }),
});

/**
 * What the plan tools check of their arguments before the gateway sees them: a plan object (its contents are the
 * gateway's to check, with the contract's issue codes and paths) and an optional signature.
 */
const PlanArgsSchema = PlanInputSchema.extend({ plan: z.record(z.string(), z.unknown()) });

/**
 * What each tool takes (`input`, its JSON Schema; `args`, what is checked here when it differs) and answers on
 * success (for its output schema).
 */
export const TOOL_SHAPES = {
  handoff_submit_plan: {
    input: PlanInputSchema,
    args: PlanArgsSchema,
    success: z.object({ ok: z.literal(true), plan: SubmittedPlanSchema }),
  },
  handoff_dry_run_plan: {
    input: PlanInputSchema,
    args: PlanArgsSchema,
    success: z.object({ ok: z.literal(true), result: DryRunResultSchema }),
  },
  handoff_get_plan: {
    input: PlanGetInputSchema,
    success: z.object({ ok: z.literal(true), plan: PlanViewSchema }),
  },
  handoff_list_plans: {
    input: PlanListInputSchema,
    success: z.object({ ok: z.literal(true), page: PlanPageSchema }),
  },
  handoff_get_caps: {
    input: z.strictObject({}),
    success: z.object({ ok: z.literal(true), caps: WIRE_PROCEDURES['budget.getCaps'].output }),
  },
} as const;

/** The schema a tool's arguments are checked with here. */
export function argsSchema(name: ToolName): z.ZodType {
  const shape = TOOL_SHAPES[name];
  return 'args' in shape ? shape.args : shape.input;
}

/** A tool's name. */
export type ToolName = keyof typeof TOOL_SHAPES;

/** `value` with every `additionalProperties: false` removed: a newer gateway may add members to its answers. */
function open(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(open);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, item]) => !(key === 'additionalProperties' && item === false))
      .map(([key, item]) => [key, open(item)]),
  );
}

/** The input JSON Schema of a tool: its zod input as clients write it (`io: 'input'`). */
export function inputJsonSchema(name: ToolName): JsonSchema {
  const schema = z.toJSONSchema(TOOL_SHAPES[name].input, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'throw',
  });
  return { ...(schema as JsonSchema), type: 'object' };
}

/** The output JSON Schema of a tool: success or {@link RefusalSchema}, open to members a newer gateway adds. */
export function outputJsonSchema(name: ToolName): JsonSchema {
  const union = z.discriminatedUnion('ok', [TOOL_SHAPES[name].success, RefusalSchema]);
  const schema = z.toJSONSchema(union, {
    target: 'draft-7',
    io: 'output',
    unrepresentable: 'throw',
  });
  return { ...(open(schema) as JsonSchema), type: 'object' };
}
