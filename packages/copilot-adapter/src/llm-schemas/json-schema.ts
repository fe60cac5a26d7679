import committedPlanSchema from '@handoff/protocol/schema/v1/HandoffPlan.schema.json' with {
  type: 'json',
};

/** A JSON value. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** A JSON Schema object (draft 2020-12 keywords as members). Boolean schemas are not used by the contract. */
export type JsonSchema = { [keyword: string]: JsonValue };

/** True when `value` is a plain JSON object (a schema node, or an object in a document). */
export function isJsonObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy of a JSON value (schemas handed out are never shared with the cache). */
export function cloneJson<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

const source: unknown = committedPlanSchema;

/**
 * The generic JSON Schema (draft 2020-12) of a HandoffPlan: the file committed by `@handoff/protocol` at
 * `schema/v1/HandoffPlan.schema.json`, generated from the zod schemas, with shared parts in `$defs` and the root a
 * `$ref` to `#/$defs/HandoffPlan`. It states every shape rule (patterns, lengths, bounds, `uniqueItems`,
 * `propertyNames`), but not the cross-field rules listed in `JSON_SCHEMA_UNEXPRESSED_CODES`.
 *
 * Use it with a full JSON Schema validator (Ajv 2020 with ajv-formats), or as the schema of a model API that
 * accepts arbitrary JSON Schema without a strict mode. Each call returns a fresh copy.
 */
export function handoffPlanJsonSchema(): JsonSchema {
  if (!isJsonObject(source))
    throw new TypeError('The committed HandoffPlan schema is not an object');
  return cloneJson(source);
}

/** The `$defs` of a schema document, by name (empty when it has none). */
export function definitionsOf(document: JsonSchema): Record<string, JsonSchema> {
  const defs = document.$defs;
  const out: Record<string, JsonSchema> = {};
  if (!isJsonObject(defs)) return out;
  for (const [name, def] of Object.entries(defs)) {
    if (isJsonObject(def)) out[name] = def;
  }
  return out;
}

/**
 * Follows local `$ref`s (`#/$defs/<name>`) until a schema without `$ref` is reached.
 *
 * @throws Error for a reference that is not local to `$defs`, names no definition, or loops.
 */
export function resolveRef(node: JsonSchema, defs: Record<string, JsonSchema>): JsonSchema {
  let current = node;
  const seen = new Set<string>();
  while (typeof current.$ref === 'string') {
    const ref = current.$ref;
    const match = /^#\/\$defs\/([^/]+)$/.exec(ref);
    const target = match?.[1] === undefined ? undefined : defs[match[1]];
    if (target === undefined || seen.has(ref)) throw new Error(`Cannot resolve $ref ${ref}`);
    seen.add(ref);
    current = target;
  }
  return current;
}

/** The string members of a schema's `required`, or an empty list. */
export function requiredOf(node: JsonSchema): string[] {
  const required = node.required;
  return Array.isArray(required) ? required.filter((r): r is string => typeof r === 'string') : [];
}

/** The `properties` of a schema node, or `undefined` when it declares none. */
export function propertiesOf(node: JsonSchema): Record<string, JsonSchema> | undefined {
  const properties = node.properties;
  if (!isJsonObject(properties)) return undefined;
  const out: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(properties)) {
    if (isJsonObject(schema)) out[name] = schema;
  }
  return out;
}

/** The branches of a `oneOf` or `anyOf`, or `undefined`. */
export function branchesOf(node: JsonSchema): JsonSchema[] | undefined {
  const branches = node.oneOf ?? node.anyOf;
  return Array.isArray(branches) ? branches.filter(isJsonObject) : undefined;
}

/**
 * True for an open property bag: an object schema with no `properties` whose `additionalProperties` admits any
 * value (`{}` or `true`). In the contract these are `data` and `properties` (template data, event properties,
 * contact properties), which strict structured-output modes cannot express.
 */
export function isOpenRecord(node: JsonSchema): boolean {
  return (
    node.type === 'object' &&
    node.properties === undefined &&
    node.additionalProperties !== undefined &&
    node.additionalProperties !== false
  );
}

/** True for an `anyOf` whose members only list `required` keys: the contract's "at least one of" rule. */
export function isAtLeastOneOf(members: JsonValue): members is { required: string[] }[] {
  return (
    Array.isArray(members) &&
    members.length > 0 &&
    members.every(
      (m) => isJsonObject(m) && Object.keys(m).length === 1 && Array.isArray(m.required),
    )
  );
}
