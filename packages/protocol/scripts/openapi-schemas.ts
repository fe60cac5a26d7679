import { z } from 'zod';

/** Where OpenAPI keeps named schemas; every `$ref` of the generated document points here. */
export const COMPONENT_PREFIX = '#/components/schemas/';

/** The name zod gives the bag of schemas that carry a global `.meta({ id })`, shared by several entries. */
const SHARED = '__shared';

type JsonSchema = Record<string, unknown>;

/**
 * The exported zod schemas of a module by their export name less `Schema` (`PlanViewSchema` -> `PlanView`), so
 * that a schema used in several places is one named component. Schemas with a global `.meta({ id })` are left
 * out: zod names those itself.
 */
export function namedSchemas(module: Readonly<Record<string, unknown>>): Map<z.ZodType, string> {
  const named = new Map<z.ZodType, string>();
  for (const [key, value] of Object.entries(module)) {
    if (!(value instanceof z.ZodType) || !/^\w+Schema$/.test(key) || key === 'Schema') continue;
    if (z.globalRegistry.get(value)?.id !== undefined || named.has(value)) continue;
    named.set(value, key.slice(0, -'Schema'.length));
  }
  return named;
}

/** Rewrites every `$ref` of a zod-generated schema to a flat `#/components/schemas/<name>`. */
function rewriteRefs(node: unknown, rename: (name: string) => string): unknown {
  if (Array.isArray(node)) return node.map((item) => rewriteRefs(item, rename));
  if (typeof node !== 'object' || node === null) return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const name = /#\/\$defs\/([^/]+)$/.exec(value)?.[1] ?? value.slice(COMPONENT_PREFIX.length);
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
 * Every named schema of `entries`, and every schema with a global `.meta({ id })` they use, as draft 2020-12 JSON
 * Schema (the dialect of OpenAPI 3.1) converted by zod 4's `z.toJSONSchema` in one direction (`io`: what a client
 * sends, or what it receives), each `$ref` pointing at `#/components/schemas/<rename(name)>`.
 */
function convert(
  entries: ReadonlyMap<string, z.ZodType>,
  io: 'input' | 'output',
  rename: (name: string) => string,
  standIns: ReadonlyMap<object, string>,
): Map<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of entries) registry.add(schema, { id: name });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'throw',
    uri: (id) => `${COMPONENT_PREFIX}${id}`,
    override: ({ zodSchema, jsonSchema }) => {
      const name = standIns.get(zodSchema);
      if (name === undefined) return;
      for (const key of Object.keys(jsonSchema)) if (key !== 'description') delete jsonSchema[key];
      jsonSchema.$ref = `${COMPONENT_PREFIX}${name}`;
    },
  });
  const shared = (schemas[SHARED]?.$defs ?? {}) as Record<string, unknown>;
  const all: [string, unknown][] = [
    ...Object.entries(shared),
    ...[...entries.keys()].map((name) => [name, schemas[name]] as [string, unknown]),
  ];
  return new Map(all.map(([name, schema]) => [rename(name), bare(rewriteRefs(schema, rename))]));
}

/** The names `roots` refer to, directly or through other components of `schemas`. */
function reachable(schemas: ReadonlyMap<string, JsonSchema>, roots: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const text = JSON.stringify(schemas.get(name) ?? {});
    for (const m of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g))
      visit(m[1] as string);
  };
  for (const root of roots) visit(root);
  return seen;
}

/**
 * The `components/schemas` of the document: what the input roots need in their input form and what the output
 * roots need in their output form. A schema whose two forms are the same is one component; where they differ (a
 * default makes a field optional on input), the input form is `<Name>Input` (`inputName` says which).
 * `standIns` maps a schema the gateway's parser takes as it is (`z.unknown()`) to the component that states what
 * it must be, which the document then references in its place.
 */
export function componentSchemas(
  entries: ReadonlyMap<string, z.ZodType>,
  roots: { inputs: readonly string[]; outputs: readonly string[] },
  standIns: ReadonlyMap<object, string> = new Map(),
): { schemas: Record<string, JsonSchema>; inputName: (name: string) => string } {
  const same = (name: string) => name;
  const received = convert(entries, 'output', same, standIns);
  const sentAsIs = convert(entries, 'input', same, standIns);
  const forOutput = reachable(received, roots.outputs);
  const forInput = reachable(sentAsIs, roots.inputs);
  const split = new Set(
    [...forInput].filter(
      (name) =>
        forOutput.has(name) &&
        JSON.stringify(received.get(name)) !== JSON.stringify(sentAsIs.get(name)),
    ),
  );
  const inputName = (name: string) => (split.has(name) ? `${name}Input` : name);
  const sent = convert(entries, 'input', inputName, standIns);
  const chosen: [string, JsonSchema][] = [
    ...[...forOutput].map((name) => [name, received.get(name)] as [string, JsonSchema]),
    ...[...forInput].map(
      (name) => [inputName(name), sent.get(inputName(name))] as [string, JsonSchema],
    ),
  ];
  for (const [name, schema] of chosen) {
    if (schema === undefined) throw new Error(`no schema for component ${name}`);
  }
  chosen.sort(([a], [b]) => a.localeCompare(b));
  return { schemas: Object.fromEntries(chosen), inputName };
}
