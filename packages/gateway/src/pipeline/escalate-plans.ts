import { toIso } from '../clock.js';
import { gateDeadlineMs } from '../policy/gate-escalation.js';
import type { PlanRecord, StoreTx } from '../store/store.js';
import { type EscalationNotice, notifyEscalated } from './approval-notices.js';
import { type PipelineDeps, SYSTEM_ACTOR } from './deps.js';
import { gateProgress } from './quorum.js';
import { evaluationOf } from './recorded-evaluation.js';
import { releaseBudget } from './reserve-budget.js';
import { transitionPlan } from './transition.js';

/** What one sweep did: gates escalated (notified) and plans rejected at a gate's deadline. */
export interface EscalationSweep {
  escalated: EscalationNotice[];
  rejected: PlanRecord[];
}

/**
 * Enforces approval gate deadlines (`escalation` of a policy rule, see `gate-escalation.ts`) at the gateway clock's
 * now, in one transaction, for every plan awaiting approval: a gate of the option in play that is still open past
 * its deadline either rejects the plan (`action: reject`, the default: budget released, then `rejected` with reason
 * `APPROVAL_DEADLINE_REACHED`) or escalates (`action: escalate`: recorded once as
 * `approval.escalated` with the gate, its backup roles and the deadline; the approval path admits the backup roles
 * from the deadline on whether or not the sweep has run). After the commit, each escalation is notified
 * (`approval.escalated`, with a link to the plan page). The server runs it with the expiry sweep; tests call it after
 * moving a manual clock.
 */
export async function escalateDuePlans(deps: PipelineDeps): Promise<EscalationSweep> {
  const now = deps.clock.now();
  const sweep = await deps.store.transaction(async (tx) => {
    // Every plan awaiting approval, of every tenant (those past their window are the expiry's).
    const waiting = await tx.plansDue(
      'approvalDeadline',
      ['awaiting_approval'],
      Number.MAX_SAFE_INTEGER,
    );
    const result: EscalationSweep = { escalated: [], rejected: [] };
    for (const record of waiting) await enforceDeadlines(tx, record, now, result);
    return result;
  });
  notifyEscalated(deps, sweep.escalated);
  return sweep;
}

async function enforceDeadlines(
  tx: StoreTx,
  record: PlanRecord,
  now: number,
  result: EscalationSweep,
): Promise<void> {
  if (now >= record.approvalDeadline) return; // the approval window expires it instead
  const optionId = record.selectedOptionId ?? record.recommendedOptionId;
  const gates = (await evaluationOf(tx, record)).options[optionId]?.gates ?? [];
  const due = gates.filter(
    (g) => g.escalation !== undefined && now >= gateDeadlineMs(g.escalation, record.receivedAt),
  );
  if (due.length === 0) return;
  const approvals = await tx.approvalsForPlan(record.tenantId, record.planId);
  const open = new Set(
    gateProgress(due, approvals, optionId)
      .filter((g) => !g.satisfied)
      .map((g) => g.gateId),
  );
  const lapsed = due.filter((g) => open.has(g.gateId));
  const rejecting = lapsed.find((g) => g.escalation?.action === 'reject');
  if (rejecting) {
    const at = { actor: SYSTEM_ACTOR, atMs: now };
    await releaseBudget(tx, { ...record, ...at, reason: 'approval_deadline_reached' });
    result.rejected.push(
      await transitionPlan(tx, record, 'rejected', {
        ...at,
        reasonCode: 'APPROVAL_DEADLINE_REACHED',
        data: { gateId: rejecting.gateId },
      }),
    );
    return;
  }
  const recorded = await tx.planEvents(record.tenantId, record.planId, 'approval.escalated');
  const done = new Set(recorded.map((e) => e.data?.gateId));
  for (const gate of lapsed) {
    if (done.has(gate.gateId) || gate.escalation === undefined) continue;
    const notice: EscalationNotice = {
      tenantId: record.tenantId,
      planId: record.planId,
      workflowId: record.workflowId,
      gateId: gate.gateId,
      backupRoles: gate.escalation.backupRoles ?? [],
      deadline: toIso(gateDeadlineMs(gate.escalation, record.receivedAt)),
    };
    await tx.appendLineage([
      {
        tenantId: record.tenantId,
        planId: record.planId,
        type: 'approval.escalated',
        actor: SYSTEM_ACTOR,
        occurredAt: now,
        refs: { plan: record.digest },
        data: { gateId: gate.gateId, backupRoles: notice.backupRoles, deadline: notice.deadline },
      },
    ]);
    result.escalated.push(notice);
  }
}
