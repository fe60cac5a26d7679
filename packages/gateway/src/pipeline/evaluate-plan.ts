import { canonicalJson, type HandoffPlan, sha256Digest, toJsonPointer } from '@handoff/protocol';
import { GatewayError } from '../errors.js';
import { ATTR, inSpanSync } from '../observability/tracing.js';
import { evaluationAttributes, policySpanAttributes } from '../observability/tracing-stages.js';
import { type CalibrationRow, policyCalibration } from '../outcomes/calibration-report.js';
import { evaluatePolicy, type PolicyEvaluation } from '../policy/evaluate.js';
import type { PolicyFacts } from '../policy/policy-facts.js';
import type { StoreTx } from '../store/store.js';
import type { PipelineDeps } from './deps.js';
import { parseContractDocument } from './parse-document.js';
import { readPolicyFacts } from './read-policy-facts.js';

/**
 * Parses and validates a plan as the contract requires, with nothing written on failure.
 *
 * @throws GatewayError `VALIDATION_FAILED` (with protocol issues) or `UNSUPPORTED_VERSION` (with
 *   `details.supportedVersions`).
 */
export function parsePlan(input: unknown): HandoffPlan {
  return parseContractDocument('HandoffPlan', input);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The JSON Pointer of the first string holding a lone surrogate (text JSON allows as `\ud800`), if any. */
function loneSurrogatePath(value: unknown, path: (string | number)[] = []): string | undefined {
  if (typeof value === 'string')
    return LONE_SURROGATE.test(value) ? toJsonPointer(path) : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const hit = loneSurrogatePath(item, [...path, Array.isArray(value) ? Number(key) : key]);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/**
 * The plan's digest. A plan the schemas accept but RFC 8785 cannot render (a string with a lone surrogate, which
 * is not Unicode text) is refused as `VALIDATION_FAILED`, not left to fail as an internal error.
 */
function canonicalOf(plan: HandoffPlan): { canonical: string; digest: string } {
  try {
    // The stored payload and the digest (what `planDigest` computes) from one RFC 8785 serialisation.
    const canonical = canonicalJson(plan);
    return { canonical, digest: sha256Digest(canonical) };
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    const path = loneSurrogatePath(plan) ?? '';
    throw new GatewayError('VALIDATION_FAILED', 'The plan has no RFC 8785 form', {
      issues: [{ path, code: 'INVALID_VALUE', message: 'A string holds a lone surrogate' }],
    });
  }
}

/** A plan validated for submission: the plan, its RFC 8785 form (the stored payload) and its digest. */
export interface ValidatedPlan {
  plan: HandoffPlan;
  canonical: string;
  digest: string;
}

/** Validates a plan (the `handoff.validate` span). @throws as {@link parsePlan}, and for a lone surrogate. */
export function validatePlanInput(input: unknown): ValidatedPlan {
  return inSpanSync('handoff.validate', {}, (span) => {
    const plan = parsePlan(input);
    span?.setAttributes({ [ATTR.tenant]: plan.tenantId, [ATTR.planId]: plan.planId });
    return { plan, ...canonicalOf(plan) };
  });
}

/** The evaluations of a submission: the active policy set's, and the shadow set's when one is configured. */
export interface PlanEvaluations {
  evaluation: PolicyEvaluation;
  shadow?: PolicyEvaluation;
  /** The facts both were evaluated on (absent when none were read). */
  facts?: PolicyFacts;
}

/**
 * Evaluates a validated plan against the active policy set (the `handoff.policy` span) and, when configured, the
 * shadow policy set, with the facts read in the caller's transaction (see `readPolicyFacts`), at the clock's now.
 */
export async function evaluatePlan(
  tx: StoreTx,
  deps: PipelineDeps,
  { plan, digest }: ValidatedPlan,
  options: {
    /** Read the store's facts (false: a plan of another tenant in a dry run; the rules needing one deny). */
    readFacts?: boolean;
    /** The tenant's calibration rows, for `forecast_calibration` rules (see `policyCalibration`). */
    calibration?: readonly CalibrationRow[];
    /** When the evaluation happens (epoch ms; default the clock's now): the submission's time. */
    atMs?: number;
  } = {},
): Promise<PlanEvaluations> {
  const { readFacts = true, calibration } = options;
  const atMs = options.atMs ?? deps.clock.now();
  const sets = [deps.policy.set, ...(deps.shadowPolicy ? [deps.shadowPolicy.set] : [])];
  const facts = readFacts
    ? await readPolicyFacts(tx, {
        plan,
        sets,
        atMs,
        ...(deps.suppression ? { suppression: deps.suppression } : {}),
        ...(deps.notifier ? { budget: true } : {}),
      })
    : undefined;
  const input = {
    plan,
    planDigest: digest,
    evaluatedAt: new Date(atMs).toISOString(),
    ...(facts ? { facts } : {}),
    ...(calibration ? { calibration } : {}),
  };
  const evaluation = inSpanSync('handoff.policy', policySpanAttributes(plan), (span) => {
    const evaluation = evaluatePolicy({
      ...input,
      policySet: deps.policy.set,
      policyVersion: deps.policy.version,
    });
    span?.setAttributes(evaluationAttributes(evaluation, plan.recommendedOptionId));
    return evaluation;
  });
  const { shadowPolicy } = deps;
  if (shadowPolicy === undefined) return { evaluation, ...(facts ? { facts } : {}) };
  const shadow = evaluatePolicy({
    ...input,
    policySet: shadowPolicy.set,
    policyVersion: shadowPolicy.version,
  });
  return { evaluation, shadow, ...(facts ? { facts } : {}) };
}

/**
 * Validates a plan and evaluates it against the active policy set, writing nothing (the dry run). The facts the
 * policy pack needs (sends, cap usage) are read in a read-only transaction, and only for the caller's own tenant
 * (`tenantId`): a plan naming another tenant is evaluated without facts, so the rules that need one deny, and no
 * count of another tenant is revealed.
 */
export async function dryRunPlan(
  deps: PipelineDeps,
  input: unknown,
  tenantId: string,
): Promise<ValidatedPlan & { evaluation: PolicyEvaluation }> {
  const validated = validatePlanInput(input);
  const own = validated.plan.tenantId === tenantId;
  const calibration = own ? await policyCalibration(deps, tenantId) : undefined;
  const { evaluation } = await deps.store.transaction((tx) =>
    evaluatePlan(tx, deps, validated, { readFacts: own, ...(calibration ? { calibration } : {}) }),
  );
  return { ...validated, evaluation };
}
