import type { HandoffPlan, PlanView } from '@handoff/protocol';
import { toIso } from '../clock.js';
import type { OptionEvaluation } from '../policy/evaluate.js';
import type { ApprovalRecord, LedgerLine, PlanRecord, StoreTx } from '../store/store.js';
import { approvalReason } from './approval-reason.js';
import { type BudgetRefusal, planBudgetRefusal } from './budget-refusal.js';
import { loadPlanDocument } from './deps.js';
import { gateProgress } from './quorum.js';
import { evaluationOf } from './recorded-evaluation.js';

/**
 * A plan as the API returns it (`PlanView` of the wire API in `@handoff/protocol`): its state and why, the option
 * in play, the policy decisions for that option, the gates and their progress, the approvals received, the budget
 * it holds and, for a budget refusal, its figures. Times are RFC 3339 UTC; money is integer minor units.
 */
export type { PlanView };

/** What a {@link PlanView} is built from beside the plan record. */
export interface PlanViewParts {
  /** The policy evaluation of the option in play (undefined: none, shown as `deny`). */
  evaluation: OptionEvaluation | undefined;
  approvals: readonly ApprovalRecord[];
  ledger: readonly LedgerLine[];
  budgetRefusal: BudgetRefusal | null;
  /** Each approval's reason, by index (read from its stored evidence by {@link planView}). */
  reasons?: readonly (string | undefined)[];
  /** The plan document (`plans.get`: every option with its actions and their full parameters). */
  document?: HandoffPlan;
  /** When gate deadlines are read (epoch ms; default the record's last change): whether a gate has escalated. */
  atMs?: number;
}

/**
 * Builds the {@link PlanView} of a record inside a transaction (reading its evaluation, approvals, their reasons
 * and ledger); with `options.document`, the view carries the plan document too. Gate deadlines are read at
 * `options.atMs` (the gateway clock's now; default the record's last change).
 */
export async function planView(
  tx: StoreTx,
  record: PlanRecord,
  options: { document?: boolean; atMs?: number } = {},
): Promise<PlanView> {
  const optionId = record.selectedOptionId ?? record.recommendedOptionId;
  const approvals = await tx.approvalsForPlan(record.tenantId, record.planId);
  return planViewOf(record, {
    evaluation: (await evaluationOf(tx, record)).options[optionId],
    approvals,
    ledger: await tx.ledgerForPlan(record.tenantId, record.planId),
    budgetRefusal: await planBudgetRefusal(tx, record),
    reasons: await Promise.all(approvals.map((a) => approvalReason(tx, a))),
    ...(options.document ? { document: await loadPlanDocument(tx, record) } : {}),
    ...(options.atMs === undefined ? {} : { atMs: options.atMs }),
  });
}

/**
 * The {@link PlanView} of a record from parts the caller already holds (a submission or an approval builds it
 * from what its transaction wrote, reading nothing back).
 */
export function planViewOf(record: PlanRecord, parts: PlanViewParts): PlanView {
  const optionId = record.selectedOptionId ?? record.recommendedOptionId;
  const { evaluation, approvals, ledger } = parts;
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
      atMs: parts.atMs ?? record.updatedAt,
    }),
    approvals: approvals.map((a, i) => approvalView(a, parts.reasons?.[i])),
    budget: ledger.map((l) => ({
      capId: l.capId,
      periodKey: l.periodKey,
      currency: l.currency,
      amountMinor: l.amountMinor,
      status: l.status,
    })),
    budgetRefusal: parts.budgetRefusal,
    ...(evaluation?.calibration ? { calibration: evaluation.calibration } : {}),
    receivedAt: toIso(record.receivedAt),
    updatedAt: toIso(record.updatedAt),
    approvalDeadline: toIso(record.approvalDeadline),
    expiresAt: toIso(record.expiresAt),
    ...(parts.document ? { document: parts.document } : {}),
  };
}

function approvalView(
  a: ApprovalRecord,
  reason: string | undefined,
): PlanView['approvals'][number] {
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
