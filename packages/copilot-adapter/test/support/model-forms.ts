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
      // The branch whose constants (discriminators) the value matches most, none contradicting; a branch that is
      // itself a union (a union nested in a union, e.g. a forecast's unit, then its `of`) scores its best branch.
      const score = (b: Node): number => {
        const nested = (b.oneOf ?? b.anyOf) as Node[] | undefined;
        if (nested && b.properties === undefined)
          return Math.max(...nested.map(resolve).map(score));
        const consts = Object.entries((b.properties ?? {}) as Record<string, Node>).filter(
          ([, p]) => p.const !== undefined,
        );
        const required = new Set((b.required ?? []) as string[]);
        const contradicts = ([k, p]: [string, Node]) =>
          value[k] === undefined ? required.has(k) : value[k] !== p.const;
        if (consts.some(contradicts)) return -1;
        return consts.length;
      };
      const scored = union.map(resolve).map((b) => [score(b), b] as const);
      const best = scored.reduce<readonly [number, Node | undefined]>(
        (top, next) => (next[0] > top[0] ? next : top),
        [0, undefined],
      );
      return best[1] ? convert(value, best[1]) : value;
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
