import {
  definitionsOf,
  handoffPlanJsonSchema,
  isJsonObject,
  type JsonSchema,
  type JsonValue,
  requiredOf,
  resolveRef,
} from './json-schema.js';
import { type ProviderProfile, toProviderSchema } from './provider-schema.js';

/**
 * Anthropic structured outputs and strict tool use ("JSON Schema limitations",
 * platform.claude.com/docs/en/build-with-claude/structured-outputs):
 * - supported: all basic types, `enum` of scalars, `const`, `anyOf`, `allOf` (not with `$ref`), local `$ref` and
 *   `$defs`, `default`, `required`, `additionalProperties` (must be `false` on objects), string formats date-time,
 *   time, date, duration, email, hostname, uri, ipv4, ipv6, uuid, `minItems` of 0 or 1, simple regex patterns (no
 *   backreferences, lookaround or `\b`);
 * - not supported: recursive schemas, numerical constraints (`minimum`, `maximum`, `multipleOf`, ...), string
 *   constraints (`minLength`, `maxLength`), other array constraints (`maxItems`, `uniqueItems`, `minItems` > 1).
 * Optional properties may stay out of `required` (no nullable emulation needed).
 */
export const ANTHROPIC_PROFILE: ProviderProfile = {
  name: 'anthropic',
  allPropertiesRequired: false,
  numericBounds: false,
  maxItems: false,
  minItems: (value) => value === 0 || value === 1,
  formats: new Set([
    'date-time',
    'time',
    'date',
    'duration',
    'email',
    'hostname',
    'uri',
    'ipv4',
    'ipv6',
    'uuid',
  ]),
};

/**
 * The documented per-request ceilings of Anthropic strict mode ("Schema complexity limits"): 20 strict tools, 24
 * optional parameters and 16 parameters with union types, summed over every strict schema of a request.
 */
export const ANTHROPIC_STRICT_LIMITS = {
  strictTools: 20,
  optionalParameters: 24,
  unionParameters: 16,
} as const;

/** What a schema spends of {@link ANTHROPIC_STRICT_LIMITS}. */
export interface AnthropicStrictBudget {
  /** Properties not listed in their object's `required`. */
  optionalParameters: number;
  /** Properties and array items whose schema (after `$ref`) is an `anyOf` or a type array. */
  unionParameters: number;
  /** True when both counts are within the limits. */
  fits: boolean;
}

function isUnion(schema: JsonSchema): boolean {
  return Array.isArray(schema.anyOf) || Array.isArray(schema.type);
}

/**
 * Counts what a schema spends of Anthropic's strict-mode limits, each definition counted once where it is written
 * (a lower bound: the compiled grammar may count a definition once per use). The HandoffPlan is far above the
 * limits (dozens of optional fields, unions for actions, evidence, objective, forecast), so the plan tool is
 * offered without `strict: true`.
 */
export function anthropicStrictBudget(schema: JsonSchema): AnthropicStrictBudget {
  const defs = definitionsOf(schema);
  let optionalParameters = 0;
  let unionParameters = 0;
  const visit = (node: JsonValue): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (!isJsonObject(node)) return;
    const properties = node.properties;
    if (isJsonObject(properties)) {
      const required = new Set(requiredOf(node));
      for (const [name, property] of Object.entries(properties)) {
        if (!required.has(name)) optionalParameters += 1;
        if (isJsonObject(property) && isUnion(resolveRef(property, defs))) unionParameters += 1;
      }
    }
    const items = node.items;
    if (isJsonObject(items) && isUnion(resolveRef(items, defs))) unionParameters += 1;
    for (const [keyword, value] of Object.entries(node)) {
      if (keyword !== 'enum' && keyword !== 'const') visit(value);
    }
  };
  visit(schema);
  const fits =
    optionalParameters <= ANTHROPIC_STRICT_LIMITS.optionalParameters &&
    unionParameters <= ANTHROPIC_STRICT_LIMITS.unionParameters;
  return { optionalParameters, unionParameters, fits };
}

let cached: JsonSchema | undefined;

/**
 * The HandoffPlan as an Anthropic tool `input_schema`: an object root, `additionalProperties: false` on every
 * object, only the keywords of {@link ANTHROPIC_PROFILE} (constraints it lacks are restated in descriptions),
 * open property bags as `{ key, value }` lists (undone by `parsePlanFromModelOutput`). Each call returns a copy.
 */
export function anthropicPlanSchema(): JsonSchema {
  cached ??= toProviderSchema(handoffPlanJsonSchema(), ANTHROPIC_PROFILE);
  return structuredClone(cached);
}

/** Options of {@link anthropicPlanTool}. */
export interface AnthropicToolOptions {
  /** Tool name, `^[a-zA-Z0-9_-]{1,64}$`. Default `submit_handoff_plan`. */
  name?: string;
  /** What the tool does, read by the model. */
  description?: string;
  /**
   * Ask for strict tool use (grammar-constrained input). Refused for the HandoffPlan, whose schema exceeds the
   * strict limits (see {@link anthropicStrictBudget}); kept so the refusal is explicit rather than an API 400.
   */
  strict?: boolean;
}

/** An Anthropic Messages API tool definition. */
export interface AnthropicTool {
  name: string;
  description: string;
  input_schema: JsonSchema;
  strict?: true;
}

/**
 * A Messages API tool whose input is a HandoffPlan: `{ name, description, input_schema }`. Force it with
 * `tool_choice: { type: "tool", name }` and read the plan from the `tool_use` block's `input` (pass
 * `JSON.stringify(input)` to `parsePlanFromModelOutput`, which also validates it).
 *
 * @throws RangeError for a name outside `[a-zA-Z0-9_-]{1,64}`, or `strict: true` while the schema exceeds
 *   {@link ANTHROPIC_STRICT_LIMITS} (the message gives both counts).
 */
export function anthropicPlanTool(options: AnthropicToolOptions = {}): AnthropicTool {
  const name = options.name ?? 'submit_handoff_plan';
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
    throw new RangeError('An Anthropic tool name is 1-64 characters of a-z, A-Z, 0-9, _ and -');
  }
  const input_schema = anthropicPlanSchema();
  const tool: AnthropicTool = {
    name,
    description:
      options.description ??
      'Hand a marketing plan to Handoff for policy checks, budget reservation and human approval. The input is one HandoffPlan (protocol v1); money is integer minor units (19.99 USD is 1999).',
    input_schema,
  };
  if (options.strict !== true) return tool;
  const budget = anthropicStrictBudget(input_schema);
  if (!budget.fits) {
    throw new RangeError(
      `The HandoffPlan schema has ${budget.optionalParameters} optional and ${budget.unionParameters} union parameters; Anthropic strict mode allows ${ANTHROPIC_STRICT_LIMITS.optionalParameters} and ${ANTHROPIC_STRICT_LIMITS.unionParameters}`,
    );
  }
  return { ...tool, strict: true };
}
