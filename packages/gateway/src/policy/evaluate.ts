import {
  ApprovalRequirementSchema,
  DigestSchema,
  type EnforcementLevel,
  HANDOFF_PROTOCOL_VERSION,
  type HandoffPlan,
  LIMITS,
  type PolicyDecision,
  type PolicyOutcome,
  TimestampSchema,
} from '@handoff/protocol';
import { GatewayError, type ProtocolIssueLike } from '../errors.js';
import type { CalibrationRow } from '../outcomes/calibration-report.js';
import type { GateEscalation } from './gate-escalation.js';
import { NO_FACTS, type PolicyFacts } from './policy-facts.js';
import type { PolicySet } from './policy-set.js';
import { evaluateRule, type Rule } from './rule.js';
import { DEFAULT_OVERRIDE_ROLES, pointer, type RuleFinding, ruleApplies } from './rules/common.js';
import { calibrationOf } from './rules/forecast-calibration.js';

/** What {@link evaluatePolicy} needs. */
export interface EvaluatePolicyInput {
  /** A plan that passed `HandoffPlan` validation. */
  plan: HandoffPlan;
  /** The plan's digest (`planDigest(plan)`, `sha256:<64 hex>`); recorded in every decision. */
  planDigest: string;
  policySet: PolicySet;
  /** The policy set's version (`policyVersion(policySet)`); recorded in every decision. 1-200 characters. */
  policyVersion: string;
  /** When the evaluation happened, RFC 3339 UTC with a `Z` suffix (e.g. from `toIso(clock.now())`). */
  evaluatedAt: string;
  /** The tenant's calibration rows per copilot, for `forecast_calibration` rules (see `calibrationReport`). */
  calibration?: readonly CalibrationRow[];
  /**
   * What the store knows that the plan does not (sends dispatched, suppression lists, cap usage), read in the
   * transaction that records the decision. Absent: rules that need a fact deny (`RULE_EVALUATION_FAILED`).
   */
  facts?: PolicyFacts;
}

/**
 * An approval an option needs before it may be dispatched: `quorum` approvals from holders of `roles` (each from a
 * different role when `distinctRoles`). `gateId` is the id of the rule that asked; `reasonCode` is its decision's.
 */
export interface ApprovalGate {
  /** The id of the rule that opened the gate (unique within the policy set, so within an option). */
  gateId: string;
  /** Roles whose holders may approve (identifiers, 1-20). */
  roles: string[];
  /** Approvals needed, counting each approver once (1-20). */
  quorum: number;
  /** When true, the `quorum` approvals must come from as many different roles. */
  distinctRoles: boolean;
  /** The reason code of the decision that opened the gate. */
  reasonCode: string;
  /** The gate's deadline and what happens at it, from its rule's `escalation` (see `gate-escalation.ts`). */
  escalation?: GateEscalation;
}

/**
 * The policy outcome for one option.
 *
 * - `outcome`: `deny` when any `hard_mandatory` rule denies; else `require_approval` when any gate is open; else
 *   `allow`.
 * - `decisions`: one protocol `PolicyDecision` per rule, in rule order (not-applicable rules included, with
 *   `NOT_APPLICABLE`), so auditors see every rule.
 * - `gates`: the approvals needed, one per rule; empty unless `outcome` is `require_approval`.
 */
export interface OptionEvaluation {
  /** The option's `optionId`. */
  optionId: string;
  /** The combined outcome (see {@link evaluatePolicy}). */
  outcome: PolicyOutcome;
  /** One protocol `PolicyDecision` per rule, in rule order. */
  decisions: PolicyDecision[];
  /** The approvals the option still needs; empty unless `outcome` is `require_approval`. */
  gates: ApprovalGate[];
  /**
   * The copilot's calibration on the KPI this option forecasts, as a `forecast_calibration` rule judged it (absent
   * when the policy set has none, or the copilot has no final outcome on that KPI yet).
   */
  calibration?: CalibrationRow;
}

/** The outcome of a policy set for a plan: one {@link OptionEvaluation} per option, keyed by `optionId`. */
export interface PolicyEvaluation {
  /** The `id` of the policy set applied. */
  policySetId: string;
  /** The `policyVersion` given in the input (normally the set's digest), as recorded in every decision. */
  policyVersion: string;
  /** By `optionId`, in the plan's option order. A null-prototype object: look ids up with `Object.hasOwn`. */
  options: Record<string, OptionEvaluation>;
}

const MAX_MESSAGE = LIMITS.MAX_TEXT_LENGTH;

