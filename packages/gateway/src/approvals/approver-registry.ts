import { IdentifierSchema } from '@handoff/protocol';
import { calculateJwkThumbprint } from 'jose';
import { z } from 'zod';
import { GatewayError } from '../errors.js';
import type { ApproverKeyRecord } from '../store/approver-keys.js';
import type { StoreTx } from '../store/store.js';
import { normalizeJwks, type VerificationJwk } from './jwks.js';

/**
 * Who may hold an approver key: a predicate telling whether `principalId` holds the `copilot` role in `tenantId`
 * (the API key entries of the configuration). A copilot principal is never registered as an approver, and never
 * presents approvals (separation of duties).
 */
export type CopilotDirectory = (tenantId: string, principalId: string) => boolean;

/** A directory that knows no copilot principal. */
export const NO_COPILOTS: CopilotDirectory = () => false;

/**
 * What registering an approver key asks for: the key id, the approver identity (`subject`, the `sub` its tokens
 * must carry), its tenant, its roles (at least one, each an Identifier such as `finance`; kept sorted and without
 * duplicates) and its public JWK (RFC 7517: `kty`/`crv`/`x` (`y` for P-256) only, Ed25519 or P-256).
 */
export const ApproverRegistrationSchema = z.strictObject({
  kid: z.string().min(1).max(200),
  subject: z.string().min(1).max(200),
  tenantId: IdentifierSchema,
  roles: z.array(IdentifierSchema).min(1).max(20),
  jwk: z.record(z.string(), z.unknown()),
});

/** A validated {@link ApproverRegistrationSchema}. */
export type ApproverRegistration = z.infer<typeof ApproverRegistrationSchema>;

/** Who registers or revokes: an operator principal id, or `config` for entries seeded at start-up. */
export interface RegistryActor {
  type: 'operator' | 'system';
  id: string;
}

function conflict(message: string, path = '', issueCode = 'APPROVER_CONFLICT'): GatewayError {
  return new GatewayError('APPROVER_REGISTRY_CONFLICT', message, {
    issues: [{ path, code: issueCode, message }],
  });
}

/**
 * Reduces a registration's JWK to the pinned public {@link VerificationJwk} under the registration's kid.
 *
 * @throws GatewayError `CONFIG_INVALID` when the JWK holds private material, is not an Ed25519 or P-256
 *   verification key, or names another `kid`.
 */
export function pinnedJwk(kid: string, jwk: Record<string, unknown>): VerificationJwk {
  if (jwk.kid !== undefined && jwk.kid !== kid) {
    throw new GatewayError(
      'CONFIG_INVALID',
      `The JWK of approver key ${JSON.stringify(kid)} names another kid`,
    );
  }
  let reason = 'not an Ed25519 or P-256 verification key';
  const [usable] = normalizeJwks(
    { keys: [{ ...jwk, kid }] },
    { source: `approver key ${JSON.stringify(kid)}`, onIgnoredKey: (i) => (reason = i.reason) },
  );
  if (usable === undefined) {
    throw new GatewayError('CONFIG_INVALID', `Approver key ${JSON.stringify(kid)}: ${reason}`, {
      issues: [{ path: '/jwk', code: 'UNUSABLE_KEY', message: reason }],
    });
  }
  return usable;
}

/** The registry row of a registration, active, as `actor` registers it at `atMs`. */
export async function toApproverKeyRecord(
  input: ApproverRegistration,
  actor: RegistryActor,
  atMs: number,
): Promise<ApproverKeyRecord> {
  const jwk = pinnedJwk(input.kid, input.jwk);
  return {
    kid: input.kid,
    tenantId: input.tenantId,
    subject: input.subject,
    roles: [...new Set(input.roles)].sort(),
    jwk: JSON.stringify(jwk),
    thumbprint: await calculateJwkThumbprint(jwk, 'sha256'),
    status: 'active',
    registeredAt: atMs,
    registeredBy: actor.id,
    revokedAt: null,
    revokedBy: null,
    reason: null,
  };
}

