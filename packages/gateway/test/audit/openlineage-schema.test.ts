import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  exportOpenLineage,
  HANDOFF_FACET_SCHEMA_URLS,
  OPENLINEAGE_SCHEMA_URL,
} from '../../src/index.js';
import { PLAN_STATES } from '../../src/plan-state.js';
import { openStoreReadOnly } from '../../src/store/open-read-only.js';
import { TENANT } from '../support/harness.js';
import { auditedHarness } from './support.js';

/**
 * The OpenLineage export checked against the official OpenLineage 2-0-2 JSON Schema and facet schemas (read from
 * `../shared/standards/openlineage/` beside the repository root, never copied into it; provenance in its
 * `SOURCE.md`), and the custom facets against the schemas this package publishes under the `$id` their
 * `_schemaURL` names.
 */
const official = fileURLToPath(
  new URL('../../../../../shared/standards/openlineage/', import.meta.url),
);
const published = fileURLToPath(new URL('../../openlineage/facets/', import.meta.url));

function readJson(path: string): Record<string, unknown> {
  if (!existsSync(path))
    throw new Error(`${path} not found (the shared standards sit beside the repository)`);
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

const jsonFiles = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort();

/**
 * Draft 2020-12, strict, with formats, and the relaxations the official schema needs: `example` is an annotation
 * it uses, and `strictRequired` is off because its `not: { required: [job] }` names properties declared elsewhere.
 */
function validator() {
  const ajv = new Ajv2020.default({
    strict: true,
    strictRequired: false,
    allErrors: true,
    allowUnionTypes: true,
  });
  addFormats.default(ajv);
  ajv.addKeyword('example');
  ajv.addSchema(readJson(join(official, 'OpenLineage.json')));
  for (const name of jsonFiles(join(official, 'facets')))
    ajv.addSchema(readJson(join(official, 'facets', name)));
  for (const name of jsonFiles(published)) ajv.addSchema(readJson(join(published, name)));
  return ajv;
}

type Json = Record<string, unknown>;
let ajv: ReturnType<typeof validator>;
let events: Json[];

beforeAll(async () => {
  ajv = validator();
  const setup = await auditedHarness();
  await setup.h.close();
  const db = await openStoreReadOnly(join(setup.h.dir, 'gateway.db'));
  const out = join(mkdtempSync(join(tmpdir(), 'handoff-ol-schema-')), 'openlineage.jsonl');
  await exportOpenLineage(db, out, { tenantId: TENANT });
  await db.close();
  events = readFileSync(out, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Json);
});

/** Validates `value` against the schema at `ref`, failing with ajv's own explanation. */
function expectValid(ref: string, value: unknown): void {
  const validate = ajv.getSchema(ref);
  if (!validate) throw new Error(`no schema at ${ref}`);
  expect(validate(value) ? 'valid' : ajv.errorsText(validate.errors)).toBe('valid');
}

/** Every custom facet of the export, with where it sits. */
function customFacets(): { key: string; facet: Json }[] {
  return events.flatMap((event) => {
    const run = event.run as { facets: Json };
    const inputs = event.inputs as { inputFacets?: Json }[];
    return [
      { key: 'handoff_plan', facet: run.facets.handoff_plan as Json },
      ...inputs.map((i) => ({ key: 'handoff_input', facet: i.inputFacets?.handoff_input as Json })),
    ];
  });
}

describe('OpenLineage export against the official OpenLineage 2-0-2 schema', () => {
  test('the export holds the runs of every plan, with inputs and dispatched outputs', () => {
    expect(events.length).toBeGreaterThanOrEqual(6);
    expect(events.some((e) => (e.inputs as unknown[]).length > 0)).toBe(true);
    expect(events.some((e) => (e.outputs as unknown[]).length > 0)).toBe(true);
  });

  test('every line is a valid OpenLineage document and a valid RunEvent', () => {
    for (const event of events) {
      expectValid('https://openlineage.io/spec/2-0-2/OpenLineage.json', event);
      expectValid(OPENLINEAGE_SCHEMA_URL, event);
    }
  });

  test('the official schema is live: a RunEvent without a UUID runId or a known eventType fails it', () => {
    const [event] = events;
    const validate = ajv.getSchema(OPENLINEAGE_SCHEMA_URL);
    const run = event?.run as Json;
    expect(validate?.({ ...event, run: { ...run, runId: 'plan-1' } })).toBe(false);
    expect(validate?.({ ...event, eventType: 'DONE' })).toBe(false);
  });
});

describe('custom facets against their published schemas', () => {
  test('each _schemaURL resolves to a schema shipped in the package, and the facet is valid against it', () => {
    const seen = new Set<string>();
    for (const { key, facet } of customFacets()) {
      expectValid(String(facet._schemaURL), facet);
      expect(facet._schemaURL).toBe(
        HANDOFF_FACET_SCHEMA_URLS[key as keyof typeof HANDOFF_FACET_SCHEMA_URLS],
      );
      seen.add(key);
    }
    expect([...seen].sort()).toEqual(['handoff_input', 'handoff_plan']);
  });

  test('the published files are the facets named, each with the $id its _schemaURL names', () => {
    const ids = jsonFiles(published).map((name) => readJson(join(published, name)).$id);
    const urls = Object.values(HANDOFF_FACET_SCHEMA_URLS).map((url) => url.split('#')[0]);
    expect(ids.sort()).toEqual(urls.sort());
    for (const name of jsonFiles(published)) {
      expect(String(readJson(join(published, name)).$id).endsWith(`:${name}`)).toBe(true);
    }
  });

  test('the facet containers validate as the official facet files do (facet key -> facet)', () => {
    for (const event of events) {
      const run = event.run as { facets: Json };
      expectValid(HANDOFF_FACET_SCHEMA_URLS.handoff_plan.split('#')[0] ?? '', run.facets);
      for (const input of event.inputs as { inputFacets: Json }[]) {
        expectValid(HANDOFF_FACET_SCHEMA_URLS.handoff_input.split('#')[0] ?? '', input.inputFacets);
      }
    }
  });

  test('every member the export writes is declared by its schema (a new field needs a new version)', () => {
    const declared = (url: string) => {
      const [id, pointer] = url.split('#');
      const name = pointer?.split('/').at(-1) ?? '';
      const file = jsonFiles(published).find((n) => readJson(join(published, n)).$id === id);
      const defs = readJson(join(published, file ?? '')).$defs as Json;
      const def = defs[name] as { allOf: { properties?: Json }[] };
      return new Set(['_producer', '_schemaURL', ...Object.keys(def.allOf[1]?.properties ?? {})]);
    };
    for (const { facet } of customFacets()) {
      const known = declared(String(facet._schemaURL));
      expect(Object.keys(facet).filter((k) => !known.has(k))).toEqual([]);
    }
  });

  test('the plan facet schema lists exactly the gateway plan states', () => {
    const file = readJson(join(published, 'HandoffPlanRunFacet.json'));
    const def = (file.$defs as Json).HandoffPlanRunFacet as {
      allOf: { properties: { state: { enum: string[] } } }[];
    };
    expect(def.allOf[1]?.properties.state.enum).toEqual([...PLAN_STATES]);
  });

  test('the published schemas are live: a facet missing its plan digest or with a bad kind fails', () => {
    const [plan] = customFacets().filter((f) => f.key === 'handoff_plan');
    const [input] = customFacets().filter((f) => f.key === 'handoff_input');
    const { planDigest: _digest, ...digestless } = plan?.facet ?? {};
    expect(ajv.getSchema(HANDOFF_FACET_SCHEMA_URLS.handoff_plan)?.(digestless)).toBe(false);
    expect(
      ajv.getSchema(HANDOFF_FACET_SCHEMA_URLS.handoff_input)?.({ ...input?.facet, kind: 'file' }),
    ).toBe(false);
  });
});
