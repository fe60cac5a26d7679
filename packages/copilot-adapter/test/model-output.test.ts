import { describe, expect, test } from 'vitest';
import {
  extractJsonObject,
  type ModelPlanResult,
  normaliseModelPlan,
  type PlanIssue,
  parsePlanFromModelOutput,
  repairPrompt,
} from '../src/index.js';
import { numberLexemes } from '../src/model-output/number-lexemes.js';
import {
  cardPlan,
  modelOutput,
  modelOutputNames,
  singleOptionCardPlan,
} from './support/fixtures.js';

function parse(name: string): ModelPlanResult {
  return parsePlanFromModelOutput(modelOutput(name));
}

function codesAt(result: ModelPlanResult): { path: string; code: string }[] {
  return result.ok ? [] : result.issues.map(({ path, code }) => ({ path, code }));
}

describe('recorded model outputs', () => {
  test('every fixture is covered below', () => {
    expect(modelOutputNames()).toEqual([
      'anthropic-tool-input.txt',
      'cross-field-mistakes.txt',
      'fenced-with-prose.md',
      'invalid-json.md',
      'money-major-units-with-cents.txt',
      'money-major-units.txt',
      'nulls-for-optional.txt',
      'openai-strict-valid.txt',
      'prose-around.txt',
      'refusal.txt',
      'truncated.md',
      'wrong-types.txt',
    ]);
  });

  test('an OpenAI strict-mode answer (nulls, key/value bags) becomes the contract plan', () => {
    const result = parse('openai-strict-valid.txt');
    expect(result).toMatchObject({ ok: true, source: 'raw' });
    if (result.ok) expect(result.plan).toEqual(cardPlan());
  });

  test('keeps the null inside a template data bag', () => {
    const result = parse('openai-strict-valid.txt');
    const action = result.ok ? result.plan.options[0]?.actions[1] : undefined;
    expect(action?.type === 'trigger_broadcast' ? action.params.data : undefined).toEqual({
      offer: 'cashback-5pct',
      offer_end: '2026-12-31',
      show_banner: true,
      promo_code: null,
    });
  });

  test('an Anthropic tool input becomes the contract plan', () => {
    const result = parse('anthropic-tool-input.txt');
    expect(result).toMatchObject({ ok: true, source: 'raw' });
    if (result.ok) expect(result.plan).toEqual(cardPlan());
  });

  test('a JSON-mode answer with nulls for optional fields becomes the contract plan', () => {
    const result = parse('nulls-for-optional.txt');
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.plan).toEqual(singleOptionCardPlan());
  });

  test('a fenced block amid prose is found', () => {
    const result = parse('fenced-with-prose.md');
    expect(result).toMatchObject({ ok: true, source: 'fenced' });
    if (result.ok) expect(result.plan).toEqual(singleOptionCardPlan());
  });

  test('an unfenced object amid prose is found, braces in the prose are not', () => {
    const result = parse('prose-around.txt');
    expect(result).toMatchObject({ ok: true, source: 'embedded' });
    if (result.ok) expect(result.plan).toEqual(singleOptionCardPlan());
  });

  test('a truncated answer stops at the json stage', () => {
    const result = parse('truncated.md');
    expect(result).toMatchObject({ ok: false, stage: 'json' });
    expect(codesAt(result)).toEqual([{ path: '', code: 'TRUNCATED_JSON' }]);
    expect(result.ok ? '' : result.issues[0]?.hint).toMatch(
      /stopped before the JSON object was closed/,
    );
  });

  test('comments and trailing commas stop at the json stage', () => {
    const result = parse('invalid-json.md');
    expect(result).toMatchObject({ ok: false, stage: 'json' });
    expect(codesAt(result)).toEqual([{ path: '', code: 'INVALID_JSON' }]);
  });

  test('a refusal without JSON stops at the extract stage', () => {
    const result = parse('refusal.txt');
    expect(result).toMatchObject({ ok: false, stage: 'extract' });
    expect(codesAt(result)).toEqual([{ path: '', code: 'NO_JSON_OBJECT' }]);
  });

  test('wrong types are reported, never coerced', () => {
    const result = parse('wrong-types.txt');
    expect(result).toMatchObject({ ok: false, stage: 'validate' });
    expect(codesAt(result)).toEqual([
      { path: '/inputs/0/personalData', code: 'INVALID_TYPE' },
      { path: '/options/0/channels', code: 'INVALID_TYPE' },
      { path: '/options/0/audience/estimatedSize', code: 'INVALID_TYPE' },
      { path: '/options/0/budget/amount/amountMinor', code: 'INVALID_TYPE' },
      { path: '/options/0/risk/score', code: 'INVALID_TYPE' },
      { path: '/options/0/actions/0/params/workflowId', code: 'INVALID_TYPE' },
    ]);
  });

  test('integral money written with a decimal point (645.0) is refused: it was meant in major units', () => {
    const result = parse('money-major-units.txt');
    expect(result).toMatchObject({ ok: false, stage: 'validate' });
    expect(codesAt(result)).toEqual([
      { path: '/options/0/budget/amount/amountMinor', code: 'MONEY_NOT_INTEGER' },
      { path: '/options/0/actions/0/estimatedCost/amountMinor', code: 'MONEY_NOT_INTEGER' },
      { path: '/options/0/actions/1/estimatedCost/amountMinor', code: 'MONEY_NOT_INTEGER' },
    ]);
    const [first] = result.ok ? [] : result.issues;
    expect(first?.message).toBe(
      'Written as 560.0: JSON reads 560 minor units (5.60 EUR), but a decimal point suggests major units',
    );
    expect(first?.hint).toContain('{"amountMinor":1999,"currency":"USD"}');
  });

  test('money with cents (19.99-style) and money forecasts are refused with hints', () => {
    const result = parse('money-major-units-with-cents.txt');
    expect(codesAt(result)).toEqual([
      { path: '/options/0/actions/0/estimatedCost/amountMinor', code: 'MONEY_NOT_INTEGER' },
      { path: '/options/0/actions/1/estimatedCost/amountMinor', code: 'MONEY_NOT_INTEGER' },
      { path: '/options/0/budget/amount/amountMinor', code: 'MONEY_NOT_INTEGER' },
      { path: '/options/0/forecast/p50', code: 'MONEY_NOT_INTEGER' },
    ]);
    const [, , budget, forecast] = result.ok ? [] : result.issues;
    expect(budget?.message).toMatch(
      /^Written as 560\.00: JSON reads 560 minor units \(5\.60 EUR\)/,
    );
    expect(forecast?.message).toMatch(/^Written as 2600000\.00: .*\(26000\.00 EUR\)/);
    expect(forecast?.hint).toMatch(/money forecast/);
  });

  test('cross-field mistakes come with their rule codes', () => {
    expect(codesAt(parse('cross-field-mistakes.txt'))).toEqual([
      { path: '/options/0/budget/amount/amountMinor', code: 'ACTIONS_EXCEED_BUDGET' },
      { path: '/options/0/evidence/0/inputId', code: 'UNKNOWN_INPUT_REFERENCE' },
      { path: '/options/1/forecast/p90', code: 'FORECAST_NOT_MONOTONIC' },
      { path: '/recommendedOptionId', code: 'RECOMMENDED_OPTION_NOT_FOUND' },
    ]);
  });
});

