import {
  type HandoffPlan,
  isCurrencyCode,
  moneyToDecimalString,
  type ParseOptions,
} from '@handoff/protocol';
import { isJsonObject } from '../llm-schemas/json-schema.js';
import { hintFor, type PlanIssue, type PlanIssueCode } from '../validate/hints.js';
import { validatePlan } from '../validate/validate-plan.js';
import { extractJsonObject, type JsonSource } from './extract-json.js';
import { normaliseModelPlan } from './normalise.js';
import { hasFractionOrExponent, numberLexemes } from './number-lexemes.js';

/** Where parsing a model's output stopped. */
export type ParseStage = 'extract' | 'json' | 'validate';

/** The result of {@link parsePlanFromModelOutput}. */
export type ModelPlanResult =
  | { ok: true; plan: HandoffPlan; source: JsonSource }
  | { ok: false; stage: ParseStage; issues: PlanIssue[] };

/** Money amounts of the contract (minor units), as JSON Pointers, and the pointer of their currency. */
const MONEY_AMOUNTS: readonly [RegExp, (path: string) => string][] = [
  [/^\/options\/\d+\/budget\/amount\/amountMinor$/, currencyBeside],
  [/^\/options\/\d+\/actions\/\d+\/estimatedCost\/amountMinor$/, currencyBeside],
  [
    /^\/options\/\d+\/actions\/\d+\/params\/(currentBudget|newBudget)\/amountMinor$/,
    currencyBeside,
  ],
  [/^\/objective\/target\/amountMinor$/, currencyBeside],
  [/^\/options\/\d+\/forecast\/p(10|50|90)$/, (path) => path.replace(/p\d+$/, 'currency')],
];

function currencyBeside(path: string): string {
  return path.replace(/amountMinor$/, 'currency');
}

/** The value at a JSON Pointer, or `undefined`. */
function at(root: unknown, pointer: string): unknown {
  let current = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isJsonObject(current))
      current = Object.hasOwn(current, key) ? current[key] : undefined;
    else return undefined;
  }
  return current;
}

function issue(path: string, code: PlanIssueCode, message: string): PlanIssue {
  return { path, code, message, hint: hintFor({ path, code, message }) };
}

/**
 * Integral money written with a decimal point or exponent (`"amountMinor": 645.0`). JSON reads `645.0` as 645 minor
 * units (6.45 EUR), but a model that writes the point most likely meant 645.00 EUR: a hundredfold error the contract
 * cannot see. Refused as `MONEY_NOT_INTEGER`; a fractional amount (19.99) is left to validation, which refuses it.
 */
function decimalMoney(json: string, parsed: unknown): PlanIssue[] {
  const out: PlanIssue[] = [];
  for (const { path, lexeme } of numberLexemes(json)) {
    if (!hasFractionOrExponent(lexeme)) continue;
    const rule = MONEY_AMOUNTS.find(([pattern]) => pattern.test(path));
    const value = at(parsed, path);
    if (rule === undefined || typeof value !== 'number' || !Number.isInteger(value)) continue;
    if (path.includes('/forecast/') && at(parsed, path.replace(/p\d+$/, 'unit')) !== 'money')
      continue;
    const currency = at(parsed, rule[1](path));
    const reads = isCurrencyCode(currency)
      ? ` (${moneyToDecimalString({ amountMinor: value, currency })} ${currency})`
      : '';
    out.push(
      issue(
        path,
        'MONEY_NOT_INTEGER',
        `Written as ${lexeme}: JSON reads ${value} minor units${reads}, but a decimal point suggests major units`,
      ),
    );
  }
  return out;
}

/** Options of {@link parsePlanFromModelOutput}. */
export interface ParseModelOutputOptions {
  /** Passed to validation (`maxBytes`, `upgrades`), as `validatePlan`. */
  validation?: ParseOptions;
}

/**
 * Reads a HandoffPlan from what a model wrote, in three stages, and says where it stopped:
 * 1. `extract`: find the JSON (raw, in a ```` ```json ```` fence, or the first `{...}` amid prose; see
 *    `extractJsonObject`). Fails with `NO_JSON_OBJECT`; an object that never closes (output cut at its token limit)
 *    fails at stage `json` with `TRUNCATED_JSON`.
 * 2. `json`: `JSON.parse`. Fails with `INVALID_JSON` (the parser's message).
 * 3. `validate`: undo the strict structured-output forms (`null` for absent optional fields is dropped; `{ key,
 *    value }` lists become property bags; see `normaliseModelPlan`), then validate as the gateway does
 *    (`validatePlan`). Two checks are added: a key repeated in a `{ key, value }` list (`DUPLICATE_ITEM`), and an
 *    integral money amount written with a decimal point, such as `645.0` (`MONEY_NOT_INTEGER`: JSON cannot tell it
 *    from 645, and the model most likely meant major units).
 *
 * Every issue has a JSON Pointer `path` (into the model's output), a `code`, a `message` and a `hint` for the
 * model; `repairPrompt(issues)` turns them into the next prompt.
 *
 * @param output - the model's text: a message's content, or `JSON.stringify` of a tool call's input.
 * @returns `{ ok: true, plan, source }` or `{ ok: false, stage, issues }` (issues never empty). Never throws.
 */
export function parsePlanFromModelOutput(
  output: string,
  options: ParseModelOutputOptions = {},
): ModelPlanResult {
  const extraction = extractJsonObject(output);
  if (!extraction.ok) {
    const stage = extraction.code === 'NO_JSON_OBJECT' ? 'extract' : 'json';
    return { ok: false, stage, issues: [issue('', extraction.code, extraction.message)] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(extraction.json);
  } catch (error) {
    const message = `Not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
    return { ok: false, stage: 'json', issues: [issue('', 'INVALID_JSON', message)] };
  }
  const { value, duplicates } = normaliseModelPlan(parsed);
  const validation = validatePlan(value, options.validation);
  const extra = [
    ...duplicates.map((d) =>
      issue(d.path, 'DUPLICATE_ITEM', `The key ${JSON.stringify(d.key)} is given more than once`),
    ),
    ...decimalMoney(extraction.json, parsed),
  ];
  if (validation.ok && extra.length === 0) {
    return { ok: true, plan: validation.plan, source: extraction.source };
  }
  const seen = new Set<string>();
  const issues = [...(validation.ok ? [] : validation.issues), ...extra].filter((i) => {
    const key = `${i.path}\u0000${i.code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { ok: false, stage: 'validate', issues };
}
