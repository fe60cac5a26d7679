/**
 * The providers' documented JSON Schema restrictions, written independently of the package's transformation, to
 * check its exports against. Sources:
 * - OpenAI Structured Outputs, "Supported schemas" (platform.openai.com/docs/guides/structured-outputs): supported
 *   types and keywords, "all fields must be required", "additionalProperties: false must always be set in
 *   objects", root must be an object and not anyOf, limits (5,000 object properties, 10 nesting levels, 1,000 enum
 *   values, 120,000 characters of property names, definition names, enum and const values).
 * - Anthropic structured outputs, "JSON Schema limitations" (platform.claude.com/docs/en/build-with-claude/
 *   structured-outputs): supported keywords, `additionalProperties: false`, `minItems` 0 or 1 only, the format
 *   list, regex features, no recursive schemas, no external `$ref`.
 */

type Node = Record<string, unknown>;

/** One breach of a rule, at a JSON Pointer into the schema. */
export interface Violation {
  path: string;
  rule: string;
}

const SUBSCHEMA_MAPS = [
  'properties',
  '$defs',
  'definitions',
  'patternProperties',
  'dependentSchemas',
];
const SUBSCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const SUBSCHEMA_SINGLE = [
  'items',
  'not',
  'additionalProperties',
  'propertyNames',
  'contains',
  'if',
  'then',
  'else',
  'unevaluatedProperties',
  'unevaluatedItems',
];

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every schema node (root, definitions, properties, items, union members, ...) with its pointer. */
export function schemaNodes(root: Node): [Node, string][] {
  const out: [Node, string][] = [];
  const visit = (node: Node, path: string) => {
    out.push([node, path]);
    for (const key of SUBSCHEMA_MAPS) {
      const map = node[key];
      if (isNode(map)) {
        for (const [name, sub] of Object.entries(map))
          if (isNode(sub)) visit(sub, `${path}/${key}/${name}`);
      }
    }
    for (const key of SUBSCHEMA_LISTS) {
      const list = node[key];
      if (Array.isArray(list))
        list.forEach((sub, i) => {
          if (isNode(sub)) visit(sub, `${path}/${key}/${i}`);
        });
    }
    for (const key of SUBSCHEMA_SINGLE) {
      const sub = node[key];
      if (isNode(sub)) visit(sub, `${path}/${key}`);
    }
  };
  visit(root, '');
  return out;
}

function isObjectSchema(node: Node): boolean {
  return node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object'));
}

function refTarget(root: Node, ref: unknown): Node | undefined {
  if (typeof ref !== 'string') return undefined;
  const match = /^#\/\$defs\/([^/]+)$/.exec(ref);
  const defs = root.$defs;
  return match?.[1] !== undefined && isNode(defs) && isNode(defs[match[1]])
    ? (defs[match[1]] as Node)
    : undefined;
}

/** Object nesting depth, following `$ref`s; `Infinity` for a recursive schema. */
export function nestingDepth(root: Node): number {
  const depth = (node: Node, stack: Set<Node>): number => {
    if (stack.has(node)) return Number.POSITIVE_INFINITY;
    stack.add(node);
    const target = refTarget(root, node.$ref);
    let deepest = target ? depth(target, stack) : 0;
    const children: Node[] = [];
    for (const key of ['properties']) {
      const map = node[key];
      if (isNode(map)) for (const sub of Object.values(map)) if (isNode(sub)) children.push(sub);
    }
    for (const key of ['anyOf', 'oneOf', 'allOf']) {
      const list = node[key];
      if (Array.isArray(list)) for (const sub of list) if (isNode(sub)) children.push(sub);
    }
    if (isNode(node.items)) children.push(node.items);
    const own = isObjectSchema(node) ? 1 : 0;
    for (const child of children) deepest = Math.max(deepest, own + depth(child, stack));
    stack.delete(node);
    return Math.max(deepest, own);
  };
  return depth(root, new Set());
}

const OPENAI_KEYWORDS = new Set([
  'type',
  'title',
  'description',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'anyOf',
  '$defs',
  '$ref',
  'pattern',
  'format',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'minItems',
  'maxItems',
]);
const OPENAI_FORMATS = new Set([
  'date-time',
  'time',
  'date',
  'duration',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'uuid',
]);

