import { z } from 'zod';

/** Where OpenAPI keeps named schemas; every `$ref` of the generated document points here. */
export const COMPONENT_PREFIX = '#/components/schemas/';

/** The name zod gives the bag of schemas that carry a global `.meta({ id })`, shared by several entries. */
const SHARED = '__shared';

type JsonSchema = Record<string, unknown>;

/** Rewrites every `$ref` of a zod-generated schema to a flat `#/components/schemas/<name>`. */
function rewriteRefs(node: unknown, rename: (name: string) => string): unknown {
  if (Array.isArray(node)) return node.map((item) => rewriteRefs(item, rename));
  if (typeof node !== 'object' || node === null) return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const name = /(?:^|#)\/\$defs\/([^/]+)$/.exec(value)?.[1] ?? value.slice(COMPONENT_PREFIX.length);
      out[key] = `${COMPONENT_PREFIX}${rename(name)}`;
    } else {
      out[key] = rewriteRefs(value, rename);
    }
  }
  return out;
}

/** A component as OpenAPI 3.1 holds it: no `$schema` (the document's dialect applies) and no `$id`. */
function bare(schema: unknown): JsonSchema {
  const { $schema: _schema, $id: _id, $defs, ...rest } = schema as JsonSchema;
  if ($defs !== undefined) {
    throw new Error(`a component kept local $defs (${Object.keys($defs as object).join(', ')})`);
  }
  return rest;
}

/**
 * The named JSON Schemas (draft 2020-12, the dialect of OpenAPI 3.1) of `entries`, converted by zod 4's
 * `z.toJSONSchema` in one direction (`io`: what a client sends, or what it receives). Schemas with a global
 * `.meta({ id })` (`HandoffPlan`, `Money`, `ErrorEnvelope`, ...) become components of their own, referenced
 * where they are used; `rename` names them (to keep an input form apart from a different output form).
 */
export function componentSchemas(
  entries: ReadonlyMap<string, z.ZodType>,
  io: 'input' | 'output',
  rename: (name: string) => string = (name) => name,
): Map<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of entries) registry.add(schema, { id: name });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'throw',
    uri: (id) => `${COMPONENT_PREFIX}${id}`,
  });
  const out = new Map<string, JsonSchema>();
  const shared = (schemas[SHARED]?.$defs ?? {}) as Record<string, unknown>;
  for (const [name, schema] of Object.entries(shared)) {
    out.set(rename(name), bare(rewriteRefs(schema, rename)));
  }
  // The entries themselves keep their names: only shared parts are renamed.
  const renameShared = (name: string) => (entries.has(name) ? name : rename(name));
  for (const name of entries.keys()) {
    out.set(name, bare(rewriteRefs(schemas[name], renameShared)));
  }
  return out;
}

/**
 * The components of inputs (as a client sends them) and outputs (as it receives them) together. A shared schema
 * whose two forms are the same is one component; where they differ (a default makes a field optional on input),
 * the input form is `<Name>Input`.
 */
export function mergedComponents(
  inputs: ReadonlyMap<string, z.ZodType>,
  outputs: ReadonlyMap<string, z.ZodType>,
): Record<string, JsonSchema> {
  const received = componentSchemas(outputs, 'output');
  const firstPass = componentSchemas(inputs, 'input');
  const differs = (name: string) =>
    received.has(name) &&
    !inputs.has(name) &&
    JSON.stringify(received.get(name)) !== JSON.stringify(firstPass.get(name));
  const sent = componentSchemas(inputs, 'input', (name) => (differs(name) ? `${name}Input` : name));
  const all = new Map([...received, ...sent]);
  return Object.fromEntries([...all.entries()].sort(([a], [b]) => a.localeCompare(b)));
}
