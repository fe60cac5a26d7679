import {
  HANDOFF_PROTOCOL_VERSION,
  type HandoffPlan,
  type LineageEvent,
  type PolicyDecision,
  type PolicyOutcome,
} from '@handoff/protocol';
import { toIso } from '../clock.js';
import type { CalibrationRow } from '../outcomes/calibration-report.js';
import {
  type ApprovalGate,
  evaluatePolicy,
  type OptionEvaluation,
  type PolicyEvaluation,
} from '../policy/evaluate.js';
import type { PolicySet } from '../policy/policy-set.js';
import type { PlanRecord } from '../store/store.js';

/*
 * The policy decision a plan's `plan.received` event carries (lineage format 2), in place of the per-plan
 * `PolicyEvaluation` document and the `policy.evaluated` events of format 1: per option the outcome, the gates,
 * and every rule's id, decision and reason code; a rule that did not allow also keeps its enforcement, path and
 * message (what an approver reads). The rest of a `PolicyDecision` is recomputed: the plan's (id, digest), the
 * policy set's (stored once per digest, `refs.policy`), the event's time (`evaluatedAt`), and the path and message
 * of an allowing rule from the policy set re-applied to the plan. A rule whose recomputation gives another code
 * (it read a fact, a count of sends or a cap's use, that has changed since) keeps the recorded code, with a
 * message saying so.
 */

/** One rule's decision as `plan.received` records it: the rest only when it did not allow. */
export interface RecordedRule {
  ruleId: string;
  decision: PolicyOutcome;
  reasonCode: string;
  enforcement?: PolicyDecision['enforcement'];
  path?: string;
  actionPaths?: string[];
  message?: string;
  approval?: PolicyDecision['approval'];
}

/** One option's decision as `plan.received` records it: outcome, every rule's result, gates, calibration. */
export interface RecordedOption {
  outcome: PolicyOutcome;
  rules: RecordedRule[];
  gates: ApprovalGate[];
  calibration?: CalibrationRow;
}

function recordRule(d: PolicyDecision): RecordedRule {
  const rule = { ruleId: d.ruleId, decision: d.decision, reasonCode: d.reasonCode };
  if (d.decision === 'allow') return rule;
  return {
    ...rule,
    enforcement: d.enforcement,
    path: d.path,
    ...(d.actionPaths ? { actionPaths: d.actionPaths } : {}),
    message: d.message,
    ...(d.approval ? { approval: d.approval } : {}),
  };
}

/** The decision per option of an evaluation, as `plan.received` records it (`data.decisions`). */
export function recordDecisions(evaluation: PolicyEvaluation): Record<string, RecordedOption> {
  const out: Record<string, RecordedOption> = {};
  for (const o of Object.values(evaluation.options)) {
    out[o.optionId] = {
      outcome: o.outcome,
      rules: o.decisions.map(recordRule),
      gates: o.gates,
      ...(o.calibration ? { calibration: o.calibration } : {}),
    };
  }
  return out;
}

/** The decisions a `plan.received` event records, or undefined when it records none (lineage format 1). */
export function recordedDecisions(
  received: Pick<LineageEvent, 'data'>,
): Record<string, RecordedOption> | undefined {
  const recorded = received.data.decisions;
  return typeof recorded === 'object' && recorded !== null
    ? (recorded as Record<string, RecordedOption>)
    : undefined;
}

/**
 * The evaluation a `plan.received` event records, as `evaluatePolicy` returned it at submission: outcomes, gates
 * and codes as recorded, each `PolicyDecision` completed by re-applying `policySet` (the set of
 * `record.policyVersion`) to `plan` at the event's time without facts. Undefined when the event records no
 * decisions (lineage format 1: read the plan's `PolicyEvaluation` payload instead).
 */
export function evaluationFromReceived(
  record: Pick<PlanRecord, 'planId' | 'digest' | 'policyVersion' | 'receivedAt'>,
  received: Pick<LineageEvent, 'data'>,
  source: { plan: HandoffPlan; policySet: PolicySet },
): PolicyEvaluation | undefined {
  const recorded = recordedDecisions(received);
  if (!recorded) return undefined;
  const evaluatedAt = toIso(record.receivedAt);
  const again = evaluatePolicy({
    plan: source.plan,
    planDigest: record.digest,
    policySet: source.policySet,
    policyVersion: record.policyVersion,
    evaluatedAt,
  });
  const enforcementOf = new Map(source.policySet.rules.map((r) => [r.id, r.enforcement]));
  const options: Record<string, OptionEvaluation> = Object.create(null);
  for (const [optionId, o] of Object.entries(recorded)) {
    const recomputed = new Map(again.options[optionId]?.decisions.map((d) => [d.ruleId, d]));
    options[optionId] = {
      optionId,
      outcome: o.outcome,
      decisions: o.rules.map((r): PolicyDecision => {
        const same = recomputed.get(r.ruleId);
        if (
          r.decision === 'allow' &&
          same?.decision === 'allow' &&
          same.reasonCode === r.reasonCode
        )
          return same;
        return {
          protocolVersion: HANDOFF_PROTOCOL_VERSION,
          kind: 'PolicyDecision',
          planId: record.planId,
          planDigest: record.digest,
          optionId,
          policyVersion: record.policyVersion,
          ruleId: r.ruleId,
          decision: r.decision,
          enforcement: r.enforcement ?? enforcementOf.get(r.ruleId) ?? 'hard_mandatory',
          reasonCode: r.reasonCode,
          path: r.path ?? '',
          ...(r.actionPaths ? { actionPaths: r.actionPaths } : {}),
          message:
            r.message ??
            `Allowed at submission (${r.reasonCode}) on the facts read then; they have changed since`,
          ...(r.approval ? { approval: r.approval } : {}),
          evaluatedAt,
        };
      }),
      gates: o.gates,
      ...(o.calibration ? { calibration: o.calibration } : {}),
    };
  }
  return { policySetId: source.policySet.id, policyVersion: record.policyVersion, options };
}