/** Every breach of OpenAI strict mode's documented rules and limits. */
export function openAiStrictViolations(root: Node): Violation[] {
  const out: Violation[] = [];
  if (root.type !== 'object' || root.anyOf !== undefined || root.$ref !== undefined) {
    out.push({ path: '', rule: 'root must be an object schema, not anyOf or $ref' });
  }
  let properties = 0;
  let enumValues = 0;
  let budget = 0;
  if (isNode(root.$defs)) budget += Object.keys(root.$defs).join('').length;
  for (const [node, path] of schemaNodes(root)) {
    for (const keyword of Object.keys(node)) {
      if (!OPENAI_KEYWORDS.has(keyword)) out.push({ path, rule: `unsupported keyword ${keyword}` });
    }
    if (Array.isArray(node.type) && !(node.type.length === 2 && node.type.includes('null'))) {
      out.push({ path, rule: 'a type list must be [T, "null"]' });
    }
    if (isObjectSchema(node) || node.properties !== undefined) {
      if (node.additionalProperties !== false)
        out.push({ path, rule: 'additionalProperties must be false' });
      const names = isNode(node.properties) ? Object.keys(node.properties) : [];
      const required = Array.isArray(node.required) ? node.required : [];
      properties += names.length;
      budget += names.join('').length;
      for (const name of names) {
        if (!required.includes(name))
          out.push({ path, rule: `property ${name} missing from required` });
      }
      for (const name of required) {
        if (!names.includes(String(name)))
          out.push({ path, rule: `required ${String(name)} is not a property` });
      }
    }
    if (node.type === 'array' && !isNode(node.items))
      out.push({ path, rule: 'an array needs items' });
    if (node.format !== undefined && !OPENAI_FORMATS.has(String(node.format))) {
      out.push({ path, rule: `format ${String(node.format)} is not supported` });
    }
    if (node.$ref !== undefined && refTarget(root, node.$ref) === undefined) {
      out.push({ path, rule: `unresolvable $ref ${String(node.$ref)}` });
    }
    if (Array.isArray(node.anyOf) && node.anyOf.length < 1) out.push({ path, rule: 'empty anyOf' });
    if (Array.isArray(node.enum)) {
      enumValues += node.enum.length;
      for (const value of node.enum) {
        if (typeof value === 'object' && value !== null)
          out.push({ path, rule: 'enum of non-scalars' });
        if (typeof value === 'string') budget += value.length;
      }
    }
    if (typeof node.const === 'string') budget += node.const.length;
  }
  if (properties > 5000)
    out.push({ path: '', rule: `${properties} object properties (limit 5000)` });
  if (enumValues > 1000) out.push({ path: '', rule: `${enumValues} enum values (limit 1000)` });
  if (budget > 120_000)
    out.push({ path: '', rule: `${budget} characters of names and values (limit 120000)` });
  const depth = nestingDepth(root);
  if (depth > 10) out.push({ path: '', rule: `nesting depth ${depth} (limit 10)` });
  return out;
}

const ANTHROPIC_KEYWORDS = new Set([
  'type',
  'title',
  'description',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'anyOf',
  'allOf',
  '$defs',
  '$ref',
  'pattern',
  'format',
  'minItems',
  'default',
]);
const ANTHROPIC_FORMATS = new Set([
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
]);
/** Regex features the documentation lists as not supported: lookaround, backreferences, word boundaries. */
const UNSUPPORTED_REGEX = /\(\?[=!]|\(\?<[=!]|\\[1-9]|\\[bB]|\\k</;

/** Every breach of Anthropic's documented JSON Schema limitations (structured outputs and strict tool use). */
export function anthropicViolations(root: Node): Violation[] {
  const out: Violation[] = [];
  if (root.type !== 'object') out.push({ path: '', rule: 'input_schema must be an object schema' });
  for (const [node, path] of schemaNodes(root)) {
    for (const keyword of Object.keys(node)) {
      if (!ANTHROPIC_KEYWORDS.has(keyword))
        out.push({ path, rule: `unsupported keyword ${keyword}` });
    }
    if (
      (isObjectSchema(node) || node.properties !== undefined) &&
      node.additionalProperties !== false
    ) {
      out.push({ path, rule: 'additionalProperties must be false' });
    }
    if (isObjectSchema(node) || node.properties !== undefined) {
      const names = isNode(node.properties) ? Object.keys(node.properties) : [];
      const required = Array.isArray(node.required) ? node.required : [];
      for (const name of required) {
        if (!names.includes(String(name)))
          out.push({ path, rule: `required ${String(name)} is not a property` });
      }
    }
    if (node.minItems !== undefined && node.minItems !== 0 && node.minItems !== 1) {
      out.push({ path, rule: `minItems ${String(node.minItems)} (only 0 or 1)` });
    }
    if (node.format !== undefined && !ANTHROPIC_FORMATS.has(String(node.format))) {
      out.push({ path, rule: `format ${String(node.format)} is not supported` });
    }
    if (typeof node.pattern === 'string' && UNSUPPORTED_REGEX.test(node.pattern)) {
      out.push({ path, rule: 'pattern uses lookaround, a backreference or a word boundary' });
    }
    if (node.$ref !== undefined && refTarget(root, node.$ref) === undefined) {
      out.push({ path, rule: `unresolvable or external $ref ${String(node.$ref)}` });
    }
    if (Array.isArray(node.allOf) && node.allOf.some((m) => isNode(m) && m.$ref !== undefined)) {
      out.push({ path, rule: 'allOf with $ref' });
    }
    if (Array.isArray(node.enum) && node.enum.some((v) => typeof v === 'object' && v !== null)) {
      out.push({ path, rule: 'enum of complex types' });
    }
  }
  if (nestingDepth(root) === Number.POSITIVE_INFINITY)
    out.push({ path: '', rule: 'recursive schema' });
  return out;
}
