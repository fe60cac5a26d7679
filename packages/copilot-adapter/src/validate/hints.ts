import { ACTION_TYPES, HANDOFF_PROTOCOL_VERSION, type ProtocolIssueCode } from '@handoff/protocol';

/**
 * Issue codes this package adds to the protocol's, for model output that never became a document:
 * - `NO_JSON_OBJECT`: the text holds no `{` at all (stage `extract`);
 * - `TRUNCATED_JSON`: a JSON object starts but never closes, typically an output cut at its token limit (stage
 *   `json`).
 */
export type AdapterIssueCode = 'NO_JSON_OBJECT' | 'TRUNCATED_JSON';

/** A protocol issue code (`PROTOCOL_ISSUE_CODES`) or an {@link AdapterIssueCode}. */
export type PlanIssueCode = ProtocolIssueCode | AdapterIssueCode;

/**
 * One reason a plan (or a model's attempt at one) was refused, written for the model that must fix it:
 * - `path`: JSON Pointer (RFC 6901) to the offending value, `""` for the whole document or output;
 * - `code`: a stable {@link PlanIssueCode};
 * - `message`: what is wrong (from the protocol validator; for people and models, may change between releases);
 * - `hint`: how to fix it, as an instruction to a model.
 */
export interface PlanIssue {
  path: string;
  code: PlanIssueCode;
  message: string;
  hint: string;
}

/** The default hint of every code: compile-time exhaustive, so a new protocol code cannot lack one. */
export const ISSUE_HINTS: Readonly<Record<PlanIssueCode, string>> = {
  NO_JSON_OBJECT:
    'Answer with the plan as one JSON object (starting with "{"), optionally inside a ```json fenced block.',
  TRUNCATED_JSON:
    'Your output stopped before the JSON object was closed. Return the whole plan again, more compactly (shorter texts, fewer contacts) so that it ends with its closing "}".',
  INVALID_JSON:
    'Return strict JSON: double-quoted keys and strings, no comments, no trailing commas, no NaN or Infinity.',
  DOCUMENT_TOO_LARGE:
    'Keep the plan under 524288 bytes of JSON: at most 10 options, target segments (segmentId) instead of listing many contacts, shorter texts.',
  UNSUPPORTED_VERSION: `Set "protocolVersion" to "${HANDOFF_PROTOCOL_VERSION}".`,
  REQUIRED: 'Add this field: it is required here.',
  INVALID_TYPE:
    'Give this field the JSON type the contract asks for (a number without quotes, a string in quotes, true/false, an object or an array).',
  INVALID_VALUE:
    'Use exactly one of the allowed values listed in the message (same spelling and case).',
  INVALID_FORMAT: 'Rewrite the value in the format the message names.',
  INVALID_DISCRIMINATOR: 'Set "type" (or "unit") to one of the values listed in the message.',
  UNRECOGNIZED_KEY:
    'Remove this field: the contract does not define it here (check its spelling and nesting).',
  TOO_SMALL:
    'The value is below its minimum (an empty string or list, or a number under its lower bound): see the message.',
  TOO_BIG:
    'The value is above its maximum: names at most 200 characters, texts 4000, identifiers 128, at most 10 options, 50 actions and 50 evidence items per option, 1000 contacts per action.',
  NOT_INTEGER: 'Write a whole number without a decimal point (e.g. 170, not 170.5 or 170.0).',
  DUPLICATE_ITEM: 'List each value only once.',
  FORBIDDEN_KEY: 'Rename this key: "__proto__" is not allowed as a property name.',
  MISSING_ONE_OF: 'Add at least one of the fields the message names.',
  INVALID_INPUT:
    'The value matches none of the shapes allowed here; compare it with the schema at this path.',
  MONEY_NOT_INTEGER:
    'Express money as an integer number of minor units (cents): 19.99 USD is {"amountMinor":1999,"currency":"USD"}; 645.00 EUR is {"amountMinor":64500,"currency":"EUR"}; JPY has no minor unit (1500 JPY is 1500) and BHD has three digits (1.500 BHD is 1500). Never write a decimal point in amountMinor.',
  MONEY_NEGATIVE: 'Money is never negative: use 0 or a positive integer of minor units.',
  MONEY_UNSAFE_INTEGER:
    'The amount is above 9007199254740991 minor units: check that it is in minor units and not scaled twice.',
  UNKNOWN_CURRENCY:
    'Use an upper-case ISO 4217 code that has a minor unit, e.g. "EUR", "USD", "GBP", "JPY" (not "eur", "€" or "XAU").',
  RECOMMENDED_OPTION_NOT_FOUND:
    'Set "recommendedOptionId" to the "optionId" of one of the plan\'s options.',
  DUPLICATE_OPTION_ID: 'Give every option a distinct "optionId".',
  DUPLICATE_ACTION_ID: 'Give every action of this option a distinct "actionId".',
  ACTIONS_EXCEED_BUDGET:
    "Make the estimatedCost of this option's actions add up to at most budget.amount (same currency, minor units): lower the costs, drop an action, or raise the budget.",
  CURRENCY_MISMATCH:
    "Use the option's budget currency for every amount in that option: action costs, the money forecast and budget changes.",
  FORECAST_NOT_MONOTONIC: 'Order the forecast so that p10 <= p50 <= p90.',
  EXPIRY_NOT_AFTER_CREATION:
    'Set "expiresAt" later than "createdAt" (for example createdAt plus 7 days), both RFC 3339 UTC.',
  UNKNOWN_INPUT_REFERENCE:
    'Use the "inputId" of one of the plan\'s "inputs", or add the dataset you cite to "inputs".',
  DUPLICATE_INPUT_ID: 'Give every input a distinct "inputId".',
  REQUIRES_NEWER_VERSION: `Set "protocolVersion" to "${HANDOFF_PROTOCOL_VERSION}": this field or action type was added in that version.`,
};

