import { handoffPlanJsonSchema, type JsonSchema } from './json-schema.js';
import { type ProviderProfile, toProviderSchema } from './provider-schema.js';

/**
 * OpenAI Structured Outputs, strict mode ("Supported schemas", platform.openai.com/docs/guides/structured-outputs):
 * - root: an object (not `anyOf`); every object has `additionalProperties: false` and lists every property in
 *   `required`; optional fields are emulated by a union with `null`;
 * - keywords: `type`, `enum`, `const`, `anyOf` (not `oneOf`, `allOf`, `not`, `if`/`then`/`else`), `$defs`/`$ref`,
 *   `title`, `description`; strings: `pattern`, `format` (date-time, time, date, duration, email, hostname, ipv4,
 *   ipv6, uuid); numbers: `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`; arrays:
 *   `minItems`, `maxItems`. Not supported: `minLength`, `maxLength`, `uniqueItems`, `propertyNames`,
 *   `patternProperties`, `minProperties`, `maxProperties`, `contains` (fine-tuned models refuse even more);
 * - limits: 5,000 object properties, 10 levels of nesting, 1,000 enum values, 120,000 characters of names, enum
 *   and const values.
 */
export const OPENAI_STRICT_PROFILE: ProviderProfile = {
  name: 'openai-strict',
  allPropertiesRequired: true,
  numericBounds: true,
  maxItems: true,
  minItems: () => true,
  formats: new Set([
    'date-time',
    'time',
    'date',
    'duration',
    'email',
    'hostname',
    'ipv4',
    'ipv6',
    'uuid',
  ]),
};

let cached: JsonSchema | undefined;

/**
 * The HandoffPlan as an OpenAI strict-mode JSON Schema (see {@link OPENAI_STRICT_PROFILE} for what changes from the
 * generic schema). A model constrained by it writes:
 * - `null` for every optional field it leaves out;
 * - each `data` / `properties` bag as a list of `{ "key", "value" }` pairs.
 *
 * `parsePlanFromModelOutput` undoes both before validating. Length limits, `uniqueItems` and "at least one of"
 * rules are stated in descriptions only, so validate the result (the parser does). Each call returns a fresh copy.
 */
export function openAiPlanSchema(): JsonSchema {
  cached ??= toProviderSchema(handoffPlanJsonSchema(), OPENAI_STRICT_PROFILE);
  return structuredClone(cached);
}

/** Options of {@link openAiResponseFormat} and {@link openAiTextFormat}. */
export interface OpenAiFormatOptions {
  /** The schema's name: a-z, A-Z, 0-9, `_` and `-`, at most 64 characters. Default `handoff_plan`. */
  name?: string;
  /** What the output is for, read by the model. */
  description?: string;
}

const DEFAULT_DESCRIPTION =
  'A Handoff protocol v1 plan: copilot identity, workflow, objective, inputs, 1-10 strategy options with budget, forecast, risk, evidence and actions, and the recommended option. Money is integer minor units.';

function nameOf(options: OpenAiFormatOptions): string {
  const name = options.name ?? 'handoff_plan';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new RangeError('An OpenAI schema name is 1-64 characters of a-z, A-Z, 0-9, _ and -');
  }
  return name;
}

/**
 * The Chat Completions `response_format` that constrains the reply to a HandoffPlan:
 * `{ type: "json_schema", json_schema: { name, description, strict: true, schema } }`.
 *
 * @throws RangeError for a name outside `[A-Za-z0-9_-]{1,64}`.
 */
export function openAiResponseFormat(options: OpenAiFormatOptions = {}) {
  return {
    type: 'json_schema' as const,
    json_schema: {
      name: nameOf(options),
      description: options.description ?? DEFAULT_DESCRIPTION,
      strict: true as const,
      schema: openAiPlanSchema(),
    },
  };
}

/**
 * The Responses API `text.format` for a HandoffPlan: `{ type: "json_schema", name, description, strict: true,
 * schema }`.
 *
 * @throws RangeError for a name outside `[A-Za-z0-9_-]{1,64}`.
 */
export function openAiTextFormat(options: OpenAiFormatOptions = {}) {
  return {
    type: 'json_schema' as const,
    name: nameOf(options),
    description: options.description ?? DEFAULT_DESCRIPTION,
    strict: true as const,
    schema: openAiPlanSchema(),
  };
}