/** The public facts of a registration, as lineage events and the API show them (never a private member). */
export function approverFacts(record: ApproverKeyRecord): Record<string, unknown> {
  return {
    kid: record.kid,
    subject: record.subject,
    roles: record.roles,
    thumbprint: record.thumbprint,
  };
}

/**
 * Registers an approver key in its tenant in `tx` and writes `control.approver_registered` (tenant = the key's;
 * data: kid, subject, roles, thumbprint and the public JWK). Only the key's own tenant is consulted: a kid or key
 * material registered in another tenant is answered as an unused one (no existence oracle across tenants), and
 * the same key may be registered in two tenants, each binding being that tenant's statement.
 *
 * @throws GatewayError `APPROVER_REGISTRY_CONFLICT` when the tenant already registered the kid (a kid never
 *   changes owner), registered the same key material under another kid, or the subject holds the `copilot` role
 *   in the tenant (separation of duties); `CONFIG_INVALID` for an unusable JWK (see {@link pinnedJwk}).
 */
export async function registerApproverKey(
  tx: StoreTx,
  record: ApproverKeyRecord,
  copilots: CopilotDirectory,
  actor: RegistryActor,
): Promise<ApproverKeyRecord> {
  if (copilots(record.tenantId, record.subject)) {
    throw conflict(
      `${record.subject} holds the copilot role in ${record.tenantId}: a copilot cannot approve`,
      '/subject',
      'COPILOT_AS_APPROVER',
    );
  }
  if (await tx.getApproverKey(record.tenantId, record.kid)) {
    throw conflict(
      `Approver key ${JSON.stringify(record.kid)} is already registered in this tenant`,
      '/kid',
    );
  }
  if (!(await tx.insertApproverKey(record))) {
    throw conflict(
      'This key material is already registered under another kid in this tenant',
      '/jwk',
    );
  }
  await tx.appendLineage([
    {
      tenantId: record.tenantId,
      type: 'control.approver_registered',
      actor,
      occurredAt: record.registeredAt,
      data: { ...approverFacts(record), jwk: JSON.parse(record.jwk) as unknown },
    },
  ]);
  return record;
}

/**
 * Revokes an active approver key of `tenantId` in `tx` and writes `control.approver_revoked` (data: kid, subject,
 * roles, thumbprint, reason). Every token of that kid presented afterwards is refused `APPROVAL_KEY_REVOKED`.
 *
 * @throws GatewayError `NOT_FOUND` when the kid is not registered in `tenantId` (only that tenant's registry is
 *   read: another tenant's kid is an unknown one there); `APPROVER_REGISTRY_CONFLICT` when it is already revoked.
 */
export async function revokeApproverKey(
  tx: StoreTx,
  input: { kid: string; tenantId: string; reason: string; atMs: number },
  actor: RegistryActor,
): Promise<ApproverKeyRecord> {
  const found = await tx.getApproverKey(input.tenantId, input.kid);
  if (!found) {
    throw new GatewayError(
      'NOT_FOUND',
      `No approver key ${JSON.stringify(input.kid)} in this tenant`,
    );
  }
  if (
    !(await tx.revokeApproverKey(input.tenantId, input.kid, actor.id, input.reason, input.atMs))
  ) {
    throw conflict(`Approver key ${JSON.stringify(input.kid)} is already revoked`, '/kid');
  }
  const revoked: ApproverKeyRecord = {
    ...found,
    status: 'revoked',
    revokedAt: input.atMs,
    revokedBy: actor.id,
    reason: input.reason,
  };
  await tx.appendLineage([
    {
      tenantId: found.tenantId,
      type: 'control.approver_revoked',
      actor,
      occurredAt: input.atMs,
      data: { ...approverFacts(revoked), reason: input.reason },
    },
  ]);
  return revoked;
}
