/**
 * Who may approve under an approval gate now: its roles, and its backup roles once an `escalate` deadline has
 * passed (`GateProgress.deadline`, see the gateway's gate escalation), whether or not the plan's record has
 * changed since (a list's gate roles are as of the plan's last change).
 */
import type { GateProgress } from '@handoff/protocol';

/** The roles that may approve under `gate` at `nowMs` (ms since the epoch). */
export function gateRolesAt(gate: GateProgress, nowMs: number): string[] {
  const deadline = gate.deadline;
  const escalated =
    deadline?.action === 'escalate' && (deadline.escalated || Date.parse(deadline.at) <= nowMs);
  return escalated
    ? [...new Set([...gate.roles, ...(deadline.backupRoles ?? [])])]
    : [...gate.roles];
}
