import {
  branchesOf,
  definitionsOf,
  handoffPlanJsonSchema,
  isJsonObject,
  isOpenRecord,
  type JsonSchema,
  propertiesOf,
  requiredOf,
  resolveRef,
} from '../llm-schemas/json-schema.js';

/**
 * Undoing the structured-output forms (`openAiPlanSchema`, `anthropicPlanSchema`) so a model's plan reads as the
 * contract: walks the value beside the contract's generic JSON Schema and
 * - drops a member whose value is `null` when the schema marks it optional and does not admit `null` (strict modes
 *   make models write `null` for "absent"; the contract refuses null: `INVALID_TYPE`);
 * - turns a `{ key, value }` list into an object where the contract has an open property bag (`data`,
 *   `properties`).
 *
 * Nothing else changes: a `null` for a required member stays (validation reports it with a hint), wrong types are
 * not coerced, and the inside of a property bag is never touched, so a `null` in template data (a platform's "clear
 * this field") survives. HandoffPlan admits `null` nowhere but inside bags, so dropping it elsewhere loses nothing.
 */

/** A duplicate key in a `{ key, value }` list: the list cannot become an object without losing a value. */
export interface DuplicateEntry {
  /** JSON Pointer of the list item that repeats a key. */
  path: string;
  key: string;
}

/** The result of {@link normaliseModelPlan}. */
export interface Normalised {
  value: unknown;
  duplicates: DuplicateEntry[];
}

/** Sets an own data property (so a `__proto__` key stays a key, for the contract to refuse as `FORBIDDEN_KEY`). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function admitsNull(schema: JsonSchema, defs: Record<string, JsonSchema>): boolean {
  const node = resolveRef(schema, defs);
  // `{}` admits anything; an open record is an object, so it does not admit null itself (only its values do).
  if (Object.keys(node).length === 0) return true;
  if (node.type === 'null' || (Array.isArray(node.type) && node.type.includes('null'))) return true;
  if (Array.isArray(node.enum) && node.enum.includes(null)) return true;
  return (branchesOf(node) ?? []).some((branch) => admitsNull(branch, defs));
}

function isEntryList(value: unknown): value is { key: string; value: unknown }[] {
  return (
    Array.isArray(value) &&
    value.every(
      (item) =>
        isJsonObject(item) &&
        typeof item.key === 'string' &&
        Object.hasOwn(item, 'value') &&
        Object.keys(item).length === 2,
    )
  );
}

/**
 * How well an object fits a union branch by its `const` discriminators: -1 when one contradicts it (a different
 * value, or a required one missing; an optional one may be absent or `null`), else how many it matches. A branch
 * that is itself a union (e.g. a forecast's `unit`, then its `of`) scores its best branch.
 */
function branchScore(
  value: Record<string, unknown>,
  branch: JsonSchema,
  defs: Record<string, JsonSchema>,
): number {
  const nested = branchesOf(branch);
  if (nested !== undefined && propertiesOf(branch) === undefined) {
    return Math.max(-1, ...nested.map((b) => branchScore(value, resolveRef(b, defs), defs)));
  }
  const required = new Set(requiredOf(branch));
  let score = 0;
  for (const [name, p] of Object.entries(propertiesOf(branch) ?? {})) {
    if (p.const === undefined) continue;
    const member = value[name];
    if (member === undefined || member === null) {
      if (required.has(name)) return -1;
    } else if (member !== p.const) {
      return -1;
    } else {
      score += 1;
    }
  }
  return score;
}

/** Picks the union branch an object belongs to by its `const` discriminator(s); `undefined` for anything else. */
function branchFor(
  value: unknown,
  branches: JsonSchema[],
  defs: Record<string, JsonSchema>,
): JsonSchema | undefined {
  if (!isJsonObject(value)) return undefined;
  let best: JsonSchema | undefined;
  let bestScore = 0;
  for (const branch of branches.map((b) => resolveRef(b, defs))) {
    const score = branchScore(value, branch, defs);
    if (score > bestScore) [best, bestScore] = [branch, score];
  }
  return best;
}

class Normaliser {
  readonly duplicates: DuplicateEntry[] = [];
  constructor(private readonly defs: Record<string, JsonSchema>) {}

  value(value: unknown, schema: JsonSchema, path: string): unknown {
    const node = resolveRef(schema, this.defs);
    if (isOpenRecord(node)) return this.bag(value, path);
    const branches = branchesOf(node);
    if (branches !== undefined && propertiesOf(node) === undefined) {
      const branch = branchFor(value, branches, this.defs);
      return branch === undefined ? value : this.value(value, branch, path);
    }
    const properties = propertiesOf(node);
    if (properties !== undefined && isJsonObject(value)) return this.object(value, node, path);
    if (isJsonObject(node.items) && Array.isArray(value)) {
      const items = node.items;
      return value.map((item, i) => this.value(item, items, `${path}/${i}`));
    }
    return value;
  }

  private object(value: Record<string, unknown>, node: JsonSchema, path: string): unknown {
    const properties = propertiesOf(node) ?? {};
    const required = new Set(requiredOf(node));
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      const schema = Object.hasOwn(properties, key) ? properties[key] : undefined;
      if (schema === undefined) {
        setOwn(out, key, member);
      } else if (member === null && !required.has(key) && !admitsNull(schema, this.defs)) {
        // An absent optional field, written as null by a strict-mode model.
      } else {
        setOwn(out, key, this.value(member, schema, `${path}/${escapeKey(key)}`));
      }
    }
    return out;
  }

  private bag(value: unknown, path: string): unknown {
    if (!isEntryList(value)) return value;
    const out: Record<string, unknown> = {};
    value.forEach((entry, i) => {
      if (Object.hasOwn(out, entry.key)) {
        this.duplicates.push({ path: `${path}/${i}`, key: entry.key });
        return;
      }
      setOwn(out, entry.key, entry.value);
    });
    return out;
  }
}

function escapeKey(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

let schemaCache: { root: JsonSchema; defs: Record<string, JsonSchema> } | undefined;

/**
 * Normalises a model's parsed plan (see the module comment). Pure: the input is not modified.
 *
 * @returns the normalised value and the `{ key, value }` list items whose key repeats an earlier one (the first
 *   value is kept; the caller reports the rest as `DUPLICATE_ITEM`).
 */
export function normaliseModelPlan(value: unknown): Normalised {
  if (schemaCache === undefined) {
    const generic = handoffPlanJsonSchema();
    schemaCache = { root: generic, defs: definitionsOf(generic) };
  }
  const normaliser = new Normaliser(schemaCache.defs);
  return {
    value: normaliser.value(value, schemaCache.root, ''),
    duplicates: normaliser.duplicates,
  };
}
