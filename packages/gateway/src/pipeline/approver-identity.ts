import type { ApprovalClaims } from '@handoff/protocol';
import type { CopilotDirectory } from '../approvals/approver-registry.js';
import type { Principal } from '../auth/principal.js';
import type { GatewayErrorCode } from '../errors.js';
import type { ApproverKeyRecord } from '../store/approver-keys.js';
import type { PlanRecord } from '../store/store.js';

/** Why an approval is refused: its code and a message naming no secret. */
export interface Refusal {
  code: GatewayErrorCode;
  message: string;
}

/**
 * The key checks, before any plan is looked up: the kid's registration in the presenting principal's tenant (read
 * in the approval's transaction, so a revocation committed since verification wins) must exist and be active.
 * Registrations are per tenant, so a kid registered only in another tenant is simply not registered here (the
 * same refusal as an unused kid: no existence oracle across tenants; `APPROVAL_TENANT_MISMATCH` is therefore no
 * longer emitted). A refusal here never depends on the plan, so a foreign plan id is never revealed.
 */
export function keyRefusal(registration: ApproverKeyRecord | undefined): Refusal | undefined {
  if (!registration) {
    return { code: 'APPROVAL_KEY_NOT_REGISTERED', message: 'The approver key is not registered' };
  }
  if (registration.status !== 'active') {
    return { code: 'APPROVAL_KEY_REVOKED', message: 'The approver key was revoked' };
  }
  return undefined;
}

/**
 * The claim checks: `sub` is the registered subject, `role` one of the registered roles, and the presenting
 * principal holds no `copilot` role (a copilot never carries approvals, whoever signed them).
 */
export function claimRefusal(
  registration: ApproverKeyRecord,
  principal: Principal,
  claims: Pick<ApprovalClaims, 'sub' | 'role'>,
): Refusal | undefined {
  if (claims.sub !== registration.subject) {
    return {
      code: 'APPROVAL_SUBJECT_MISMATCH',
      message: "The approval's sub is not the approver its key is registered to",
    };
  }
  if (!registration.roles.includes(claims.role)) {
    return {
      code: 'APPROVAL_ROLE_NOT_HELD',
      message: `The approver does not hold role ${claims.role} (registered: ${registration.roles.join(', ')})`,
    };
  }
  if (principal.roles.includes('copilot')) {
    return {
      code: 'APPROVAL_SELF_APPROVAL',
      message:
        'A principal holding the copilot role cannot present approvals (separation of duties)',
    };
  }
  return undefined;
}

/**
 * Separation of duties against one plan: neither the presenting principal nor the registered subject submitted
 * it, the subject is no copilot principal of the plan's tenant, and the approver key is not the key material that
 * signed the plan's provenance (`signerThumbprint`, RFC 7638).
 */
export function dutyRefusal(
  registration: ApproverKeyRecord,
  principal: Principal,
  record: PlanRecord,
  copilots: CopilotDirectory,
  signerThumbprint: string | undefined,
): Refusal | undefined {
  const subject = registration.subject;
  if (
    principal.id === record.submittedBy ||
    subject === record.submittedBy ||
    copilots(record.tenantId, subject) ||
    registration.thumbprint === signerThumbprint
  ) {
    return {
      code: 'APPROVAL_SELF_APPROVAL',
      message:
        'The approver or the presenting principal submitted this plan or is its copilot (separation of duties)',
    };
  }
  return undefined;
}