describe('extractJsonObject', () => {
  test('prefers the whole text, then a json fence, then the first object', () => {
    expect(extractJsonObject('  {"a":1}\n')).toEqual({ ok: true, json: '{"a":1}', source: 'raw' });
    expect(extractJsonObject('\uFEFF{"a":1}')).toMatchObject({ ok: true, source: 'raw' });
    expect(extractJsonObject('Example: {"x":0}\n```json\n{"a":1}\n```')).toEqual({
      ok: true,
      json: '{"a":1}',
      source: 'fenced',
    });
    expect(extractJsonObject('```\n{"a":"```"}\n```')).toMatchObject({
      ok: true,
      json: '{"a":"```"}',
    });
    expect(extractJsonObject('```python\nx = {"a": 1}\n```')).toMatchObject({ source: 'embedded' });
    expect(extractJsonObject('Plan {draft}: {"a":{"b":"}"}} done')).toEqual({
      ok: true,
      json: '{"a":{"b":"}"}}',
      source: 'embedded',
    });
  });

  test('says when the object never closes or is missing', () => {
    expect(extractJsonObject('{"a": [1, 2')).toMatchObject({ ok: false, code: 'TRUNCATED_JSON' });
    expect(extractJsonObject('```json\n{"a": "\\"}')).toMatchObject({
      ok: false,
      code: 'TRUNCATED_JSON',
    });
    expect(extractJsonObject('no plan today')).toMatchObject({ ok: false, code: 'NO_JSON_OBJECT' });
  });
});

