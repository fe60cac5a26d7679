import type { HandoffPlan } from '@handoff/protocol';
import { handoffPlanJsonSchema } from '../../src/index.js';

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Writes a plan the way a model constrained by a provider schema must: every open property bag as `{ key, value }`
 * pairs and, with `nulls`, every absent optional member as `null` (OpenAI strict mode). The inverse of what
 * `parsePlanFromModelOutput` undoes, implemented separately (from the generic schema) to test it.
 */
export function toModelForm(plan: HandoffPlan, options: { nulls: boolean }): unknown {
  const generic = handoffPlanJsonSchema();
  const defs = generic.$defs as Record<string, Node>;
  const resolve = (node: Node): Node => {
    let current = node;
    while (typeof current.$ref === 'string') {
      const target = defs[current.$ref.replace('#/$defs/', '')];
      if (target === undefined) throw new Error(`no ${current.$ref}`);
      current = target;
    }
    return current;
  };
  const convert = (value: unknown, schema: Node): unknown => {
    const node = resolve(schema);
    if (node.type === 'object' && node.properties === undefined && isNode(value)) {
      return Object.entries(value).map(([key, item]) => ({ key, value: item }));
    }
    const union = (node.oneOf ?? node.anyOf) as Node[] | undefined;
    if (union && node.properties === undefined && isNode(value)) {
      const branch = union.map(resolve).find((b) => {
        const props = (b.properties ?? {}) as Record<string, Node>;
        return Object.entries(props).some(
          ([k, p]) => p.const !== undefined && value[k] === p.const,
        );
      });
      return branch ? convert(value, branch) : value;
    }
    if (isNode(node.properties) && isNode(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries(node.properties as Record<string, Node>)) {
        if (Object.hasOwn(value, key)) out[key] = convert(value[key], sub);
        else if (options.nulls) out[key] = null;
      }
      return out;
    }
    if (isNode(node.items) && Array.isArray(value)) {
      const items = node.items;
      return value.map((item) => convert(item, items));
    }
    return value;
  };
  return convert(plan, generic);
}
