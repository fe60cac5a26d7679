import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  type HandoffPlan,
  type PolicyDecision,
  parseDocument,
  planDigest,
  type StrategyOption,
  safeParseDocument,
} from '@handoff/protocol';
import { expect } from 'vitest';
import { GatewayError, type ProtocolIssueLike } from '../../src/errors.js';
import { evaluatePolicy, type PolicyEvaluation } from '../../src/policy/evaluate.js';
import type { PolicyFacts } from '../../src/policy/policy-facts.js';
import {
  loadPolicySet,
  type PolicySet,
  PolicySetSchema,
  policyVersion,
} from '../../src/policy/policy-set.js';

const resolver = createRequire(import.meta.url);
const PLAN_PATH = resolver.resolve(
  '@handoff/protocol/conformance/v1/HandoffPlan/valid/term-deposit-two-options.json',
);
const PLAN_TEXT = readFileSync(PLAN_PATH, 'utf8');

/** The time every test evaluation is stamped with. */
export const EVALUATED_AT = '2026-11-21T10:00:00Z';

/**
 * A fresh deep copy of the conformance plan `term-deposit-two-options` (ai_assisted, convert stage, EUR; option 0
 * `call-prior-successes` spends EUR 645.00 via hubspot on phone + email, risk 0.2, sales_script; option 1
 * `nurture-broadcast` spends EUR 185.25 via customerio on email, risk 0.35, email_copy).
 */
export function basePlan(): HandoffPlan {
  return parseDocument('HandoffPlan', JSON.parse(PLAN_TEXT));
}

/** The option at `index`; fails the test when there is none. */
export function optionAt(plan: HandoffPlan, index: number): StrategyOption {
  const option = plan.options[index];
  if (option === undefined) throw new Error(`No option ${index}`);
  return option;
}

/** A policy set with these rules, validated by the schema. */
export function policyWith(...rules: unknown[]): PolicySet {
  return PolicySetSchema.parse({ id: 'test-policy', version: '1', rules });
}

/** Every decision must be a valid protocol PolicyDecision. */
export function expectValidDecisions(evaluation: PolicyEvaluation): void {
  for (const option of Object.values(evaluation.options)) {
    for (const decision of option.decisions) {
      const parsed = safeParseDocument('PolicyDecision', decision);
      expect(parsed.success, JSON.stringify(decision)).toBe(true);
    }
  }
}

/**
 * Evaluates `plan` (validated first unless `unchecked`) against `set`, checks every decision against the protocol
 * schema, and returns the evaluation.
 */
export function run(
  plan: HandoffPlan,
  set: PolicySet,
  unchecked = false,
  at: { facts?: PolicyFacts; evaluatedAt?: string } = {},
): PolicyEvaluation {
  const checked = unchecked ? plan : parseDocument('HandoffPlan', plan);
  const evaluation = evaluatePolicy({
    plan: checked,
    planDigest: planDigest(checked),
    policySet: set,
    policyVersion: policyVersion(set),
    evaluatedAt: at.evaluatedAt ?? EVALUATED_AT,
    ...(at.facts ? { facts: at.facts } : {}),
  });
  expectValidDecisions(evaluation);
  return evaluation;
}

/** The decisions of a one-rule policy set, one per option in plan order. */
export function decide(
  plan: HandoffPlan,
  rule: Record<string, unknown>,
  at: { facts?: PolicyFacts; evaluatedAt?: string } = {},
): PolicyDecision[] {
  const evaluation = run(plan, policyWith({ id: 'rule-under-test', ...rule }), false, at);
  return plan.options.map((option) => {
    const decision = evaluation.options[option.optionId]?.decisions[0];
    if (decision === undefined) throw new Error(`No decision for ${option.optionId}`);
    return decision;
  });
}

/** The single decision for option `index` (default 0) of a one-rule policy set. */
export function decideOne(
  plan: HandoffPlan,
  rule: Record<string, unknown>,
  index = 0,
  at: { facts?: PolicyFacts; evaluatedAt?: string } = {},
): PolicyDecision {
  const decision = decide(plan, rule, at)[index];
  if (decision === undefined) throw new Error(`No decision for option ${index}`);
  return decision;
}

/** The issues `loadPolicySet` reports for a policy document (given as text, or as a value to send as JSON). */
export function issuesOf(document: unknown, format?: 'json' | 'yaml'): ProtocolIssueLike[] {
  const text = typeof document === 'string' ? document : JSON.stringify(document);
  try {
    loadPolicySet(text, format);
  } catch (error) {
    if (error instanceof GatewayError && error.code === 'VALIDATION_FAILED')
      return [...error.issues];
    throw error;
  }
  throw new Error('Expected the policy set to be rejected');
}

/** The issues reported for a policy set holding only `rule` (with id `r`), as `path code` strings. */
export function ruleIssues(rule: Record<string, unknown>): string[] {
  return issuesOf({ id: 'p', version: '1', rules: [{ id: 'r', ...rule }] }).map(
    (issue) => `${issue.path} ${issue.code}`,
  );
}
