import type { PlanView } from '@handoff/protocol';
import { toIso } from '../clock.js';
import type { ApprovalRecord, PlanRecord, StoreTx } from '../store/store.js';
import { approvalReason } from './approval-reason.js';
import { planBudgetRefusal } from './budget-refusal.js';
import { evaluationOf, loadPlanDocument } from './deps.js';
import { gateProgress } from './quorum.js';

/**
 * A plan as the API returns it (`PlanView` of the wire API in `@handoff/protocol`): its state and why, the option
 * in play, the policy decisions for that option, the gates and their progress, the approvals received, the budget
 * it holds and, for a budget refusal, its figures. Times are RFC 3339 UTC; money is integer minor units.
 */
export type { PlanView };

/**
 * Builds the {@link PlanView} of a record inside a transaction; with `options.document`, the view carries the plan
 * document too (`plans.get`: every option with its actions and their full parameters). Gate deadlines are read at
 * `options.atMs` (the gateway clock's now; default the record's last change): whether a gate has escalated.
 */
export async function planView(
  tx: StoreTx,
  record: PlanRecord,
  options: { document?: boolean; atMs?: number } = {},
): Promise<PlanView> {
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
    gates: gateProgress(evaluation?.gates ?? [], approvals, optionId, {
      receivedAtMs: record.receivedAt,
      atMs: options.atMs ?? record.updatedAt,
    }),
    approvals: await Promise.all(approvals.map((a) => approvalView(tx, a))),
    budget: ledger.map((l) => ({
      capId: l.capId,
      periodKey: l.periodKey,
      currency: l.currency,
      amountMinor: l.amountMinor,
      status: l.status,
    })),
    budgetRefusal: await planBudgetRefusal(tx, record),
    ...(evaluation?.calibration ? { calibration: evaluation.calibration } : {}),
    receivedAt: toIso(record.receivedAt),
    updatedAt: toIso(record.updatedAt),
    approvalDeadline: toIso(record.approvalDeadline),
    expiresAt: toIso(record.expiresAt),
    ...(options.document ? { document: await loadPlanDocument(tx, record) } : {}),
  };
}

async function approvalView(
  tx: StoreTx,
  a: ApprovalRecord,
): Promise<PlanView['approvals'][number]> {
  const reason = await approvalReason(tx, a);
  return {
    approver: a.approver,
    role: a.role,
    decision: a.decision,
    optionId: a.optionId,
    kid: a.kid,
    at: toIso(a.receivedAt),
    maxSpend: { amountMinor: a.maxSpendMinor, currency: a.currency },
    ...(reason === undefined ? {} : { reason }),
  };
}
