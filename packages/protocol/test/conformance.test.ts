/**
 * The conformance corpus (conformance/v1 for 1.0, conformance/v1.1 for 1.1) run against this package's validator and the committed JSON Schema.
 * It is the same check a copilot vendor runs in their own language; see conformance/README.md.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, test } from 'vitest';
import {
  ACTION_TYPES,
  DOCUMENT_KINDS,
  type DocumentKind,
  documentDigest,
  EvidenceSchema,
  GENESIS_HASH,
  type HandoffPlan,
  JSON_SCHEMA_UNEXPRESSED_CODES,
  LIMITS,
  type LineageEvent,
  lineageEventHash,
  PROTOCOL_ISSUE_CODES,
  PROTOCOL_VERSION_1_0,
  PROTOCOL_VERSION_1_1,
  type ProtocolIssueCode,
  planDigest,
  safeParseDocument,
} from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The corpus of each minor version: its folder under conformance/ and the version its valid documents declare. */
const CORPORA = [
  { folder: 'v1', version: PROTOCOL_VERSION_1_0 },
  { folder: 'v1.1', version: PROTOCOL_VERSION_1_1 },
] as const;
type Corpus = (typeof CORPORA)[number];

/** The `expected` entries of an invalid fixture. */
interface ExpectedIssue {
  code: ProtocolIssueCode;
  path: string;
}

interface InvalidFixture {
  description: string;
  expected: ExpectedIssue[];
  document: unknown;
}

interface Fixture<T> {
  /** e.g. `v1/HandoffPlan/invalid/actions-exceed-budget.json`, the key of the lists below. */
  id: string;
  name: string;
  corpus: Corpus;
  kind: DocumentKind;
  content: T;
}

/**
 * Invalid fixtures whose `expected` issues are what the protocol specifies but which src/ does not report yet.
 * Each entry names the defect. `test.fails` keeps the suite green while the defect stands and turns red once it
 * is fixed: then delete the entry.
 */
const KNOWN_ISSUE_MISMATCHES: Readonly<Record<string, string>> = {};

/**
 * Invalid fixtures that the JSON Schema accepts although their expected codes are not all in
 * JSON_SCHEMA_UNEXPRESSED_CODES. Same `test.fails` convention as above.
 */
const KNOWN_JSON_SCHEMA_GAPS: Readonly<Record<string, string>> = {};

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function fixtures<T>(kind: DocumentKind, folder: 'valid' | 'invalid'): Fixture<T>[] {
  return CORPORA.flatMap((corpus) => {
    const dir = join(root, 'conformance', corpus.folder, kind, folder);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => ({
        id: `${corpus.folder}/${kind}/${folder}/${name}`,
        name,
        corpus,
        kind,
        content: readJson(join(dir, name)) as T,
      }));
  });
}

const valid = new Map(DOCUMENT_KINDS.map((kind) => [kind, fixtures<unknown>(kind, 'valid')]));
const invalid = new Map(
  DOCUMENT_KINDS.map((kind) => [kind, fixtures<InvalidFixture>(kind, 'invalid')]),
);
const allValid = [...valid.values()].flat();
const allInvalid = [...invalid.values()].flat();

// The committed JSON Schema, as a vendor would load it. Strict mode stays on, with two relaxations that the
// schema emitted by zod needs: `strictRequired` (the "at least one of" rule is emitted as
// `anyOf: [{ required: [a] }, { required: [b] }]`, whose branches name properties declared by the parent schema)
// and `allowUnionTypes` (the items of an audience criterion value list are `type: ["string", "number"]`).
const ajv = new Ajv2020.default({
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
  allErrors: true,
});
addFormats.default(ajv);
const jsonSchemaValidators = new Map(
  DOCUMENT_KINDS.map((kind) => [
    kind,
    ajv.compile(readJson(join(root, 'schema', 'v1', `${kind}.schema.json`)) as object),
  ]),
);

function jsonSchemaAccepts(kind: DocumentKind, document: unknown): { ok: boolean; errors: string } {
  const validate = jsonSchemaValidators.get(kind);
  if (!validate) throw new Error(`No JSON Schema for ${kind}`);
  const ok = validate(document);
  return { ok, errors: ajv.errorsText(validate.errors) };
}

/** The {code, path} pairs of a parse, in a stable order. */
function reportedIssues(kind: DocumentKind, document: unknown): ExpectedIssue[] {
  const result = safeParseDocument(kind, document);
  if (result.success) return [];
  return sortIssues(result.error.issues.map(({ code, path }) => ({ code, path })));
}

