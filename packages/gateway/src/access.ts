import type { Role } from './auth/principal.js';

/**
 * Which roles may call each gateway operation: the single access table that the in-process API and the HTTP
 * router both enforce (deny by default: an operation missing here is refused). Reads are further limited to the
 * caller's tenant, and a copilot sees and cancels only the plans it submitted.
 */
export const OPERATION_ROLES = {
  'plans.submit': ['copilot'],
  'plans.submitBatch': ['copilot'],
  'plans.dryRun': ['copilot', 'operator'],
  'plans.get': ['copilot', 'approver', 'operator', 'auditor'],
  'plans.list': ['copilot', 'approver', 'operator', 'auditor'],
  'plans.cancel': ['copilot', 'operator'],
  'approvals.submit': ['approver'],
  'approvers.list': ['operator', 'auditor'],
  'approvers.register': ['operator'],
  'approvers.revoke': ['operator'],
  'approvers.rotate': ['operator'],
  'budget.getCaps': ['operator', 'auditor'],
  'budget.setCaps': ['operator'],
  'control.pause': ['operator'],
  'control.resume': ['operator'],
  'control.list': ['operator', 'auditor'],
  'lineage.query': ['auditor', 'operator'],
  'lineage.trace': ['auditor', 'operator'],
  'dispatch.list': ['operator', 'auditor'],
  'dispatch.retry': ['operator'],
  'dispatch.abandon': ['operator'],
  'dispatch.confirm': ['operator'],
} as const satisfies Record<string, readonly Role[]>;

/** A gateway operation name (also its tRPC procedure path). */
export type Operation = keyof typeof OPERATION_ROLES;
