import type { GateProgress } from '@handoff/protocol';
import { toIso } from '../clock.js';
import type { ApprovalGate } from '../policy/evaluate.js';
import { gateDeadlineMs, gatesAt, isEscalated } from '../policy/gate-escalation.js';
import type { ApprovalRecord } from '../store/store.js';

/** How far one approval gate is: who approved under it and whether its quorum is met (the wire API's type). */
export type { GateProgress };

/**
 * The progress of each gate for one option. An approval counts for a gate when it approves that option and the
 * approver's role is one the gate asks for; each approver counts once; with `distinctRoles`, the quorum must also
 * be met by as many different roles. One approval may count for several gates. `approver` is the registered
 * subject of the key that verified the approval and `role` a role that registration holds (see `approvePlan`), so
 * a person counts once whatever keys it holds, and one key can never stand for two people or two roles.
 *
 * With `at` (the plan's receipt and the time of the reading, ms since the epoch), a gate with a deadline shows it,
 * and an escalated gate (see `gatesAt`) admits its backup roles too.
 */
export function gateProgress(
  gates: readonly ApprovalGate[],
  approvals: readonly Pick<ApprovalRecord, 'approver' | 'role' | 'decision' | 'optionId'>[],
  optionId: string,
  at?: { receivedAtMs: number; atMs: number },
): GateProgress[] {
  const current = at ? gatesAt(gates, at.receivedAtMs, at.atMs) : gates;
  return current.map((gate) => {
    const counted = approvals.filter(
      (a) => a.decision === 'approve' && a.optionId === optionId && gate.roles.includes(a.role),
    );
    const approvers = [...new Set(counted.map((a) => a.approver))];
    const roles = new Set(counted.map((a) => a.role));
    const count = gate.distinctRoles ? Math.min(approvers.length, roles.size) : approvers.length;
    return {
      gateId: gate.gateId,
      roles: gate.roles,
      quorum: gate.quorum,
      distinctRoles: gate.distinctRoles,
      approvers,
      satisfied: count >= gate.quorum,
      ...(gate.escalation && at
        ? {
            deadline: {
              at: toIso(gateDeadlineMs(gate.escalation, at.receivedAtMs)),
              action: gate.escalation.action,
              ...(gate.escalation.backupRoles ? { backupRoles: gate.escalation.backupRoles } : {}),
              escalated: isEscalated(gate, at.receivedAtMs, at.atMs),
            },
          }
        : {}),
    };
  });
}

/** True when every gate has its quorum (vacuously true without gates). */
export function quorumMet(progress: readonly GateProgress[]): boolean {
  return progress.every((g) => g.satisfied);
}
