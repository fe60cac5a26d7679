import type { PolicyDecision } from '@handoff/protocol';
import { toIso } from '../clock.js';
import type { PlanState } from '../plan-state.js';
import type { PlanRecord, StoreTx } from '../store/store.js';
import { type BudgetRefusal, planBudgetRefusal } from './budget-refusal.js';
import { evaluationOf } from './deps.js';
import { type GateProgress, gateProgress } from './quorum.js';

/**
 * A plan as the API returns it: its state and why, the option in play, the policy decisions for that option,
 * the gates and their progress, the approvals received, and the budget it holds. Times are RFC 3339 UTC; money is
 * integer minor units.
 */
export interface PlanView {
  planId: string;
  tenantId: string;
  workflowId: string;
  digest: string;
  state: PlanState;
  pausedFrom: PlanState | null;
  reasonCode: string | null;
  recommendedOptionId: string;
  selectedOptionId: string | null;
  submittedBy: string;
  copilotModel: string;
  policyVersion: string;
  outcome: 'allow' | 'deny' | 'require_approval';
  decisions: PolicyDecision[];
  gates: GateProgress[];
  approvals: {
    approver: string;
    role: string;
    decision: 'approve' | 'reject';
    optionId: string;
    kid: string;
    at: string;
  }[];
  budget: {
    capId: string;
    periodKey: string;
    currency: string;
    amountMinor: number;
    status: string;
  }[];
  /**
   * Why the budget refused the plan, when `reasonCode` is a budget code (`BUDGET_EXCEEDED`, ...): the cap, its
   * period, its limit, what was used, what the option asked and the headroom, in minor units, and a sentence
   * (see {@link BudgetRefusal}); null otherwise.
   */
  budgetRefusal: BudgetRefusal | null;
  receivedAt: string;
  updatedAt: string;
  approvalDeadline: string;
  expiresAt: string;
}

/** Builds the {@link PlanView} of a record inside a transaction. */
export async function planView(tx: StoreTx, record: PlanRecord): Promise<PlanView> {
  const optionId = record.selectedOptionId ?? record.recommendedOptionId;
  const evaluation = (await evaluationOf(tx, record)).options[optionId];
  const approvals = await tx.approvalsForPlan(record.tenantId, record.planId);
  const ledger = await tx.ledgerForPlan(record.tenantId, record.planId);
  return {
    planId: record.planId,
    tenantId: record.tenantId,
    workflowId: record.workflowId,
    digest: record.digest,
    state: record.state,
    pausedFrom: record.pausedFrom,
    reasonCode: record.reasonCode,
    recommendedOptionId: record.recommendedOptionId,
    selectedOptionId: record.selectedOptionId,
    submittedBy: record.submittedBy,
    copilotModel: record.copilotModel,
    policyVersion: record.policyVersion,
    outcome: evaluation?.outcome ?? 'deny',
    decisions: evaluation?.decisions ?? [],
    gates: gateProgress(evaluation?.gates ?? [], approvals, optionId),
    approvals: approvals.map((a) => ({
      approver: a.approver,
      role: a.role,
      decision: a.decision,
      optionId: a.optionId,
      kid: a.kid,
      at: toIso(a.receivedAt),
    })),
    budget: ledger.map((l) => ({
      capId: l.capId,
      periodKey: l.periodKey,
      currency: l.currency,
      amountMinor: l.amountMinor,
      status: l.status,
    })),
    budgetRefusal: await planBudgetRefusal(tx, record),
    receivedAt: toIso(record.receivedAt),
    updatedAt: toIso(record.updatedAt),
    approvalDeadline: toIso(record.approvalDeadline),
    expiresAt: toIso(record.expiresAt),
  };
}