/** Non-empty and at most 4,000 UTF-16 code units, never cutting a surrogate pair (canonical JSON rejects halves). */
function clampMessage(message: string): string {
  const text = message.length === 0 ? '(no message)' : message;
  if (text.length <= MAX_MESSAGE) return text;
  let end = MAX_MESSAGE - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

function checkInput(input: EvaluatePolicyInput): void {
  const issues: ProtocolIssueLike[] = [];
  if (!DigestSchema.safeParse(input.planDigest).success) {
    issues.push({
      path: '/planDigest',
      code: 'INVALID_FORMAT',
      message: 'Not a sha256:<hex> digest',
    });
  }
  if (!TimestampSchema.safeParse(input.evaluatedAt).success) {
    issues.push({
      path: '/evaluatedAt',
      code: 'INVALID_FORMAT',
      message: 'Not an RFC 3339 UTC timestamp',
    });
  }
  if (input.policyVersion.length === 0 || input.policyVersion.length > 200) {
    issues.push({
      path: '/policyVersion',
      code: 'INVALID_VALUE',
      message: 'Must be 1-200 characters',
    });
  }
  if (issues.length > 0) {
    throw new GatewayError('VALIDATION_FAILED', 'Policy evaluation input is invalid', { issues });
  }
}

const REASON_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const JSON_POINTER = /^(?:\/[\s\S]*)?$/;

/**
 * Fails closed on a finding that would not make a valid decision, or a `require_approval` without its requirement
 * (which would otherwise open no gate and let the option through).
 */
function checkFinding(finding: RuleFinding): void {
  if (!REASON_CODE.test(finding.reasonCode)) {
    throw new Error(`Malformed reason code ${JSON.stringify(finding.reasonCode.slice(0, 80))}`);
  }
  const pointers = [finding.path, ...(finding.actionPaths ?? [])];
  if (pointers.some((path) => !JSON_POINTER.test(path) || path.length > 1024)) {
    throw new Error('Malformed JSON Pointer');
  }
  if (finding.actionPaths !== undefined) {
    const count = finding.actionPaths.length;
    if (count === 0 || count > LIMITS.MAX_ACTIONS_PER_OPTION) {
      throw new Error(
        `actionPaths holds ${count} paths; 1-${LIMITS.MAX_ACTIONS_PER_OPTION} are allowed`,
      );
    }
  }
  if (finding.decision === 'require_approval' || finding.approval !== undefined) {
    if (!ApprovalRequirementSchema.safeParse(finding.approval).success) {
      throw new Error('require_approval without a valid approval requirement');
    }
  }
}

interface Judged {
  finding: RuleFinding;
  enforcement: EnforcementLevel;
}

/** One rule on one option, with `appliesTo` and deny-by-default on a throwing rule. */
function judge(
  rule: Rule,
  plan: HandoffPlan,
  optionIndex: number,
  at: { evaluatedAtMs: number; facts: PolicyFacts; calibration?: readonly CalibrationRow[] },
): Judged {
  const option = plan.options[optionIndex];
  try {
    if (option === undefined) throw new Error(`No option at index ${optionIndex}`);
    if (!ruleApplies(rule.appliesTo, plan)) {
      const finding: RuleFinding = {
        decision: 'allow',
        reasonCode: 'NOT_APPLICABLE',
        path: pointer('workflow'),
        message: `Rule ${rule.id} does not apply to this workflow`,
      };
      return { finding, enforcement: rule.enforcement };
    }
    const finding = evaluateRule(rule, { plan, option, optionIndex, ...at });
    checkFinding(finding);
    return { finding, enforcement: rule.enforcement };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      enforcement: 'hard_mandatory',
      finding: {
        decision: 'deny',
        reasonCode: 'RULE_EVALUATION_FAILED',
        path: pointer('options', optionIndex),
        message: `Rule ${rule.id} (${rule.type}) could not be evaluated, so it denies: ${reason}`,
      },
    };
  }
}

/** The gate a decision opens, if any: approvals for a non-advisory `require_approval`, an override for a soft deny. */
function gateOf(rule: Rule, { finding, enforcement }: Judged): ApprovalGate | undefined {
  if (enforcement === 'advisory') return undefined;
  if (finding.decision === 'require_approval' && finding.approval !== undefined) {
    return {
      gateId: rule.id,
      ...finding.approval,
      roles: [...finding.approval.roles],
      reasonCode: finding.reasonCode,
      ...(rule.escalation ? { escalation: rule.escalation } : {}),
    };
  }
  if (finding.decision === 'deny' && enforcement === 'soft_mandatory') {
    const roles = [...(rule.overrideRoles ?? DEFAULT_OVERRIDE_ROLES)];
    return {
      gateId: rule.id,
      roles,
      quorum: 1,
      distinctRoles: false,
      reasonCode: finding.reasonCode,
      ...(rule.escalation ? { escalation: rule.escalation } : {}),
    };
  }
  return undefined;
}

