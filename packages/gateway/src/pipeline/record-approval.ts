import type { ApprovalClaims } from '@handoff/protocol';
import type { VerifiedApproval } from '../approvals/verify-approval.js';
import type { Principal } from '../auth/principal.js';
import type { GatewayError } from '../errors.js';
import type { ApprovalRecord, PlanRecord, StoreTx } from '../store/store.js';
import { actorOf, type PipelineDeps } from './deps.js';

/*
 * What an approval leaves in the store and the lineage: an accepted approval (its token stored by digest, its row,
 * `approval.accepted`) and the refusal of a token that failed verification (`approval.refused`, naming no plan).
 */

/** Records a token that failed verification: no claim of it is trusted, so it names no plan. */
export async function recordUnverifiedRefusal(
  deps: PipelineDeps,
  principal: Principal,
  error: GatewayError,
) {
  const now = deps.clock.now();
  await deps.store.transaction((tx) =>
    tx.appendLineage([
      {
        tenantId: principal.tenantId,
        type: 'approval.refused',
        actor: actorOf(principal, 'approver'),
        occurredAt: now,
        data: { code: error.code, verified: false, presentedBy: principal.id },
      },
    ]),
  );
}

/** What an accepted approval did to its plan, as its `approval.accepted` event records it. */
export interface ApprovalEffect {
  /** The state the plan entered (`awaiting_approval` while the quorum is not met). */
  state: string;
  reasonCode?: string;
  /** The outbox rows queued when the quorum was met (see `queuedFacts`). */
  queued?: readonly Record<string, unknown>[];
  /** Budget lines released (a rejection) or reserved (another option than the recommended one), per cap. */
  released?: readonly Record<string, unknown>[];
  reserved?: readonly Record<string, unknown>[];
}

/**
 * Records an accepted approval inside `tx`: the verifying public JWK in the key history (under the plan's tenant:
 * approver kids are per tenant; not when this process already remembered it, `rememberKey` false), the token
 * stored once by digest, the `approvals` row and the `approval.accepted` event (with the presenting principal as
 * `presentedBy`, and what it did: the state entered, the actions queued). The caller has checked the token
 * against the plan and the approver registry, and applied its effect.
 */
export async function recordApproval(
  tx: StoreTx,
  record: PlanRecord,
  approval: { verified: VerifiedApproval; token: string; now: number; presentedBy: string },
  effect: ApprovalEffect,
  rememberKey: boolean,
) {
  const { verified, token, now, presentedBy } = approval;
  const { claims, header, tokenDigest } = verified;
  // Under the plan's tenant: approver kids are per tenant, another tenant's key of the same kid is another key.
  if (rememberKey) {
    await tx.rememberKey(
      'approver',
      header.kid,
      JSON.stringify(verified.publicJwk),
      now,
      record.tenantId,
    );
  }
  await tx.putPayload(tokenDigest, 'ApprovalJws', token, now);
  await tx.insertApproval(approvalRecord(record, verified, now));
  await tx.appendLineage([
    {
      tenantId: record.tenantId,
      planId: record.planId,
      type: 'approval.accepted',
      actor: { type: 'approver', id: claims.sub },
      occurredAt: now,
      refs: { plan: record.digest, approval: tokenDigest },
      data: { ...approvalFacts(claims, header.kid), presentedBy, ...effect },
    },
  ]);
}

/** The `approvals` row of a verified approval of `record`. */
export function approvalRecord(
  record: PlanRecord,
  verified: VerifiedApproval,
  now: number,
): ApprovalRecord {
  const { claims, header, tokenDigest } = verified;
  return {
    jti: claims.jti,
    tenantId: record.tenantId,
    planId: record.planId,
    optionId: claims.optionId,
    approver: claims.sub,
    role: claims.role,
    decision: claims.decision,
    kid: header.kid,
    tokenDigest,
    maxSpendMinor: claims.maxSpend.amountMinor,
    currency: claims.maxSpend.currency,
    receivedAt: now,
  };
}

/** The facts of an approval that its lineage events carry (never the token itself). */
export function approvalFacts(claims: ApprovalClaims, kid: string): Record<string, unknown> {
  return {
    approver: claims.sub,
    role: claims.role,
    decision: claims.decision,
    optionId: claims.optionId,
    kid,
    jti: claims.jti,
    maxSpend: claims.maxSpend,
    issuedAt: claims.iat,
    expiresAt: claims.exp,
  };
}