/** A hint that applies only to some paths or messages; the first matching rule wins over the default. */
interface HintRule {
  codes: readonly PlanIssueCode[];
  /** Matches the unescaped last path segment, or the whole path when `path` is set. */
  key?: RegExp;
  path?: RegExp;
  message?: RegExp;
  hint: string;
}

const TIMESTAMP_HINT =
  'Write an RFC 3339 timestamp in UTC ending in "Z", e.g. "2026-11-21T09:00:00Z" (no offsets such as +01:00, no date-only values).';
const IDENTIFIER_HINT =
  'Identifiers are 1-128 characters: a letter or digit first, then letters, digits and . _ : - only (no spaces, no slashes).';

const RULES: readonly HintRule[] = [
  {
    codes: ['INVALID_TYPE', 'INVALID_VALUE'],
    message: /received null|expected .* received null/i,
    hint: 'Omit this field instead of writing null: optional fields are left out, never null. If it is required, give it a real value.',
  },
  {
    codes: ['REQUIRED', 'INVALID_VALUE'],
    path: /^\/protocolVersion$/,
    hint: `Set "protocolVersion" to "${HANDOFF_PROTOCOL_VERSION}".`,
  },
  { codes: ['REQUIRED', 'INVALID_VALUE'], path: /^\/kind$/, hint: 'Set "kind" to "HandoffPlan".' },
  {
    codes: ['REQUIRED'],
    path: /^\/recommendedOptionId$/,
    hint: 'Add "recommendedOptionId": the "optionId" of the option you recommend.',
  },
  {
    codes: ['INVALID_FORMAT', 'REQUIRED'],
    path: /^\/planId$/,
    hint: 'Use the planId you were given; otherwise a UUID version 7 in lower case (e.g. "019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6f70") or a ULID. Random UUIDs (version 4) are refused.',
  },
  { codes: ['INVALID_FORMAT'], key: /At$/, hint: TIMESTAMP_HINT },
  {
    codes: ['INVALID_FORMAT'],
    key: /^email$/,
    hint: 'Write a plain email address such as "client-0007@example.com", or use "externalId" instead.',
  },
  {
    codes: ['INVALID_FORMAT'],
    key: /^phone$/,
    hint: 'Write the phone number in E.164: "+", country code and number, digits only, e.g. "+351912345678".',
  },
  {
    codes: ['INVALID_FORMAT', 'TOO_BIG'],
    path: /\/params\/url$/,
    hint: 'Use an absolute "https://" URL with a host, in RFC 3986 characters (percent-encode spaces and non-ASCII), at most 2048 characters.',
  },
  {
    codes: ['INVALID_FORMAT', 'TOO_BIG'],
    key: /^(uri|url)$/,
    hint: 'Use an absolute URI such as "https://example.com/report.pdf" in RFC 3986 characters (percent-encode spaces and non-ASCII), at most 2048 characters.',
  },
  {
    codes: ['INVALID_FORMAT'],
    key: /^(sha256|promptHash)$/,
    hint: 'Write a digest as "sha256:" followed by 64 lower-case hexadecimal digits.',
  },
  { codes: ['INVALID_FORMAT', 'TOO_BIG'], key: /(Id|^adapter|^code)$/, hint: IDENTIFIER_HINT },
  {
    codes: ['INVALID_DISCRIMINATOR', 'REQUIRED'],
    path: /\/actions\/\d+\/type$/,
    hint: `Set the action "type" to one of: ${ACTION_TYPES.join(', ')}; its "params" must match that type.`,
  },
  {
    codes: ['INVALID_DISCRIMINATOR', 'REQUIRED'],
    path: /\/evidence\/\d+\/type$/,
    hint: 'Set the evidence "type" to one of: named_client, quantified_outcome, citation, dataset_reference.',
  },
  {
    codes: ['INVALID_DISCRIMINATOR', 'REQUIRED'],
    path: /\/(objective|forecast)\/unit$/,
    hint: 'Set "unit" to "ratio" (roas, conversion_rate, retention_rate, churn_rate, ctr, open_rate), "count" (conversions, subscriptions, signups, leads, retained_customers) or "money" (cac, cpa, revenue, ltv, pipeline_value).',
  },
  {
    codes: ['INVALID_VALUE'],
    key: /^kpi$/,
    hint: 'Pick a KPI of the chosen unit: ratio -> roas, conversion_rate, retention_rate, churn_rate, ctr, open_rate; count -> conversions, subscriptions, signups, leads, retained_customers; money -> cac, cpa, revenue, ltv, pipeline_value.',
  },
  {
    codes: ['MISSING_ONE_OF'],
    path: /^\/copilot$/,
    hint: 'Add "promptVersion" (the version name of your prompt) or "promptHash" ("sha256:" and 64 hex digits of the prompt text).',
  },
  {
    codes: ['MISSING_ONE_OF'],
    path: /^\/inputs\/\d+$/,
    hint: 'Identify the input\'s version: add "version" (e.g. a release name or date) or "sha256" ("sha256:" and 64 hex digits of its content).',
  },
  {
    codes: ['MISSING_ONE_OF'],
    path: /\/params$/,
    hint: 'Name the audience: give "recipients" (a list of contacts) or "segmentId", or both.',
  },
  {
    codes: ['MISSING_ONE_OF'],
    hint: 'Identify the contact by "email" or "externalId" (at least one; "phone" alone is not enough).',
  },
  {
    codes: ['TOO_SMALL'],
    path: /^\/options$/,
    hint: 'Give at least one strategy option (at most 10).',
  },
  {
    codes: ['TOO_SMALL'],
    key: /^(channels|actions|contacts|recipients)$/,
    hint: 'This list needs at least one item.',
  },
  {
    codes: ['MONEY_NOT_INTEGER'],
    path: /\/forecast\/p(10|50|90)$/,
    hint: 'A money forecast gives p10, p50 and p90 as integers of minor units of its "currency", without a decimal point: 26,000.00 EUR is 2600000.',
  },
  {
    codes: ['NOT_INTEGER'],
    path: /\/forecast\/p(10|50|90)$/,
    hint: 'Count and money forecasts are whole numbers (money in minor units): write p10, p50 and p90 without a decimal point.',
  },
  {
    codes: ['DUPLICATE_ITEM'],
    key: /^channels$/,
    hint: 'List each channel once.',
  },
];

function unescapePointerSegment(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}

/**
 * The hint for an issue: the first rule of this module that matches its code and path (e.g. `INVALID_FORMAT` at
 * `/createdAt` explains RFC 3339 UTC; `MISSING_ONE_OF` at `/copilot` names promptVersion and promptHash), else the
 * default of its code in {@link ISSUE_HINTS}.
 */
export function hintFor(issue: { path: string; code: PlanIssueCode; message: string }): string {
  const segments = issue.path.split('/');
  const key = unescapePointerSegment(segments[segments.length - 1] ?? '');
  for (const rule of RULES) {
    if (!rule.codes.includes(issue.code)) continue;
    if (rule.path && !rule.path.test(issue.path)) continue;
    if (rule.key && !rule.key.test(key)) continue;
    if (rule.message && !rule.message.test(issue.message)) continue;
    return rule.hint;
  }
  return ISSUE_HINTS[issue.code];
}

/** Adds the {@link hintFor} hint to each issue, keeping order. */
export function withHints(
  issues: readonly { path: string; code: PlanIssueCode; message: string }[],
): PlanIssue[] {
  return issues.map((issue) => ({
    path: issue.path,
    code: issue.code,
    message: issue.message,
    hint: hintFor(issue),
  }));
}
