import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  errorCodeTable,
  HTTP_DOC_PATH,
  procedureTable,
  withGeneratedTables,
} from '../scripts/http-doc-tables.js';
import { OPENAPI_PATH, openApiDocument, openApiJson } from '../scripts/openapi.js';
import { ERROR_CODES, WIRE_PROCEDURES } from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const committed = readFileSync(join(root, OPENAPI_PATH), 'utf8');
const fresh = openApiJson(WIRE_PROCEDURES, ERROR_CODES);
const doc = JSON.parse(fresh) as {
  paths: Record<string, Record<string, { responses: Record<string, unknown> } & object>>;
  components: { schemas: Record<string, unknown> };
};
const STALE = 'is stale: run pnpm --filter @handoff/protocol generate';

describe('the OpenAPI document of the HTTP API', () => {
  test('the committed document matches a fresh generation', () => {
    expect(committed, `${OPENAPI_PATH} ${STALE}`).toBe(fresh);
  });

  test('changing one procedure (input, output or errors) changes the generated document', () => {
    const get = WIRE_PROCEDURES['plans.get'];
    const changed = [
      { ...get, input: z.strictObject({ planId: z.string(), verbose: z.boolean() }) },
      { ...get, output: z.strictObject({ planId: z.string() }) },
      { ...get, errors: [...get.errors, 'PLAN_EXPIRED' as const] },
      { ...get, kind: 'mutation' as const },
    ];
    for (const procedure of changed) {
      const drifted = openApiJson({ ...WIRE_PROCEDURES, 'plans.get': procedure }, ERROR_CODES);
      expect(drifted).not.toBe(committed);
    }
  });

  test('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(committed));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  test('the validator refuses a broken document, so the check above can fail', async () => {
    const broken = JSON.parse(committed);
    broken.paths['/plans.get'].get.responses = 'none';
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  test('every schema compiles as JSON Schema draft 2020-12 and every $ref resolves', () => {
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema(doc, 'urn:handoff:openapi');
    for (const name of Object.keys(doc.components.schemas)) {
      expect(
        () => ajv.compile({ $ref: `urn:handoff:openapi#/components/schemas/${name}` }),
        name,
      ).not.toThrow();
    }
  });

  test('one path per procedure: POST for a mutation, GET with ?input= for a query', () => {
    expect(Object.keys(doc.paths).sort()).toEqual(
      Object.keys(WIRE_PROCEDURES)
        .map((path) => `/${path}`)
        .sort(),
    );
    for (const [path, spec] of Object.entries(WIRE_PROCEDURES)) {
      const methods = Object.keys(doc.paths[`/${path}`] ?? {});
      expect(methods, path).toEqual([spec.kind === 'mutation' ? 'post' : 'get']);
    }
  });

  test("each operation answers each of its procedure's error codes under that code's HTTP status", () => {
    for (const [path, spec] of Object.entries(WIRE_PROCEDURES)) {
      const operation = Object.values(doc.paths[`/${path}`] ?? {})[0] as {
        responses: Record<string, { description: string }>;
        security?: unknown[];
      };
      for (const code of spec.errors) {
        const response = operation.responses[String(ERROR_CODES[code].http)];
        expect(response?.description, `${path} ${code}`).toContain(`\`${code}\``);
      }
      expect(operation.security, path).toEqual(spec.roles.length === 0 ? [] : undefined);
    }
  });

  test('plans.submit and plans.dryRun take a HandoffPlan, though the parser leaves it to the gateway', () => {
    const input = doc.components.schemas.SubmitInput as { properties: { plan: { $ref?: string } } };
    expect(input.properties.plan.$ref).toBe('#/components/schemas/HandoffPlan');
    expect(doc.components.schemas.HandoffPlan).toMatchObject({
      required: expect.arrayContaining(['planId', 'options', 'recommendedOptionId']),
    });
  });

  test('refuses a procedure that names an unknown error code', () => {
    const get = { ...WIRE_PROCEDURES['plans.get'], errors: ['NO_SUCH_CODE'] };
    expect(() => openApiDocument({ 'plans.get': get }, ERROR_CODES)).toThrow(/NO_SUCH_CODE/);
  });
});

describe('the generated tables of HTTP.md', () => {
  const markdown = readFileSync(join(root, HTTP_DOC_PATH), 'utf8');

  test('match a fresh generation from WIRE_PROCEDURES and ERROR_CODES', () => {
    expect(markdown, `the tables of ${HTTP_DOC_PATH} ${STALE}`).toBe(
      withGeneratedTables(markdown, WIRE_PROCEDURES, ERROR_CODES),
    );
  });

  test('list every error code once with its HTTP status, and every procedure once', () => {
    const codes = errorCodeTable(ERROR_CODES);
    for (const [code, { http }] of Object.entries(ERROR_CODES)) {
      expect(codes.match(new RegExp(`^\\| \`${code}\` \\| ${http} \\|`, 'gm')), code).toHaveLength(
        1,
      );
    }
    const procedures = procedureTable(WIRE_PROCEDURES);
    for (const path of Object.keys(WIRE_PROCEDURES)) {
      expect(procedures.match(new RegExp(`^\\| \\[\`${path}\`\\]`, 'gm')), path).toHaveLength(1);
    }
  });

  test('a changed code or procedure changes the tables, and a document without markers is refused', () => {
    const codes = { ...ERROR_CODES, NOT_FOUND: { ...ERROR_CODES.NOT_FOUND, http: 410 } };
    expect(withGeneratedTables(markdown, WIRE_PROCEDURES, codes)).not.toBe(markdown);
    const get = { ...WIRE_PROCEDURES['plans.get'], roles: ['operator'] as const };
    const procedures = { ...WIRE_PROCEDURES, 'plans.get': get };
    expect(withGeneratedTables(markdown, procedures, ERROR_CODES)).not.toBe(markdown);
    expect(() => withGeneratedTables('# HTTP\n', WIRE_PROCEDURES, ERROR_CODES)).toThrow(/markers/);
  });
});
