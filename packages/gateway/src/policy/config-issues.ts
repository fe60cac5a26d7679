import { toJsonPointer } from '@handoff/protocol';
import type { z } from 'zod';
import type { ProtocolIssueLike } from '../errors.js';
import { RULE_TYPES } from './rule.js';

/**
 * Maps zod issues from validating a policy set to gateway issues `{ path, code, message }`, with `path` a JSON
 * Pointer into the policy document. Codes follow the protocol's where one fits (`REQUIRED`, `INVALID_TYPE`,
 * `INVALID_VALUE`, `INVALID_FORMAT`, `UNRECOGNIZED_KEY` (one per key), `TOO_SMALL`, `TOO_BIG`, `NOT_INTEGER`,
 * `UNKNOWN_CURRENCY`, `DUPLICATE_ITEM`, `MISSING_ONE_OF`, `INVALID_INPUT`); policy-specific ones are
 * `UNKNOWN_RULE_TYPE`, `DUPLICATE_RULE_ID`, `DUPLICATE_CURRENCY`, `QUORUM_UNREACHABLE`, `PERCENT_PRECISION`,
 * `UNKNOWN_TIME_ZONE` (a `send_window` zone) and `OVERRIDE_ROLES_NOT_APPLICABLE`. Issues are ordered as zod
 * reported them, without duplicates.
 */
export function policyIssues(issues: readonly z.core.$ZodIssue[]): ProtocolIssueLike[] {
  const out: ProtocolIssueLike[] = [];
  const seen = new Set<string>();
  for (const issue of issues.flatMap(mapIssue)) {
    const key = `${issue.path}\u0000${issue.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(issue);
  }
  return out;
}

function mapIssue(issue: z.core.$ZodIssue): ProtocolIssueLike[] {
  const path = toJsonPointer(issue.path);
  const last = issue.path[issue.path.length - 1];
  const one = (code: string, message = issue.message): ProtocolIssueLike[] => [
    { path, code, message },
  ];
  switch (issue.code) {
    case 'custom': {
      const code: unknown = issue.params?.code;
      return one(typeof code === 'string' ? code : 'INVALID_INPUT');
    }
    case 'invalid_type':
      if (issue.input === undefined) return one('REQUIRED', `Required: expected ${issue.expected}`);
      if (issue.expected === 'int' && typeof issue.input === 'number') return one('NOT_INTEGER');
      return one('INVALID_TYPE');
    case 'too_small':
      return one('TOO_SMALL');
    case 'too_big':
      return one('TOO_BIG');
    case 'invalid_value':
      return last === 'currency'
        ? one('UNKNOWN_CURRENCY', 'Not an ISO 4217 currency code with a minor unit')
        : one('INVALID_VALUE');
    case 'invalid_format':
      return one('INVALID_FORMAT');
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        path: `${path}${toJsonPointer([key])}`,
        code: 'UNRECOGNIZED_KEY',
        message: `Unrecognized key ${JSON.stringify(key)}`,
      }));
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator === 'type') {
        return one(
          'UNKNOWN_RULE_TYPE',
          `Unknown rule type; expected one of ${RULE_TYPES.join(', ')}`,
        );
      }
      return one('INVALID_INPUT');
    default:
      return one('INVALID_INPUT');
  }
}
