import type { z } from 'zod';
import { PROTOCOL_ISSUE_CODES, type ProtocolIssue, type ProtocolIssueCode } from './issue-codes.js';

/** Renders a path as a JSON Pointer (RFC 6901): `["options", 0, "a/b"]` -> `/options/0/a~1b`. */
export function toJsonPointer(path: readonly PropertyKey[]): string {
  return path
    .map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`)
    .join('');
}

/** The `params.code` that custom refinements in this package attach to their issues. */
export interface RuleParams {
  code: ProtocolIssueCode;
}

function isProtocolIssueCode(value: unknown): value is ProtocolIssueCode {
  return (PROTOCOL_ISSUE_CODES as readonly unknown[]).includes(value);
}

const MONEY_AMOUNT_KEY = 'amountMinor';
const CURRENCY_KEY = 'currency';

/** Maps one zod issue (which may expand to several, e.g. one per unrecognized key) to protocol issues. */
function mapIssue(issue: z.core.$ZodIssue): ProtocolIssue[] {
  const path = toJsonPointer(issue.path);
  const last = issue.path[issue.path.length - 1];
  // Parsing uses `reportInput: true`, so an issue carries the value it is about; a missing value is `undefined`.
  const missing = 'input' in issue && issue.input === undefined;
  const one = (code: ProtocolIssueCode, message = issue.message): ProtocolIssue[] => [
    { path, code, message },
  ];
  switch (issue.code) {
    case 'custom': {
      const code = (issue.params as Partial<RuleParams> | undefined)?.code;
      return one(isProtocolIssueCode(code) ? code : 'INVALID_INPUT');
    }
    case 'invalid_type': {
      if (missing) return one('REQUIRED', `Required: expected ${issue.expected}`);
      if (issue.expected === 'int' && typeof issue.input === 'number') {
        return last === MONEY_AMOUNT_KEY
          ? one(
              'MONEY_NOT_INTEGER',
              'Money amounts are integers in minor units (cents), never floats',
            )
          : one('NOT_INTEGER');
      }
      return one('INVALID_TYPE');
    }
    case 'too_small':
      if (last === MONEY_AMOUNT_KEY)
        return one('MONEY_NEGATIVE', 'Money amounts must not be negative');
      return one('TOO_SMALL');
    case 'too_big':
      if (issue.origin === 'int' && issue.maximum === Number.MAX_SAFE_INTEGER) {
        return one(
          last === MONEY_AMOUNT_KEY ? 'MONEY_UNSAFE_INTEGER' : 'TOO_BIG',
          'Integers must be within the IEEE 754 safe range (at most 2^53 - 1)',
        );
      }
      return one('TOO_BIG');
    case 'invalid_value':
      if (missing) return one('REQUIRED', 'Required');
      if (last === CURRENCY_KEY) return one('UNKNOWN_CURRENCY', 'Not an ISO 4217 currency code');
      return one('INVALID_VALUE');
    case 'invalid_format':
      return one('INVALID_FORMAT');
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        path: `${path}${toJsonPointer([key])}`,
        code: 'UNRECOGNIZED_KEY' as const,
        message: `Unrecognized key ${JSON.stringify(key)}`,
      }));
    case 'invalid_union':
      if (missing) return one('REQUIRED', 'Required');
      if ('discriminator' in issue && typeof issue.discriminator === 'string') {
        // zod reports a discriminator issue with the parent object as its input.
        const parent = issue.input;
        const absent =
          typeof parent === 'object' &&
          parent !== null &&
          (parent as Record<string, unknown>)[issue.discriminator] === undefined;
        return absent
          ? one('REQUIRED', `Required: ${issue.discriminator}`)
          : one('INVALID_DISCRIMINATOR');
      }
      return one('INVALID_INPUT');
    case 'invalid_key': {
      // A record key that its key schema refused: report the key schema's own issue (format, size, forbidden).
      const inner = issue.issues[0];
      return inner
        ? mapIssue({ ...inner, path: issue.path } as z.core.$ZodIssue)
        : one('INVALID_INPUT');
    }
    default:
      return one('INVALID_INPUT');
  }
}

/** Converts zod issues (parsed with `reportInput: true`) to protocol issues, in zod's order, without duplicates. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[]): ProtocolIssue[] {
  const seen = new Set<string>();
  const out: ProtocolIssue[] = [];
  for (const issue of issues.flatMap(mapIssue)) {
    const key = `${issue.path}\u0000${issue.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(issue);
  }
  return out;
}