function sortIssues(issues: readonly ExpectedIssue[]): ExpectedIssue[] {
  return [...issues].sort((a, b) =>
    a.path === b.path ? a.code.localeCompare(b.code) : a.path.localeCompare(b.path),
  );
}

const unexpressed = new Set<string>(JSON_SCHEMA_UNEXPRESSED_CODES);

describe.each(DOCUMENT_KINDS)('%s conformance corpus', (kind) => {
  for (const fixture of valid.get(kind) ?? []) {
    test(`${fixture.corpus.folder} valid/${fixture.name} is accepted by the validator and the JSON Schema`, () => {
      const result = safeParseDocument(kind, fixture.content);
      expect(result.success ? [] : result.error.issues).toEqual([]);
      const schema = jsonSchemaAccepts(kind, fixture.content);
      expect(schema.ok, schema.errors).toBe(true);
    });
  }

  for (const fixture of invalid.get(kind) ?? []) {
    const { expected, document } = fixture.content;

    const issuesBug = KNOWN_ISSUE_MISMATCHES[fixture.id];
    const issuesTest = issuesBug ? test.fails : test;
    const issuesNote = issuesBug ? ` (known defect: ${issuesBug})` : '';
    issuesTest(
      `${fixture.corpus.folder} invalid/${fixture.name} is rejected with exactly the expected issues${issuesNote}`,
      () => {
        expect(reportedIssues(kind, document)).toEqual(sortIssues(expected));
      },
    );

    const onlyUnexpressed = expected.every(({ code }) => unexpressed.has(code));
    const schemaGap = KNOWN_JSON_SCHEMA_GAPS[fixture.id];
    const schemaTest = schemaGap ? test.fails : test;
    const schemaNote = schemaGap ? ` (known gap: ${schemaGap})` : '';
    schemaTest(
      `${fixture.corpus.folder} invalid/${fixture.name} is ${onlyUnexpressed ? 'accepted' : 'rejected'} by the JSON Schema${schemaNote}`,
      () => {
        // A fixture whose every code is one JSON Schema cannot express must pass the schema: that proves those
        // codes are the only disagreements between the schema and the validator.
        const schema = jsonSchemaAccepts(kind, document);
        expect(schema.ok, schema.errors).toBe(onlyUnexpressed);
      },
    );
  }
});

