import {
  type ApproverView,
  RegisterApproverInputSchema,
  RevokeApproverInputSchema,
  RotateApproverInputSchema,
} from '@handoff/protocol';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { GatewayError, isGatewayError } from '../errors.js';
import type { PipelineDeps } from '../pipeline/deps.js';
import type { ApproverKeyRecord } from '../store/approver-keys.js';
import {
  NO_COPILOTS,
  type RegistryActor,
  registerApproverKey,
  revokeApproverKey,
  toApproverKeyRecord,
} from './approver-registry.js';

/**
 * An approver key as the API shows it (`ApproverView` of the wire API in `@handoff/protocol`): the registration
 * with its public JWK (RFC 7517) and RFC 7638 thumbprint; times are RFC 3339 (UTC); `revokedAt`, `revokedBy` and
 * `reason` are null while the key is active.
 */
export type { ApproverView };
/** The inputs of `approvers.register`, `approvers.revoke` and `approvers.rotate` (the wire API's). */
export { RegisterApproverInputSchema, RevokeApproverInputSchema, RotateApproverInputSchema };

/** The API view of a registry row. */
export function approverView(record: ApproverKeyRecord): ApproverView {
  return {
    ...record,
    jwk: JSON.parse(record.jwk) as ApproverView['jwk'],
    registeredAt: new Date(record.registeredAt).toISOString(),
    revokedAt: record.revokedAt === null ? null : new Date(record.revokedAt).toISOString(),
  };
}

/** A registration's key checked as API input: an unusable or private JWK is the caller's `VALIDATION_FAILED`. */
async function recordOf(
  ...args: Parameters<typeof toApproverKeyRecord>
): Promise<ApproverKeyRecord> {
  try {
    return await toApproverKeyRecord(...args);
  } catch (error) {
    if (!isGatewayError(error, 'CONFIG_INVALID')) throw error;
    throw new GatewayError('VALIDATION_FAILED', error.message, { issues: error.issues });
  }
}

function operator(principal: Principal): RegistryActor {
  return { type: 'operator', id: principal.id };
}

/** The approver keys of the caller's tenant (active and revoked), by subject then kid. */
export async function listApprovers(
  deps: PipelineDeps,
  principal: Principal,
): Promise<ApproverView[]> {
  const records = await deps.store.transaction((tx) => tx.listApproverKeys(principal.tenantId));
  return records.map(approverView);
}

/**
 * Registers an approver key in the operator's tenant (`control.approver_registered`). Kids and key material are
 * per tenant: a kid or key registered only in another tenant is answered as an unused one (registered here).
 *
 * @throws GatewayError `FORBIDDEN` (a `tenantId` other than the operator's), `VALIDATION_FAILED` (an unusable or
 *   private JWK), `APPROVER_REGISTRY_CONFLICT` (kid or key material already registered in this tenant, subject is
 *   a copilot).
 */
export async function registerApprover(
  deps: PipelineDeps,
  principal: Principal,
  input: z.infer<typeof RegisterApproverInputSchema>,
): Promise<ApproverView> {
  if (input.tenantId !== undefined && input.tenantId !== principal.tenantId) {
    throw new GatewayError('FORBIDDEN', 'An operator registers approvers only for its own tenant');
  }
  const actor = operator(principal);
  const record = await recordOf(
    { ...input, tenantId: principal.tenantId },
    actor,
    deps.clock.now(),
  );
  const copilots = deps.copilots ?? NO_COPILOTS;
  await deps.store.transaction((tx) => registerApproverKey(tx, record, copilots, actor));
  return approverView(record);
}

/**
 * Revokes an approver key of the operator's tenant (`control.approver_revoked`): every token of it presented
 * afterwards is refused `APPROVAL_KEY_REVOKED`.
 *
 * @throws GatewayError `NOT_FOUND` (no such kid in this tenant), `APPROVER_REGISTRY_CONFLICT` (already revoked).
 */
export async function revokeApprover(
  deps: PipelineDeps,
  principal: Principal,
  input: z.infer<typeof RevokeApproverInputSchema>,
): Promise<ApproverView> {
  const atMs = deps.clock.now();
  const revoked = await deps.store.transaction((tx) =>
    revokeApproverKey(tx, { ...input, tenantId: principal.tenantId, atMs }, operator(principal)),
  );
  return approverView(revoked);
}

/**
 * Rotates an approver's key: registers `kid` for the subject, tenant and roles of `oldKid` (or `roles`) and
 * revokes `oldKid`, in one transaction (both lineage events, or neither).
 *
 * @returns the new registration and the revoked one.
 * @throws GatewayError as {@link registerApprover} and {@link revokeApprover}; nothing changes on any of them.
 */
export async function rotateApprover(
  deps: PipelineDeps,
  principal: Principal,
  input: z.infer<typeof RotateApproverInputSchema>,
): Promise<{ registered: ApproverView; revoked: ApproverView }> {
  const actor = operator(principal);
  const atMs = deps.clock.now();
  const copilots = deps.copilots ?? NO_COPILOTS;
  // The key is checked and its thumbprint computed before the transaction (which holds no await but on `tx`);
  // identity, tenant and roles are the old key's, read inside it.
  const fresh = await recordOf(
    {
      kid: input.kid,
      subject: principal.id,
      tenantId: principal.tenantId,
      roles: ['x'],
      jwk: input.jwk,
    },
    actor,
    atMs,
  );
  return deps.store.transaction(async (tx) => {
    const old = await tx.getApproverKey(principal.tenantId, input.oldKid);
    if (!old) {
      throw new GatewayError(
        'NOT_FOUND',
        `No approver key ${JSON.stringify(input.oldKid)} in this tenant`,
      );
    }
    const roles = input.roles ? [...new Set(input.roles)].sort() : old.roles;
    const record: ApproverKeyRecord = { ...fresh, subject: old.subject, roles };
    await registerApproverKey(tx, record, copilots, actor);
    const revoked = await revokeApproverKey(
      tx,
      { kid: input.oldKid, tenantId: principal.tenantId, reason: input.reason, atMs },
      actor,
    );
    return { registered: approverView(record), revoked: approverView(revoked) };
  });
}
