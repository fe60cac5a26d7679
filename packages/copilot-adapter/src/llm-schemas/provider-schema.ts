import {
  definitionsOf,
  isAtLeastOneOf,
  isJsonObject,
  isOpenRecord,
  type JsonSchema,
  type JsonValue,
  requiredOf,
} from './json-schema.js';

/**
 * What a model provider's constrained-decoding mode accepts of JSON Schema, as documented. The transformation
 * keeps a keyword when the profile allows it and otherwise drops it, restating it in the node's `description` so
 * the model still reads the rule (the package validates the result against the full contract afterwards).
 */
export interface ProviderProfile {
  /** Names the profile in errors. */
  name: string;
  /** Every property listed in `required`, optional ones made nullable (OpenAI strict mode). */
  allPropertiesRequired: boolean;
  /** Keep `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`. */
  numericBounds: boolean;
  /** Keep `maxItems`. */
  maxItems: boolean;
  /** The `minItems` values kept (others go to the description). */
  minItems: (value: number) => boolean;
  /** String `format` values kept. */
  formats: ReadonlySet<string>;
}

/** The `$defs` entry the open property bags become (see {@link PROPERTY_ENTRIES_SCHEMA}). */
export const PROPERTY_ENTRIES_DEF = 'PropertyEntries';

/**
 * How an open property bag (`data`, `properties`) is written in a strict schema: strict modes require
 * `additionalProperties: false` on every object, so a bag becomes a list of `{ key, value }` pairs with scalar
 * values. `parsePlanFromModelOutput` turns the list back into the object the contract expects; nested objects or
 * arrays as bag values cannot be produced this way (use the generic schema when a plan needs them).
 */
export const PROPERTY_ENTRIES_SCHEMA: JsonSchema = {
  type: 'array',
  description:
    'Properties passed through to the platform, as key/value pairs; they become one JSON object {key: value, ...}. Each key at most once, at most 200 characters, never "__proto__". Values are strings, numbers, booleans or null.',
  items: {
    type: 'object',
    properties: {
      key: { type: 'string', description: 'Property name (at most 200 characters).' },
      value: {
        anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }],
      },
    },
    required: ['key', 'value'],
    additionalProperties: false,
  },
};

/**
 * Patterns the contract states as an `allOf` of two patterns (no provider strict mode accepts `allOf` of that
 * kind, and lookaheads are refused too), each with one equivalent pattern. Key: the member patterns joined by a
 * newline. The HTTPS URL pattern is the intersection of the RFC 3986 character pattern and the https-with-host
 * pattern; a property test checks the equivalence.
 */
export const COMBINED_PATTERNS: Readonly<Record<string, string>> = {
  [[
    "^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\\-._~:/?#[\\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$",
    '^https:\\/\\/[^/?#@\\s]+(?:[/?#].*)?$',
  ].join('\n')]:
    "^https:\\/\\/(?:[A-Za-z0-9\\-._~:[\\]!$&'()*+,;=]|%[0-9A-Fa-f]{2})+(?:[/?#](?:[A-Za-z0-9\\-._~:/?#[\\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*)?$",
};

/** Numeric constraint keywords, with how a description states them. */
const NUMERIC_BOUNDS: Readonly<Record<string, string>> = {
  minimum: 'at least',
  maximum: 'at most',
  exclusiveMinimum: 'greater than',
  exclusiveMaximum: 'less than',
  multipleOf: 'a multiple of',
};
const KEPT = new Set(['type', 'const', 'enum', 'title', 'description', 'pattern', '$ref']);

function isNullablePair(types: JsonValue[]): boolean {
  return types.length === 2 && types.includes('null');
}

function describe(out: JsonSchema, notes: readonly string[]): JsonSchema {
  if (notes.length === 0) return out;
  const base = typeof out.description === 'string' ? `${out.description} ` : '';
  return { ...out, description: `${base}Constraints: ${notes.join('; ')}.` };
}

function count(value: JsonValue, unit: string): string {
  return `${String(value)} ${unit}${value === 1 ? '' : 's'}`;
}

/** Wraps an optional property's schema so `null` stands for "absent" (OpenAI strict mode). */
function nullable(schema: JsonSchema): JsonSchema {
  const { description, ...inner } = schema;
  const said = typeof description === 'string' ? ` ${description}` : '';
  return {
    anyOf: [inner, { type: 'null' }],
    description: `Optional: null when not given.${said}`,
  };
}

