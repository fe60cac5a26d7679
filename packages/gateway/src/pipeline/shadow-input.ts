import { GatewayError } from '../errors.js';
import { loadPolicySet, type PolicySet } from '../policy/policy-set.js';

/**
 * The candidate and period of a `policy.shadow` request: the policy text parsed and validated as a policy file,
 * the times as epoch ms.
 *
 * @throws GatewayError `VALIDATION_FAILED` with the candidate's issues under `/policy` (e.g.
 *   `/policy/rules/0/type` `UNKNOWN_RULE_TYPE`), or `INVALID_VALUE` at `/to` when `to` is not after `from`.
 */
export function shadowInput(input: {
  policy: string;
  from?: string;
  to?: string;
  limit?: number;
}): {
  candidate: PolicySet;
  fromMs?: number;
  toMs?: number;
  limit?: number;
} {
  let candidate: PolicySet;
  try {
    candidate = loadPolicySet(input.policy);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    throw new GatewayError('VALIDATION_FAILED', `Candidate ${error.message}`, {
      issues: error.issues.map((issue) => ({ ...issue, path: `/policy${issue.path}` })),
    });
  }
  const fromMs = input.from === undefined ? undefined : Date.parse(input.from);
  const toMs = input.to === undefined ? undefined : Date.parse(input.to);
  if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) {
    const message = '`to` must be after `from`';
    throw new GatewayError('VALIDATION_FAILED', message, {
      issues: [{ path: '/to', code: 'INVALID_VALUE', message }],
    });
  }
  return {
    candidate,
    ...(fromMs === undefined ? {} : { fromMs }),
    ...(toMs === undefined ? {} : { toMs }),
    ...(input.limit === undefined ? {} : { limit: input.limit }),
  };
}
