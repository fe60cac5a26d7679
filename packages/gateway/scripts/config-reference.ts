import { z } from 'zod';
import { GatewayConfigSchema } from '../src/config/config-schema.js';

/** Paths of the generated configuration reference, relative to the package root. */
export const CONFIG_SCHEMA_FILE = 'docs/handoff.config.schema.json';
export const CONFIG_REFERENCE_FILE = 'docs/config-reference.md';

type Node = Record<string, unknown>;

/** The JSON Schema (draft 2020-12) of `handoff.config.json`, for editors and validation in any language. */
export function configJsonSchema(): Node {
  const schema = z.toJSONSchema(GatewayConfigSchema, {
    target: 'draft-2020-12',
    io: 'input',
  }) as Node;
  return { $id: 'urn:handoff:gateway:config', title: 'handoff.config', ...schema };
}

function describeType(node: Node, defs: Record<string, Node>): string {
  if (typeof node.$ref === 'string')
    return describeType(defs[node.$ref.split('/').pop() ?? ''] ?? {}, defs);
  if (Array.isArray(node.enum))
    return node.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  // Variants that only require members ("at least one of") constrain an object; they are not alternative types.
  const variants = ((node.anyOf ?? node.oneOf) as Node[] | undefined)?.filter(
    (v) => !(Object.keys(v).length === 1 && Array.isArray(v.required)),
  );
  if (variants?.length) return variants.map((v) => describeType(v, defs)).join(' or ');
  if (node.type === 'array') return `array of ${describeType((node.items as Node) ?? {}, defs)}`;
  const bounds = [
    node.minimum !== undefined ? `>= ${node.minimum}` : '',
    node.maximum !== undefined ? `<= ${node.maximum}` : '',
    node.pattern ? `pattern \`${node.pattern}\`` : '',
  ].filter(Boolean);
  return `${String(node.type ?? 'any')}${bounds.length ? ` (${bounds.join(', ')})` : ''}`;
}

function walk(
  node: Node,
  path: string,
  required: boolean,
  defs: Record<string, Node>,
  rows: string[],
  depth: number,
): void {
  const resolved =
    typeof node.$ref === 'string' ? (defs[node.$ref.split('/').pop() ?? ''] ?? node) : node;
  const description = String(resolved.description ?? node.description ?? '').replaceAll('\n', ' ');
  rows.push(
    `| \`${path}\` | ${describeType(node, defs)} | ${required ? 'yes' : 'no'} | ${description} |`,
  );
  if (depth > 6) return;
  const properties = resolved.properties as Record<string, Node> | undefined;
  const requiredKeys = new Set((resolved.required as string[] | undefined) ?? []);
  for (const [key, child] of Object.entries(properties ?? {})) {
    walk(child, `${path}.${key}`, requiredKeys.has(key), defs, rows, depth + 1);
  }
  const items = resolved.items as Node | undefined;
  if (items?.properties || items?.$ref) walk(items, `${path}[]`, true, defs, rows, depth + 1);
  const variants = (resolved.anyOf ?? resolved.oneOf) as Node[] | undefined;
  for (const [i, variant] of (variants ?? []).entries()) {
    if (variant.properties) walk(variant, `${path}<${i + 1}>`, true, defs, rows, depth + 1);
  }
}

/** The markdown reference: one row per setting, generated from the zod schema (never edited by hand). */
export function configReference(): string {
  const schema = configJsonSchema();
  const defs = (schema.$defs as Record<string, Node> | undefined) ?? {};
  const rows: string[] = [];
  const requiredKeys = new Set((schema.required as string[]) ?? []);
  for (const [key, child] of Object.entries((schema.properties as Record<string, Node>) ?? {})) {
    walk(child, key, requiredKeys.has(key), defs, rows, 0);
  }
  return [
    '# Gateway configuration reference',
    '',
    'Generated from the zod schema in `src/config/config-schema.ts` by `pnpm --filter @handoff/gateway docs`;',
    'a test fails when this file drifts. The JSON Schema is [`handoff.config.schema.json`](handoff.config.schema.json).',
    'Paths use `.` for members, `[]` for array items and `<n>` for the n-th alternative of a union.',
    'Money is integer minor units with an ISO 4217 currency; durations are named with their unit.',
    '',
    '| setting | type | required | description |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