/**
 * Applies a policy set to every option of a plan. Pure and deterministic: no I/O, no clock, no mutation of its
 * input; the same input gives the same result. It is the gateway's policy step and its dry run alike.
 *
 * Every rule yields one decision per option. How they combine, per option (levels as in Terraform/Sentinel policy
 * sets, https://developer.hashicorp.com/terraform/cloud-docs/policy-enforcement/manage-policy-sets):
 * - a `hard_mandatory` `deny` makes the outcome `deny` (gates are then dropped: no approval can lift it);
 * - a `soft_mandatory` `deny` opens an override gate `{ roles: rule.overrideRoles ?? ['operator'], quorum: 1,
 *   distinctRoles: false }`, and its decision carries that requirement as `approval`;
 * - a `require_approval` from a `soft_mandatory` or `hard_mandatory` rule opens a gate with the rule's requirement;
 * - `advisory` decisions are recorded only and never change the outcome;
 * - a rule whose check throws is recorded as `deny`, `hard_mandatory`, `RULE_EVALUATION_FAILED` (deny by default;
 *   the error is never propagated);
 * - a rule whose `appliesTo` does not match the plan is recorded as `allow` with `NOT_APPLICABLE`.
 *
 * Every decision is a valid protocol `PolicyDecision` (messages are cut to 4,000 characters).
 *
 * @throws GatewayError `VALIDATION_FAILED` when `planDigest`, `evaluatedAt` or `policyVersion` is malformed (issues
 *   at `/planDigest`, `/evaluatedAt`, `/policyVersion`); never for anything a rule finds.
 */
export function evaluatePolicy(input: EvaluatePolicyInput): PolicyEvaluation {
  checkInput(input);
  const { plan, policySet } = input;
  const at = {
    evaluatedAtMs: Date.parse(input.evaluatedAt),
    facts: input.facts ?? NO_FACTS,
    ...(input.calibration ? { calibration: input.calibration } : {}),
  };
  const options: Record<string, OptionEvaluation> = Object.create(null);
  plan.options.forEach((option, optionIndex) => {
    const decisions: PolicyDecision[] = [];
    const gates: ApprovalGate[] = [];
    let hardDenied = false;
    for (const rule of policySet.rules) {
      const judged = judge(rule, plan, optionIndex, at);
      const { finding, enforcement } = judged;
      const gate = gateOf(rule, judged);
      if (gate !== undefined) gates.push(gate);
      if (finding.decision === 'deny' && enforcement === 'hard_mandatory') hardDenied = true;
      const approval =
        finding.decision === 'deny' && gate !== undefined
          ? { roles: gate.roles, quorum: gate.quorum, distinctRoles: gate.distinctRoles }
          : finding.approval;
      decisions.push({
        protocolVersion: HANDOFF_PROTOCOL_VERSION,
        kind: 'PolicyDecision',
        planId: plan.planId,
        planDigest: input.planDigest,
        optionId: option.optionId,
        policyVersion: input.policyVersion,
        ruleId: rule.id,
        decision: finding.decision,
        enforcement,
        reasonCode: finding.reasonCode,
        path: finding.path,
        ...(finding.actionPaths === undefined ? {} : { actionPaths: [...finding.actionPaths] }),
        message: clampMessage(finding.message),
        ...(approval === undefined
          ? {}
          : { approval: { ...approval, roles: [...approval.roles] } }),
        evaluatedAt: input.evaluatedAt,
      });
    }
    const outcome: PolicyOutcome = hardDenied
      ? 'deny'
      : gates.length > 0
        ? 'require_approval'
        : 'allow';
    const judgedOn = policySet.rules.some((r) => r.type === 'forecast_calibration')
      ? calibrationOf(input.calibration, { plan, option })
      : undefined;
    options[option.optionId] = {
      optionId: option.optionId,
      outcome,
      decisions,
      gates: hardDenied ? [] : gates,
      ...(judgedOn ? { calibration: judgedOn } : {}),
    };
  });
  return { policySetId: policySet.id, policyVersion: input.policyVersion, options };
}
