import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  ANTHROPIC_PROFILE,
  ANTHROPIC_STRICT_LIMITS,
  anthropicPlanSchema,
  anthropicPlanTool,
  anthropicStrictBudget,
  handoffPlanJsonSchema,
  type JsonSchema,
  OPENAI_STRICT_PROFILE,
  openAiPlanSchema,
  openAiResponseFormat,
  openAiTextFormat,
  parsePlanFromModelOutput,
  toProviderSchema,
} from '../src/index.js';
import { COMBINED_PATTERNS } from '../src/llm-schemas/provider-schema.js';
import { cardPlan, conformancePlans, modelOutput } from './support/fixtures.js';
import { toModelForm } from './support/model-forms.js';
import {
  anthropicViolations,
  nestingDepth,
  openAiStrictViolations,
  schemaNodes,
} from './support/provider-rules.js';

/** Ajv for draft 2020-12 with formats, lenient only where the emitted schemas need it (see protocol tests). */
function compile(schema: JsonSchema) {
  const ajv = new Ajv2020.default({
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    allErrors: true,
  });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);
  return (value: unknown) => ({ ok: validate(value), errors: ajv.errorsText(validate.errors) });
}

const plans = [...conformancePlans(), ['card-reactivation.json', cardPlan()] as const];

describe('OpenAI strict-mode schema', () => {
  const schema = openAiPlanSchema();

  test('meets every documented rule and limit of strict mode', () => {
    expect(openAiStrictViolations(schema)).toEqual([]);
    expect(nestingDepth(schema)).toBeLessThanOrEqual(10);
  });

  test('has an object root with every property required and open bags as key/value lists', () => {
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(Object.keys(schema.properties as object));
    const defs = schema.$defs as Record<string, JsonSchema>;
    expect(defs.HandoffPlan).toBeUndefined();
    expect(defs.PropertyEntries?.type).toBe('array');
    expect(JSON.stringify(schema)).not.toMatch(
      /"(oneOf|allOf|not|minLength|maxLength|uniqueItems|propertyNames)"/,
    );
  });

  test.each(plans)(
    'accepts %s written as a strict-mode model must, and parsing returns the plan',
    (_n, plan) => {
      const modelForm = toModelForm(plan, { nulls: true });
      expect(compile(schema)(modelForm)).toEqual({ ok: true, errors: 'No errors' });
      const parsed = parsePlanFromModelOutput(JSON.stringify(modelForm));
      expect(parsed).toMatchObject({ ok: true });
      if (parsed.ok) expect(parsed.plan).toEqual(plan);
    },
  );

  test('accepts the recorded strict-mode output and refuses the plain contract form', () => {
    const validate = compile(schema);
    expect(validate(JSON.parse(modelOutput('openai-strict-valid.txt'))).ok).toBe(true);
    // Absent optional members are not allowed: strict mode wants them, as null.
    expect(validate(cardPlan()).ok).toBe(false);
  });

  test('is wrapped for Chat Completions and for the Responses API', () => {
    expect(openAiResponseFormat()).toEqual({
      type: 'json_schema',
      json_schema: { name: 'handoff_plan', description: expect.any(String), strict: true, schema },
    });
    expect(openAiTextFormat({ name: 'plan-v1' })).toMatchObject({
      type: 'json_schema',
      name: 'plan-v1',
      strict: true,
      schema,
    });
    expect(() => openAiResponseFormat({ name: 'has space' })).toThrow(RangeError);
    expect(() => openAiTextFormat({ name: 'x'.repeat(65) })).toThrow(RangeError);
  });
});

describe('Anthropic tool input_schema', () => {
  const schema = anthropicPlanSchema();

  test('meets every documented JSON Schema limitation', () => {
    expect(anthropicViolations(schema)).toEqual([]);
  });

  test('keeps optional members optional and drops the keywords Anthropic does not support', () => {
    const copilot = (schema.$defs as Record<string, JsonSchema>).CopilotIdentity;
    expect(copilot?.required).toEqual(['vendor', 'model', 'modelVersion']);
    expect(copilot?.description).toMatch(/give at least one of promptVersion, promptHash/);
    const text = JSON.stringify(schema);
    expect(text).not.toMatch(/"(minimum|maximum|maxItems|minLength|maxLength|uniqueItems|oneOf)"/);
    expect(text).toContain('at most 128 characters');
  });

  test.each(plans)(
    'accepts %s written with key/value bags, and parsing returns the plan',
    (_n, plan) => {
      const modelForm = toModelForm(plan, { nulls: false });
      expect(compile(schema)(modelForm)).toEqual({ ok: true, errors: 'No errors' });
      const parsed = parsePlanFromModelOutput(JSON.stringify(modelForm));
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      expect(parsed.plan).toEqual(plan);
    },
  );

  test('accepts the recorded tool input', () => {
    expect(compile(schema)(JSON.parse(modelOutput('anthropic-tool-input.txt'))).ok).toBe(true);
  });

  test('is offered as a tool, never as strict while the plan exceeds the strict limits', () => {
    const tool = anthropicPlanTool();
    expect(tool).toEqual({
      name: 'submit_handoff_plan',
      description: expect.any(String),
      input_schema: schema,
    });
    expect(tool.strict).toBeUndefined();
    const budget = anthropicStrictBudget(schema);
    expect(budget.fits).toBe(false);
    expect(budget.optionalParameters).toBeGreaterThan(ANTHROPIC_STRICT_LIMITS.optionalParameters);
    expect(() => anthropicPlanTool({ strict: true })).toThrow(/optional and .* union parameters/);
    expect(() => anthropicPlanTool({ name: 'bad name' })).toThrow(RangeError);
  });

  test('counts a small schema as within the strict limits', () => {
    const small: JsonSchema = {
      type: 'object',
      properties: {
        a: { type: 'string' },
        b: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        c: { type: 'array', items: { $ref: '#/$defs/U' } },
      },
      required: ['a'],
      additionalProperties: false,
      $defs: { U: { anyOf: [{ type: 'string' }, { type: 'number' }] } },
    };
    expect(anthropicStrictBudget(small)).toEqual({
      optionalParameters: 2,
      unionParameters: 2,
      fits: true,
    });
  });
});

