import type { GetPromptResult, Prompt } from '@modelcontextprotocol/sdk/types.js';
import { EXAMPLE_URI_PREFIX, PLAN_SCHEMA_URI, POLICY_SUMMARY_URI } from './resources.js';

/** The name of the prompt that teaches a model to write a valid HandoffPlan. */
export const WRITE_PLAN_PROMPT = 'handoff_write_plan';

/** The prompt as `prompts/list` shows it. */
export const writePlanPrompt: Prompt = {
  name: WRITE_PLAN_PROMPT,
  title: 'Write a Handoff plan',
  description:
    'Teaches a model to write a HandoffPlan the gateway accepts, check it, submit it and follow it to a decision.',
  arguments: [
    { name: 'goal', description: 'What the plan should achieve, in plain words.', required: true },
    { name: 'tenantId', description: 'The tenant the plan is for (your own).', required: false },
  ],
};

/** The rules of the contract a model most often gets wrong, in the order it meets them. */
const RULES = [
  'Write ONE JSON object: "protocolVersion" as the schema states it, "kind": "HandoffPlan".',
  '"planId": a new lower-case UUID version 7 (or a ULID) for every new or changed plan; resubmitting the very same plan keeps its planId.',
  'Times are RFC 3339 UTC ending in "Z" ("2026-11-21T09:00:00Z"); "expiresAt" is after "createdAt" and in the future.',
  'Money is an integer of minor units with an ISO 4217 currency: 19.99 EUR is {"amountMinor":1999,"currency":"EUR"}; never a decimal point.',
  'Each option has a "budget"; the estimatedCost of its actions adds up to at most budget.amount, in the same currency.',
  '"recommendedOptionId" is the "optionId" of one of your options; ids are 1-128 characters of letters, digits and . _ : -.',
  'Forecasts give p10 <= p50 <= p90; every input you cite is listed in "inputs" with a version or sha256.',
  'Omit optional fields rather than writing null.',
];

/** The steps of a handoff over this server's tools. */
const STEPS = [
  `Read the schema (${PLAN_SCHEMA_URI}), an example (${EXAMPLE_URI_PREFIX}minimal-single-option.json) and the active policy (${POLICY_SUMMARY_URI}).`,
  'Call handoff_get_caps and keep every cost within the smallest usage.headroom of the caps your actions touch.',
  'Call handoff_dry_run_plan: it validates and evaluates policy without recording anything.',
  'Call handoff_submit_plan. If the result has isError, read hints and repairPrompt, fix exactly what they name (with a new planId if the plan changed) and submit again.',
  "The answer gives the plan state at once. Approval happens on the approvers' own surface, never in this conversation: do not ask the user to approve. Poll handoff_get_plan until the state leaves awaiting_approval.",
];

/** The prompt's messages for `goal` (and `tenantId` when given). */
export function getWritePlanPrompt(args: Record<string, string> | undefined): GetPromptResult {
  const goal = args?.goal?.trim() || 'a marketing plan';
  const tenant = args?.tenantId ? ` for tenant "${args.tenantId}"` : '';
  const text = [
    `Write a HandoffPlan${tenant} that achieves: ${goal}`,
    '',
    'The contract:',
    ...RULES.map((rule, i) => `${i + 1}. ${rule}`),
    '',
    'Then hand it off:',
    ...STEPS.map((step, i) => `${i + 1}. ${step}`),
  ].join('\n');
  return {
    description: writePlanPrompt.description,
    messages: [
      { role: 'user', content: { type: 'text', text } },
      {
        role: 'user',
        content: {
          type: 'resource_link',
          uri: PLAN_SCHEMA_URI,
          name: 'handoff-plan-schema',
          mimeType: 'application/schema+json',
        },
      },
    ],
  };
}
