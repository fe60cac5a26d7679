import { ERROR_CODES, type ErrorEnvelope } from '@handoff/protocol';
import { hintFor, ISSUE_HINTS, type PlanIssueCode } from '../validate/hints.js';
import type { HandoffClientError, WireIssue } from './client-error.js';

/** An issue of a gateway refusal with how to fix it, written for the model that must: `{ path, code, message, hint }`. */
export interface RefusalIssue extends WireIssue {
  hint: string;
}

/** What a refusal tells a model: the error code, what to do about it, and each issue with its hint. */
export interface RefusalHints {
  /** The gateway's code (`ERROR_CODES`) or a client-side one (`NETWORK`, `TIMEOUT`, ...). */
  code: string;
  /** What to do about the refusal as a whole, as an instruction to a model. */
  hint: string;
  /** Whether the same call may succeed later unchanged (a transient failure). */
  retryable: boolean;
  issues: RefusalIssue[];
}

/** Hints of the issue codes the gateway adds to the protocol's (a plan that is valid but not acceptable here). */
const GATEWAY_ISSUE_HINTS: Readonly<Record<string, string>> = {
  PLAN_ALREADY_EXPIRED:
    'Set "expiresAt" in the future (for example now plus 7 days, RFC 3339 UTC) and "createdAt" to now.',
  BUDGET_COST_UNDERSTATED:
    "Raise this action's estimatedCost to at least the cost the gateway computed (see the message), and the option's budget with it.",
  BUDGET_EXCEEDED:
    "Ask for less: call handoff_get_caps and keep the plan within each cap's usage.headroom, or split it over periods.",
  BUDGET_CURRENCY_NOT_CONFIGURED:
    "Use the currency of the tenant's budget caps (see handoff_get_caps) for every amount.",
  PROVENANCE_REQUIRED:
    'This gateway requires signed plans: submit through a server that holds the copilot key.',
  PROVENANCE_NOT_CONFIGURED:
    'This gateway verifies no plan signatures: submit without a signature.',
  PROVENANCE_COPILOT_MISMATCH:
    'Keep the plan\'s "copilot" identity as the signer\'s key declares it (same vendor, model and version).',
  INVALID_UTF8: 'Send the plan as UTF-8 JSON.',
};

/** Hints of whole refusals, by gateway code; others fall back to the code's summary in `ERROR_CODES`. */
const CODE_HINTS: Readonly<Record<string, string>> = {
  VALIDATION_FAILED:
    'Fix every issue listed (each names its JSON Pointer path and how to fix it), change nothing else, and submit the whole plan again.',
  UNSUPPORTED_VERSION:
    'Write the plan in a protocolVersion this gateway supports (see the message).',
  PLAN_CONFLICT:
    'This planId was already used for another plan: make a new planId (a UUID version 7) for a changed plan; never reuse one.',
  BUDGET_COST_UNDERSTATED:
    "Declare each action's cost at least as the gateway computes it (see the issues) and resubmit under a new planId.",
  FORBIDDEN:
    'Write plans only for your own tenant ("tenantId"), and only call what your role allows.',
  UNAUTHENTICATED:
    'The credential was refused: this is for the operator of the connection, not for the plan.',
  NOT_FOUND: 'No such plan for this caller: check the planId (handoff_list_plans lists yours).',
};

/** The hint of one issue: the copilot adapter's plan hints for protocol codes, else the gateway's table. */
function issueHint(issue: WireIssue): string {
  if (Object.hasOwn(ISSUE_HINTS, issue.code)) {
    return hintFor({ ...issue, code: issue.code as PlanIssueCode });
  }
  return (
    GATEWAY_ISSUE_HINTS[issue.code] ??
    'Fix the value at this path as the message says, then submit the whole plan again.'
  );
}

/**
 * What a model needs to act on a refused call: the envelope's code with a hint for the refusal as a whole, and
 * every issue (JSON Pointer `path`, `code`, `message`) with a hint (the same hints as `validatePlan`'s for protocol
 * issue codes, specialised by path; the gateway's own issue codes, e.g. `PLAN_ALREADY_EXPIRED`, have their own).
 *
 * @param error - a {@link HandoffClientError} (its envelope when the gateway answered one), or an `ErrorEnvelope`.
 */
export function refusalHints(error: HandoffClientError | ErrorEnvelope): RefusalHints {
  const code = String(error.code);
  const known = Object.hasOwn(ERROR_CODES, code)
    ? ERROR_CODES[code as keyof typeof ERROR_CODES].summary
    : undefined;
  const retryable = 'retryable' in error ? error.retryable : code === 'KEY_SOURCE_UNAVAILABLE';
  return {
    code,
    hint:
      CODE_HINTS[code] ??
      (retryable
        ? 'A transient failure: try the same call again later.'
        : (known ?? error.message)),
    retryable,
    issues: error.issues.map((issue) => ({ ...issue, hint: issueHint(issue) })),
  };
}