describe('generic JSON Schema', () => {
  test('is the committed file and accepts every valid plan', () => {
    const schema = handoffPlanJsonSchema();
    expect(schema.$id).toBe('urn:handoff:schema:v1:HandoffPlan');
    const validate = compile(schema);
    for (const [, plan] of plans) expect(validate(plan)).toEqual({ ok: true, errors: 'No errors' });
  });

  test('hands out copies', () => {
    const a = handoffPlanJsonSchema();
    a.$id = 'changed';
    expect(handoffPlanJsonSchema().$id).toBe('urn:handoff:schema:v1:HandoffPlan');
    const b = openAiPlanSchema();
    b.type = 'string';
    expect(openAiPlanSchema().type).toBe('object');
  });
});

describe('the provider transformation', () => {
  test('replaces the allOf of two URL patterns with one exactly equivalent pattern', () => {
    const [[key, combined]] = Object.entries(COMBINED_PATTERNS) as [[string, string]];
    const [uriChars, httpsHost] = key.split('\n').map((p) => new RegExp(p)) as [RegExp, RegExp];
    const single = new RegExp(combined);
    const alphabet = [
      ..."ab19-._~:/?#[]@!$&'()*+,;=%AFz ",
      'é',
      '\t',
      'https://',
      'http://',
      '%2F',
      '%zz',
    ];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...alphabet), { maxLength: 12 }),
        fc.boolean(),
        (parts, prefix) => {
          const text = (prefix ? 'https://' : '') + parts.join('');
          expect(single.test(text)).toBe(uriChars.test(text) && httpsHost.test(text));
        },
      ),
      { numRuns: 5000 },
    );
    for (const url of ['https://hooks.example.com/x?y=1#z', 'https://a', 'https://[::1]:8443/p']) {
      expect(single.test(url)).toBe(true);
    }
    for (const url of [
      'http://a',
      'https://',
      'https:///p',
      'https://u@h/',
      'https://a b',
      'https://h/%zz',
    ]) {
      expect(single.test(url)).toBe(false);
    }
  });

  test('fails closed on a keyword or construct it cannot translate', () => {
    const withIf = handoffPlanJsonSchema();
    (withIf.$defs as Record<string, JsonSchema>).Money = {
      type: 'object',
      if: { required: ['x'] },
    };
    expect(() => toProviderSchema(withIf, OPENAI_STRICT_PROFILE)).toThrow(/keyword "if"/);
    const withAllOf = handoffPlanJsonSchema();
    (withAllOf.$defs as Record<string, JsonSchema>).Digest = {
      allOf: [{ pattern: 'a' }, { pattern: 'b' }],
    };
    expect(() => toProviderSchema(withAllOf, ANTHROPIC_PROFILE)).toThrow(/allOf/);
    expect(() => toProviderSchema({ type: 'object' }, ANTHROPIC_PROFILE)).toThrow(/\$ref/);
  });

  test('restates dropped constraints in descriptions', () => {
    const nodes = schemaNodes(anthropicPlanSchema());
    const described = nodes.map(([node]) => node.description).filter((d) => typeof d === 'string');
    expect(described).toContain('Constraints: at least 0; at most 1.');
    expect(described.some((d) => String(d).includes('items must be distinct'))).toBe(true);
  });
});

describe('the rule checkers', () => {
  test("are not vacuous: the generic schema breaks both providers' rules", () => {
    const generic = handoffPlanJsonSchema();
    const openAi = openAiStrictViolations(generic).map((v) => v.rule);
    expect(openAi).toEqual(
      expect.arrayContaining([
        'root must be an object schema, not anyOf or $ref',
        'unsupported keyword oneOf',
        'unsupported keyword minLength',
        'unsupported keyword uniqueItems',
        'unsupported keyword propertyNames',
        'property version missing from required',
        'additionalProperties must be false',
        'a type list must be [T, "null"]',
      ]),
    );
    const anthropic = anthropicViolations(generic).map((v) => v.rule);
    expect(anthropic).toEqual(
      expect.arrayContaining([
        'input_schema must be an object schema',
        'unsupported keyword maxLength',
        'unsupported keyword minimum',
        'unsupported keyword maxItems',
        'additionalProperties must be false',
      ]),
    );
  });

  test('catch regex features, formats, minItems and recursion', () => {
    const bad: JsonSchema = {
      type: 'object',
      properties: {
        a: { type: 'string', pattern: '^(?=x)\\bx$', format: 'uri-reference' },
        b: { type: 'array', minItems: 2, items: { $ref: '#/$defs/Loop' } },
      },
      required: ['a', 'b'],
      additionalProperties: false,
      $defs: {
        Loop: {
          type: 'object',
          properties: { next: { $ref: '#/$defs/Loop' } },
          required: ['next'],
          additionalProperties: false,
        },
      },
    };
    expect(anthropicViolations(bad).map((v) => v.rule)).toEqual([
      'format uri-reference is not supported',
      'pattern uses lookaround, a backreference or a word boundary',
      'minItems 2 (only 0 or 1)',
      'recursive schema',
    ]);
    expect(openAiStrictViolations(bad).map((v) => v.rule)).toContain(
      'format uri-reference is not supported',
    );
  });
});