describe('normaliseModelPlan', () => {
  test('reports a repeated key in a key/value bag and keeps the first value', () => {
    const plan = cardPlan();
    const input = JSON.parse(JSON.stringify(plan));
    input.options[0].actions[1].params.data = [
      { key: 'offer', value: 'cashback-5pct' },
      { key: 'offer', value: 'cashback-10pct' },
    ];
    const { value, duplicates } = normaliseModelPlan(input);
    expect(duplicates).toEqual([{ path: '/options/0/actions/1/params/data/1', key: 'offer' }]);
    expect((value as typeof plan).options[0]?.actions[1]).toMatchObject({
      params: { data: { offer: 'cashback-5pct' } },
    });
    const result = parsePlanFromModelOutput(JSON.stringify(input));
    expect(codesAt(result)).toEqual([
      { path: '/options/0/actions/1/params/data/1', code: 'DUPLICATE_ITEM' },
    ]);
  });

  test('keeps a null where the field is required, for validation to report', () => {
    const input = JSON.parse(JSON.stringify(cardPlan()));
    input.workflow.owner = null;
    const result = parsePlanFromModelOutput(JSON.stringify(input));
    expect(codesAt(result)).toEqual([{ path: '/workflow/owner', code: 'INVALID_TYPE' }]);
  });

  test('keeps a __proto__ key as a key, for the contract to refuse', () => {
    const text = JSON.stringify(cardPlan()).replace(
      '"offer":"cashback-5pct"',
      '"__proto__":{"x":1}',
    );
    expect(codesAt(parsePlanFromModelOutput(text))).toEqual([
      { path: '/options/0/actions/1/params/data/__proto__', code: 'FORBIDDEN_KEY' },
    ]);
    const entries = JSON.parse(JSON.stringify(cardPlan()));
    entries.options[0].actions[1].params.data = [{ key: '__proto__', value: 1 }];
    expect(codesAt(parsePlanFromModelOutput(JSON.stringify(entries)))).toEqual([
      { path: '/options/0/actions/1/params/data/__proto__', code: 'FORBIDDEN_KEY' },
    ]);
  });

  test('does not modify its input, and leaves unknown members for validation', () => {
    const input = { ...JSON.parse(JSON.stringify(cardPlan())), notes: null };
    const before = JSON.stringify(input);
    normaliseModelPlan(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(codesAt(parsePlanFromModelOutput(before))).toEqual([
      { path: '/notes', code: 'UNRECOGNIZED_KEY' },
    ]);
  });
});

describe('numberLexemes', () => {
  test('lists number literals as written, with JSON Pointers', () => {
    expect(numberLexemes('{"a":[1,2.50,{"b/c":-3e2}],"d":"4.0","e~":0}')).toEqual([
      { path: '/a/0', lexeme: '1' },
      { path: '/a/1', lexeme: '2.50' },
      { path: '/a/2/b~1c', lexeme: '-3e2' },
      { path: '/e~0', lexeme: '0' },
    ]);
  });
});

describe('repairPrompt', () => {
  const issues: PlanIssue[] = [
    {
      path: '/options/0/budget/amount/amountMinor',
      code: 'MONEY_NOT_INTEGER',
      message: 'Money amounts are integers in minor units (cents), never floats',
      hint: 'Express money as an integer number of minor units (cents).',
    },
    {
      path: '/options/0/actions/0/estimatedCost/amountMinor',
      code: 'MONEY_NOT_INTEGER',
      message: 'Money amounts are integers in minor units (cents), never floats',
      hint: 'Express money as an integer number of minor units (cents).',
    },
    {
      path: '',
      code: 'TRUNCATED_JSON',
      message: 'The output looks truncated.',
      hint: 'Return it all.',
    },
  ];

  test('lists each issue with where, what and how to fix, without repeating a hint', () => {
    expect(repairPrompt(issues)).toBe(
      [
        'Your HandoffPlan was rejected with 3 issues. Fix each one and change nothing else.',
        '1. /options/0/budget/amount/amountMinor: MONEY_NOT_INTEGER. Money amounts are integers in minor units (cents), never floats. Fix: Express money as an integer number of minor units (cents).',
        '2. /options/0/actions/0/estimatedCost/amountMinor: MONEY_NOT_INTEGER. Money amounts are integers in minor units (cents), never floats. Fix: as in 1.',
        '3. the whole output: TRUNCATED_JSON. The output looks truncated. Fix: Return it all.',
        'Return the complete corrected plan as one JSON object, with no text before or after it.',
      ].join('\n'),
    );
  });

  test('caps the list and counts the rest', () => {
    const text = repairPrompt(issues, { maxIssues: 1, returnInstruction: 'Call the tool again.' });
    expect(text.split('\n')).toEqual([
      'Your HandoffPlan was rejected with 3 issues. Fix each one and change nothing else.',
      expect.stringMatching(/^1\. /),
      '(2 more issues not listed: fix the ones above first.)',
      'Call the tool again.',
    ]);
    expect(repairPrompt([])).toBe('Your HandoffPlan was accepted; no change is needed.');
  });

  test('turns a recorded failure into a prompt that names every path', () => {
    const result = parse('wrong-types.txt');
    const prompt = repairPrompt(result.ok ? [] : result.issues);
    for (const issue of result.ok ? [] : result.issues) expect(prompt).toContain(issue.path);
    expect(prompt.length).toBeLessThan(2500);
  });
});

describe('normaliseModelPlan on hostile keys', () => {
  test('a __proto__ member of a contract object stays a key and is refused', () => {
    const text = JSON.stringify(cardPlan()).replace(
      '"kind":"HandoffPlan",',
      '"kind":"HandoffPlan","__proto__":null,',
    );
    expect(codesAt(parsePlanFromModelOutput(text))).toEqual([
      { path: '/__proto__', code: 'UNRECOGNIZED_KEY' },
    ]);
  });
});
