/**
 * HTTP.md's examples are real: every documented request is sent, in document order, to a gateway served over
 * HTTP; its input must validate against the procedure's input schema in the committed OpenAPI document, and its
 * answer must have the documented status and the shape shown (both the documented and the real body validate
 * against that status's response schema there, with the same members). Every procedure of the router has exactly
 * one example.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appRouter } from '@handoff/gateway';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ServedGateway, serveGateway } from './support/gateway.js';
import { type HttpDocExample, httpDocExamples } from './support/http-doc.js';
import { prepareExample, type Scenario } from './support/http-doc-scenario.js';

const here = new URL('.', import.meta.url).pathname;
const markdown = readFileSync(join(here, '../HTTP.md'), 'utf8');
const openapi = JSON.parse(
  readFileSync(join(here, '../../protocol/openapi/handoff.openapi.json'), 'utf8'),
) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
const examples = httpDocExamples(markdown);

const ajv = new Ajv2020.default({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(openapi, 'urn:handoff:openapi');

/** A validator of the schema at `parts` (a path into the OpenAPI document) under `content.application/json`. */
function schemaAt(...parts: string[]) {
  const pointer = [...parts, 'content', 'application/json', 'schema']
    .map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1'))
    .join('/');
  return ajv.compile({ $ref: `urn:handoff:openapi#/paths/${pointer}` });
}

/** The OpenAPI operation of `example`'s procedure: its method and responses. */
function operationOf(example: HttpDocExample) {
  const operation = Object.entries(openapi.paths[`/${example.procedure}`] ?? {})[0];
  if (!operation) throw new Error(`no OpenAPI path for ${example.procedure}`);
  return { method: operation[0], responses: operation[1].responses };
}

/** The OpenAPI response schema of `example`'s procedure for its documented status (or `default`). */
function responseValidator(example: HttpDocExample) {
  const { method, responses } = operationOf(example);
  const status = String(example.status) in responses ? String(example.status) : 'default';
  return schemaAt(`/${example.procedure}`, method, 'responses', status);
}

/** The input a request sends (its JSON body, or the JSON of its `input` query parameter) and its OpenAPI schema. */
function sentInput(example: HttpDocExample, init: RequestInit) {
  const { method } = operationOf(example);
  if (method === 'post') {
    // A procedure without input (e.g. session.signOut) has no request body in the OpenAPI document.
    const post = openapi.paths[`/${example.procedure}`]?.[method] as { requestBody?: unknown };
    if (post?.requestBody === undefined) return undefined;
    const validate = schemaAt(`/${example.procedure}`, method, 'requestBody');
    return { input: JSON.parse(String(init.body)) as unknown, validate };
  }
  const query = new URL(example.target, 'http://gateway').searchParams.get('input');
  if (query === null) return undefined;
  const validate = schemaAt(`/${example.procedure}`, method, 'parameters', '0');
  return { input: JSON.parse(query) as unknown, validate };
}

/** The members of a body's payload: the keys of `result.data` (or of its first item), or of `error.data.handoff`. */
function members(body: unknown): string[] {
  const { result, error } = body as {
    result?: { data: unknown };
    error?: { data: { handoff: object } };
  };
  const payload = error
    ? error.data.handoff
    : Array.isArray(result?.data)
      ? result.data[0]
      : result?.data;
  return typeof payload === 'object' && payload !== null ? Object.keys(payload).sort() : [];
}

let gw: ServedGateway;
let scenario: Scenario;
beforeAll(async () => {
  gw = await serveGateway();
  scenario = { gw, examples };
});
afterAll(() => gw?.close());

describe('HTTP.md', () => {
  /*
   * The WebAuthn ceremonies are not documented by example: each request carries a fresh challenge's
   * authenticator answer (a registration or assertion signed by a passkey over a challenge the gateway just
   * issued), which plain HTTP cannot show nor a reader replay. The console and `@simplewebauthn/browser` make them;
   * packages/gateway/test/console covers them with a software authenticator.
   */
  const WEBAUTHN_CEREMONIES = new Set([
    'passkeys.enrolOptions',
    'passkeys.enrol',
    'session.signInOptions',
    'session.signIn',
    'approvals.passkeyOptions',
    'approvals.submitPasskey',
  ]);

  test('has exactly one example per procedure of the router', () => {
    const documented = examples.map((e) => e.procedure).sort();
    const routed = Object.keys(appRouter._def.procedures).filter(
      (p) => !WEBAUTHN_CEREMONIES.has(p),
    );
    expect(documented).toEqual(routed.sort());
  });

  test.each(examples.map((e) => [`${e.procedure} (HTTP.md:${e.line})`, e] as const))(
    '%s answers as documented',
    async (_name, example) => {
      const { url, init } = await prepareExample(scenario, example);
      const sent = sentInput(example, init);
      if (sent) {
        expect(sent.validate(sent.input), `input: ${ajv.errorsText(sent.validate.errors)}`).toBe(
          true,
        );
      }
      const response = await fetch(url, init);
      const body = (await response.json()) as unknown;
      // The real answer in every message, to paste into HTTP.md once the change is intended.
      const real = `the gateway answered ${response.status} ${JSON.stringify(body)}`;
      expect(response.status, real).toBe(example.status);
      const validate = responseValidator(example);
      expect(validate(body), `${ajv.errorsText(validate.errors)}; ${real}`).toBe(true);
      const documented = validate(example.response);
      expect(documented, `documented: ${ajv.errorsText(validate.errors)}; ${real}`).toBe(true);
      expect(members(example.response), real).toEqual(members(body));
      if (example.status !== 200) {
        const code = (b: unknown) =>
          (b as { error: { data: { handoff: { code: string } } } }).error.data.handoff.code;
        expect(code(example.response), real).toBe(code(body));
      }
    },
  );
});
