import type { PlanView } from '@handoff/protocol';
import type { PipelineDeps } from './deps.js';

/*
 * Notifications about approvals (Standard Webhooks-signed POSTs, see `notifications/notifier.ts`): a plan waits
 * for approvers (`approval.waiting`), a gate's deadline passed and backup roles may now approve
 * (`approval.escalated`). Each carries ids, roles and times only, never a token, contact or payload, and a link to
 * the plan's console page when `console.origin` is configured: `<origin>/console/plans/<planId>` (the page asks
 * the reader to sign in; the link itself grants nothing).
 */

/** The plan's console page, or undefined when no `console.origin` is configured. */
export function planPageUrl(deps: Pick<PipelineDeps, 'consoleOrigin'>, planId: string) {
  if (deps.consoleOrigin === undefined) return undefined;
  return new URL(`/console/plans/${encodeURIComponent(planId)}`, deps.consoleOrigin).href;
}

function withLink(deps: PipelineDeps, planId: string): Record<string, string> {
  const url = planPageUrl(deps, planId);
  return url === undefined ? {} : { planUrl: url };
}

/**
 * Notifies `approval.waiting` for a plan that arrived awaiting approval: the roles its open gates ask for (comma
 * separated) and its approval deadline (RFC 3339). Call after the commit; never waits, never throws.
 */
export function notifyWaiting(deps: PipelineDeps, view: PlanView): void {
  if (deps.notifier === undefined || view.state !== 'awaiting_approval') return;
  const roles = [...new Set(view.gates.filter((g) => !g.satisfied).flatMap((g) => g.roles))];
  deps.notifier.notify({
    type: 'approval.waiting',
    tenantId: view.tenantId,
    data: {
      planId: view.planId,
      workflowId: view.workflowId,
      roles: roles.join(','),
      approvalDeadline: view.approvalDeadline,
      ...withLink(deps, view.planId),
    },
  });
}

/** One gate that escalated: its plan, the backup roles now asked, and the deadline that passed (RFC 3339). */
export interface EscalationNotice {
  tenantId: string;
  planId: string;
  workflowId: string;
  gateId: string;
  backupRoles: readonly string[];
  deadline: string;
}

/** Notifies `approval.escalated` for each escalation (after the commit; never waits, never throws). */
export function notifyEscalated(deps: PipelineDeps, notices: readonly EscalationNotice[]): void {
  for (const { tenantId, backupRoles, ...rest } of notices) {
    deps.notifier?.notify({
      type: 'approval.escalated',
      tenantId,
      data: { ...rest, roles: backupRoles.join(','), ...withLink(deps, rest.planId) },
    });
  }
}