describe('conformance corpus as a whole', () => {
  test('every fixture has the documented form', () => {
    const names = [...allValid, ...allInvalid].map((f) => f.name);
    expect(names.filter((name) => !/^[a-z0-9]+(?:-[a-z0-9]+)*\.json$/.test(name))).toEqual([]);
    for (const { id, content } of allInvalid) {
      expect(Object.keys(content).sort(), id).toEqual(['description', 'document', 'expected']);
      expect(typeof content.description === 'string' && content.description.length > 0, id).toBe(
        true,
      );
      expect(content.expected.length, id).toBeGreaterThan(0);
      for (const issue of content.expected) {
        expect(Object.keys(issue).sort(), id).toEqual(['code', 'path']);
        expect(PROTOCOL_ISSUE_CODES, id).toContain(issue.code);
        expect(issue.path, id).toMatch(/^(?:\/.*)?$/);
      }
    }
  });

  test('every valid fixture declares the version of its corpus', () => {
    const wrong = allValid
      .filter(
        (f) => (f.content as { protocolVersion?: unknown }).protocolVersion !== f.corpus.version,
      )
      .map((f) => f.id);
    expect(wrong).toEqual([]);
  });

  test('has at least 45 invalid cases', () => {
    expect(allInvalid.length).toBeGreaterThanOrEqual(45);
  });

  test('every kind has at least two valid fixtures', () => {
    const few = DOCUMENT_KINDS.filter((kind) => (valid.get(kind) ?? []).length < 2);
    expect(few, 'kinds with fewer than two valid fixtures').toEqual([]);
  });

  test('every issue code a document can raise is expected by some invalid fixture', () => {
    // INVALID_JSON needs bytes, not a document; INVALID_INPUT is the catch-all no rule is meant to reach.
    const exempt = new Set<string>(['INVALID_JSON', 'INVALID_INPUT']);
    const covered = new Set(allInvalid.flatMap((f) => f.content.expected.map((e) => e.code)));
    const missing = PROTOCOL_ISSUE_CODES.filter((code) => !exempt.has(code) && !covered.has(code));
    expect(missing, 'issue codes no invalid fixture expects').toEqual([]);
  });

  test("every document's kind matches its folder, unless the kind is the defect", () => {
    const wrong = [
      ...allValid.filter((f) => (f.content as { kind?: unknown }).kind !== f.kind),
      ...allInvalid.filter(
        (f) =>
          !f.content.expected.some((e) => e.path === '/kind') &&
          (f.content.document as { kind?: unknown }).kind !== f.kind,
      ),
    ].map((f) => f.id);
    expect(wrong).toEqual([]);
  });

  test('DOCUMENT_TOO_LARGE fixtures are otherwise valid and larger than the limit', () => {
    const large = allInvalid.filter((f) =>
      f.content.expected.some((e) => e.code === 'DOCUMENT_TOO_LARGE'),
    );
    expect(large.length).toBeGreaterThan(0);
    for (const { id, kind, content } of large) {
      const bytes = Buffer.byteLength(JSON.stringify(content.document), 'utf8');
      expect(bytes, id).toBeGreaterThan(LIMITS.MAX_DOCUMENT_BYTES);
      const unlimited = safeParseDocument(kind, content.document, { maxBytes: bytes });
      expect(unlimited.success ? [] : unlimited.error.issues, id).toEqual([]);
    }
  });

  test('the valid plans cover every action type, evidence type, unit and id form', () => {
    const plans = (valid.get('HandoffPlan') ?? []).map((f) => f.content as HandoffPlan);
    const options = plans.flatMap((p) => p.options);
    const seen = (values: readonly unknown[]) => new Set(values);
    const actionTypes = seen(options.flatMap((o) => o.actions.map((a) => a.type)));
    expect(ACTION_TYPES.filter((t) => !actionTypes.has(t))).toEqual([]);
    const evidenceTypes = seen(options.flatMap((o) => o.evidence.map((e) => e.type)));
    const allEvidenceTypes = EvidenceSchema.options.map((o) => o.shape.type.value);
    expect(allEvidenceTypes.filter((t) => !evidenceTypes.has(t))).toEqual([]);
    const units = ['ratio', 'count', 'money'];
    const forecastUnits = seen(options.map((o) => o.forecast.unit));
    const objectiveUnits = seen(plans.map((p) => p.objective.unit));
    expect(units.filter((u) => !forecastUnits.has(u) || !objectiveUnits.has(u))).toEqual([]);
    const currencies = seen(options.map((o) => o.budget.amount.currency));
    expect(['JPY', 'BHD'].filter((c) => !currencies.has(c))).toEqual([]);
    expect(plans.some((p) => /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(p.planId))).toBe(true);
    expect(plans.some((p) => /^[0-9a-f]{8}-[0-9a-f]{4}-7/.test(p.planId))).toBe(true);
    expect(plans.some((p) => p.inputs.length === 0)).toBe(true);
  });
});

describe.each(CORPORA)('digest test vectors of $folder (RFC 8785 JCS, then SHA-256)', (corpus) => {
  const plans = (valid.get('HandoffPlan') ?? []).filter((f) => f.corpus === corpus);
  const path = join(root, 'conformance', corpus.folder, 'HandoffPlan', 'digests.json');
  const digests = readJson(path) as Record<string, string>;

  test('digests.json lists exactly the valid HandoffPlan fixtures', () => {
    expect(Object.keys(digests).sort()).toEqual(plans.map((f) => f.name));
  });

  for (const fixture of plans) {
    test(`${fixture.name} has the recorded digest`, () => {
      const result = safeParseDocument('HandoffPlan', fixture.content);
      if (!result.success) throw result.error;
      expect(planDigest(result.data)).toBe(digests[fixture.name]);
      // The digest of the document as received equals the digest of the parsed plan: parsing changes nothing.
      expect(documentDigest(fixture.content)).toBe(digests[fixture.name]);
    });
  }
});

describe('lineage event vectors', () => {
  test('valid lineage events carry their own hash and chain to the previous event', () => {
    const events = (valid.get('LineageEvent') ?? []).map((f) => f.content as LineageEvent);
    for (const event of events) {
      expect(lineageEventHash(event), `seq ${event.seq}`).toBe(event.hash);
      if (event.seq === 1) {
        expect(event.prevHash).toBe(GENESIS_HASH);
      } else {
        const previous = events.filter(
          (e) => e.tenantId === event.tenantId && e.seq === event.seq - 1,
        );
        expect(previous.map((e) => e.hash)).toContain(event.prevHash);
      }
    }
  });
});