/** Translates one schema node for `profile`; fails closed on any keyword it does not know. */
function translate(node: JsonSchema, profile: ProviderProfile, at: string): JsonSchema {
  if (isOpenRecord(node)) return { $ref: `#/$defs/${PROPERTY_ENTRIES_DEF}` };
  const out: JsonSchema = {};
  const notes: string[] = [];
  for (const [keyword, value] of Object.entries(node)) {
    if (keyword === 'type' && Array.isArray(value) && !isNullablePair(value)) {
      // `type: ["string", "number"]`: strict modes document type arrays only as "T or null"; use anyOf.
      if (Object.keys(node).length !== 1) throw new Error(`${profile.name}: type list at ${at}`);
      out.anyOf = value.map((type) => ({ type }));
    } else if (KEPT.has(keyword)) {
      out[keyword] = value;
    } else if (Object.hasOwn(NUMERIC_BOUNDS, keyword)) {
      if (profile.numericBounds) out[keyword] = value;
      else notes.push(`${NUMERIC_BOUNDS[keyword]} ${JSON.stringify(value)}`);
    } else if (keyword === 'format') {
      if (typeof value === 'string' && profile.formats.has(value)) out.format = value;
      else notes.push(`format ${JSON.stringify(value)}`);
    } else if (keyword === 'minLength') {
      notes.push(value === 1 ? 'not empty' : `at least ${count(value, 'character')}`);
    } else if (keyword === 'maxLength') {
      notes.push(`at most ${count(value, 'character')}`);
    } else if (keyword === 'minItems') {
      if (typeof value === 'number' && profile.minItems(value)) out.minItems = value;
      else notes.push(`at least ${count(value, 'item')}`);
    } else if (keyword === 'maxItems') {
      if (profile.maxItems) out.maxItems = value;
      else notes.push(`at most ${count(value, 'item')}`);
    } else if (keyword === 'uniqueItems') {
      if (value === true) notes.push('items must be distinct');
    } else if (keyword === 'items') {
      if (!isJsonObject(value)) throw new Error(`${profile.name}: items at ${at} is not a schema`);
      out.items = translate(value, profile, `${at}/items`);
    } else if (keyword === 'properties' || keyword === 'required') {
      // Written below, together.
    } else if (keyword === 'additionalProperties') {
      if (value !== false) throw new Error(`${profile.name}: open object at ${at}`);
    } else if (keyword === 'oneOf' || keyword === 'anyOf') {
      if (isAtLeastOneOf(value)) {
        const keys = value.flatMap((m) => m.required);
        notes.push(`give at least one of ${keys.join(', ')}`);
      } else if (Array.isArray(value)) {
        out.anyOf = value.map((member, i) => {
          if (!isJsonObject(member)) throw new Error(`${profile.name}: ${keyword} at ${at}`);
          return translate(member, profile, `${at}/${keyword}/${i}`);
        });
      }
    } else if (keyword === 'allOf') {
      if (node.pattern !== undefined)
        throw new Error(`${profile.name}: pattern and allOf at ${at}`);
      out.pattern = combinedPattern(value, profile, at);
    } else {
      throw new Error(`${profile.name}: keyword "${keyword}" at ${at} has no translation`);
    }
  }
  const properties = node.properties;
  if (isJsonObject(properties)) {
    const required = new Set(requiredOf(node));
    const translated: JsonSchema = {};
    for (const [name, schema] of Object.entries(properties)) {
      if (!isJsonObject(schema)) throw new Error(`${profile.name}: property ${at}/${name}`);
      const property = translate(schema, profile, `${at}/properties/${name}`);
      translated[name] =
        profile.allPropertiesRequired && !required.has(name) ? nullable(property) : property;
    }
    out.properties = translated;
    out.required = profile.allPropertiesRequired
      ? Object.keys(translated)
      : Object.keys(translated).filter((name) => required.has(name));
    out.additionalProperties = false;
  }
  return describe(out, notes);
}

/** The one pattern that stands for an `allOf` of patterns (see {@link COMBINED_PATTERNS}). */
function combinedPattern(value: JsonValue, profile: ProviderProfile, at: string): string {
  const patterns = Array.isArray(value)
    ? value.map((m) =>
        isJsonObject(m) && Object.keys(m).join() === 'pattern' ? m.pattern : undefined,
      )
    : [];
  const key = patterns.every((p) => typeof p === 'string') ? patterns.join('\n') : undefined;
  const combined = key === undefined ? undefined : COMBINED_PATTERNS[key];
  if (combined === undefined) {
    throw new Error(`${profile.name}: allOf at ${at} has no known single-pattern equivalent`);
  }
  return combined;
}

/**
 * Translates the contract's generic JSON Schema (root `$ref` to `#/$defs/HandoffPlan`) into a provider's subset:
 * the root becomes the HandoffPlan object itself (strict modes want an object root, never a `$ref` or `anyOf`),
 * the other definitions stay in `$defs` (the contract is not recursive), `oneOf` becomes `anyOf` (each branch is
 * told apart by its `const` discriminator, so at most one matches), a list of types (`["string", "number"]`)
 * becomes an `anyOf` of single types, "at least one of" rules and unsupported
 * constraints move into descriptions, the `allOf` of two URL patterns becomes one pattern, and open property bags
 * become `$defs/PropertyEntries` lists.
 *
 * @throws Error when the generic schema holds a keyword or construct this function does not know: a protocol
 *   change then fails the build of every provider schema instead of yielding one the provider refuses.
 */
export function toProviderSchema(generic: JsonSchema, profile: ProviderProfile): JsonSchema {
  const defs = definitionsOf(generic);
  const root = defs.HandoffPlan;
  if (root === undefined || generic.$ref !== '#/$defs/HandoffPlan') {
    throw new Error('The generic schema must be a $ref to #/$defs/HandoffPlan');
  }
  if (defs[PROPERTY_ENTRIES_DEF] !== undefined) {
    throw new Error(`The contract already defines ${PROPERTY_ENTRIES_DEF}`);
  }
  const translatedDefs: JsonSchema = {};
  for (const [name, def] of Object.entries(defs)) {
    if (name !== 'HandoffPlan') translatedDefs[name] = translate(def, profile, `/$defs/${name}`);
  }
  translatedDefs[PROPERTY_ENTRIES_DEF] = PROPERTY_ENTRIES_SCHEMA;
  return { ...translate(root, profile, '/$defs/HandoffPlan'), $defs: translatedDefs };
}
