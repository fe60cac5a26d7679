import {
  type ApprovalView,
  type Digest,
  documentDigest,
  type HandoffPlan,
  type StrategyOption,
  sumMinor,
} from '@handoff/protocol';
import type { OptionEvaluation } from '../policy/evaluate.js';

/** What the approval view of one option is computed from: the stored plan, its record and its evaluation. */
export interface ViewSource {
  plan: HandoffPlan;
  /** The plan's digest (RFC 8785 + SHA-256, as stored). */
  planDigest: string;
  tenantId: string;
  /** The plan's approval deadline, epoch milliseconds. */
  approvalDeadline: number;
  policyVersion: string;
  option: StrategyOption;
  evaluation: OptionEvaluation;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The approval view model of one option (`ApprovalView` of `@handoff/protocol`): a pure function of the stored
 * plan, its record (tenant, approval deadline, policy version) and the policy evaluation recorded for it: the same
 * inputs always give the same view, so its digest ({@link approvalViewDigest}) identifies what the approver saw.
 * Every action with its full parameters, the audience and its size, the budget, the sum of the actions' estimated
 * costs and the default maximum spend (the budget amount), the forecast, risk, evidence with the plan input each
 * `dataset_reference` names, every rule's result and reason, and the gates with the approval deadline.
 */
export function approvalView(source: ViewSource): ApprovalView {
  const { plan, option, evaluation } = source;
  const currency = option.budget.amount.currency;
  const cost = sumMinor(option.actions.map((a) => a.estimatedCost.amountMinor));
  const deadline = iso(source.approvalDeadline);
  return {
    viewVersion: 1,
    planId: plan.planId,
    planDigest: source.planDigest,
    tenantId: source.tenantId,
    createdAt: plan.createdAt,
    expiresAt: plan.expiresAt,
    approvalDeadline: deadline,
    copilot: plan.copilot,
    workflow: plan.workflow,
    objective: plan.objective,
    inputs: plan.inputs,
    option: {
      optionId: option.optionId,
      title: option.title,
      rationale: option.rationale,
      recommended: option.optionId === plan.recommendedOptionId,
      channels: option.channels,
      ...(option.contentKind ? { contentKind: option.contentKind } : {}),
      audience: option.audience,
      money: {
        budget: option.budget,
        estimatedCost: { amountMinor: Number(cost), currency },
        maxSpend: option.budget.amount,
      },
      forecast: option.forecast,
      risk: option.risk,
      evidence: option.evidence.map((evidence) => ({
        evidence,
        source:
          evidence.type === 'dataset_reference'
            ? (plan.inputs.find((input) => input.inputId === evidence.inputId) ?? null)
            : null,
      })),
      actions: option.actions,
    },
    policy: {
      policyVersion: source.policyVersion,
      outcome: evaluation.outcome,
      rules: evaluation.decisions.map((d) => ({
        ruleId: d.ruleId,
        outcome: d.decision,
        enforcement: d.enforcement,
        reasonCode: d.reasonCode,
        message: d.message,
        path: d.path,
        ...(d.actionPaths ? { actionPaths: d.actionPaths } : {}),
        ...(d.approval ? { approval: d.approval } : {}),
      })),
    },
    gates: evaluation.gates.map((gate) => ({
      gateId: gate.gateId,
      roles: gate.roles,
      quorum: gate.quorum,
      distinctRoles: gate.distinctRoles,
      reasonCode: gate.reasonCode,
      deadline,
    })),
  };
}

/** The digest of an approval view: SHA-256 over its RFC 8785 form, `sha256:<hex>`. */
export function approvalViewDigest(view: ApprovalView): Digest {
  return documentDigest(view);
}
