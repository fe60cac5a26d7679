import {
  type Digest,
  type HandoffPlan,
  type ParseOptions,
  planDigest,
  safeParseDocument,
} from '@handoff/protocol';
import { type PlanIssue, withHints } from './hints.js';

/** The result of {@link validatePlan}: the typed plan, or every issue with a hint for the model. */
export type PlanValidation = { ok: true; plan: HandoffPlan } | { ok: false; issues: PlanIssue[] };

/**
 * Validates a plan exactly as the gateway will (`safeParseDocument('HandoffPlan', ...)` of `@handoff/protocol`):
 * size (at most 524,288 bytes of JSON), `protocolVersion`, shape, then the cross-field rules. Never throws.
 *
 * On failure each issue keeps the protocol's `path` (JSON Pointer), `code` (`ProtocolIssueCode`) and `message`, and
 * gains a `hint` telling a model how to fix it (see `ISSUE_HINTS`, specialised by path, e.g. `MONEY_NOT_INTEGER` ->
 * `Express money as an integer number of minor units (cents): 19.99 USD is {"amountMinor":1999,...}`). Feed the
 * issues to `repairPrompt` to ask the model for a corrected plan.
 *
 * @param input - a parsed JSON value (not text; for model output use `parsePlanFromModelOutput`).
 * @param options - `maxBytes` and `upgrades`, as `safeParseDocument`.
 * @returns `{ ok: true, plan }` (a new object: the validated plan) or `{ ok: false, issues }` (never empty).
 */
export function validatePlan(input: unknown, options?: ParseOptions): PlanValidation {
  const result = safeParseDocument('HandoffPlan', input, options);
  if (result.success) return { ok: true, plan: result.data };
  return { ok: false, issues: withHints(result.error.issues) };
}

/** Freezes `value` and everything reachable from it (objects and arrays), depth first. Returns `value`. */
function deepFreeze<T>(value: T, seen: Set<object> = new Set()): T {
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) {
    deepFreeze((value as Record<PropertyKey, unknown>)[key], seen);
  }
  return Object.freeze(value);
}

/**
 * Deep-freezes a plan in place and returns its digest (`sha256:<64 hex>` over the RFC 8785 canonical JSON, the
 * value approvals and provenance signatures bind to). Once digested a plan must not change, or the digest, and any
 * signature over it, would describe another plan: freezing makes a later assignment throw in strict mode (ES
 * modules always are) instead of silently diverging.
 *
 * Validate first (`validatePlan`); this function does not.
 *
 * @returns the plan's digest, e.g. `sha256:dc8d576e...`.
 * @throws TypeError when the plan holds a value with no JSON form (see `canonicalJson` of `@handoff/protocol`).
 */
export function digestAndFreeze(plan: HandoffPlan): Digest {
  deepFreeze(plan);
  return planDigest(plan);
}

export { planDigest };
