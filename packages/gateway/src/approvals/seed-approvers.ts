import { GatewayError, isGatewayError } from '../errors.js';
import type { ApproverKeyRecord } from '../store/approver-keys.js';
import type { GatewayStore } from '../store/store.js';
import {
  type ApproverRegistration,
  type CopilotDirectory,
  registerApproverKey,
  toApproverKeyRecord,
} from './approver-registry.js';
import type { VerificationJwk } from './jwks.js';
import type { KeySource } from './key-source.js';
import { ALLOWED_ALGORITHMS } from './signing-keys.js';

/** One `approvals.approvers` entry of the configuration: its public JWK inline or looked up by kid. */
export interface ConfiguredApprover {
  kid: string;
  subject: string;
  tenantId: string;
  roles: string[];
  jwk?: Record<string, unknown>;
}

/** The actor of registrations seeded from configuration. */
export const CONFIG_REGISTRAR = { type: 'system', id: 'config' } as const;

async function lookUp(
  kid: string,
  keys: KeySource | undefined,
  index: number,
): Promise<VerificationJwk> {
  const missing = (cause?: unknown) =>
    new GatewayError(
      'CONFIG_INVALID',
      `approvals.approvers[${index}]: no key with kid ${JSON.stringify(kid)} in approvals.keys`,
      {
        issues: [
          {
            path: `/approvals/approvers/${index}/kid`,
            code: 'APPROVER_KEY_NOT_FOUND',
            message: 'not found',
          },
        ],
        ...(cause === undefined ? {} : { cause }),
      },
    );
  if (keys === undefined) throw missing();
  let failure: unknown;
  for (const alg of ALLOWED_ALGORITHMS) {
    try {
      return await keys.resolveJwk({ kid, alg });
    } catch (error) {
      if (!isGatewayError(error, 'APPROVAL_UNKNOWN_KEY')) failure ??= error;
    }
  }
  throw missing(failure);
}

/**
 * Turns the configured approvers into registry rows: each entry's public JWK is its inline `jwk`, else the key
 * with its kid in `keys` (the `approvals.keys` sources, read once, here).
 *
 * @throws GatewayError `CONFIG_INVALID` naming the entry when a kid is listed twice for one tenant (kids are per
 *   tenant: two tenants may list the same kid), cannot be found in `keys`
 *   (or `keys` is absent), or its JWK is not a usable public Ed25519/P-256 key.
 */
export async function configuredApproverKeys(
  entries: readonly ConfiguredApprover[],
  keys: KeySource | undefined,
  atMs: number,
): Promise<ApproverKeyRecord[]> {
  const seen = new Set<string>();
  const records: ApproverKeyRecord[] = [];
  for (const [index, entry] of entries.entries()) {
    const key = JSON.stringify([entry.tenantId, entry.kid]);
    if (seen.has(key)) {
      throw new GatewayError(
        'CONFIG_INVALID',
        `approvals.approvers: kid ${JSON.stringify(entry.kid)} is listed twice for tenant ${entry.tenantId}`,
      );
    }
    seen.add(key);
    const jwk: Record<string, unknown> = entry.jwk ?? { ...(await lookUp(entry.kid, keys, index)) };
    const registration: ApproverRegistration = { ...entry, jwk };
    records.push(await toApproverKeyRecord(registration, CONFIG_REGISTRAR, atMs));
  }
  return records;
}

/** The fields of `configured` that differ from the registration `stored` of the same tenant and kid. */
function differences(configured: ApproverKeyRecord, stored: ApproverKeyRecord): string[] {
  const fields = ['subject', 'thumbprint'] as const;
  const changed: string[] = fields.filter((f) => configured[f] !== stored[f]);
  if (JSON.stringify(configured.roles) !== JSON.stringify(stored.roles)) changed.push('roles');
  return changed;
}

/**
 * Seeds configured approver keys in one transaction, each in its entry's tenant (kids are per tenant): a kid the
 * tenant has not registered yet is registered (with its `control.approver_registered` event, actor
 * `system:config`); one the tenant registered must agree with the entry.
 * A revoked kid stays revoked whatever the configuration says: the start goes on and `onRevokedListed` is told
 * (with the kid and its tenant; an operator's revocation is never undone, nor blocked, by a stale config file). Nothing is seeded when any
 * entry fails.
 *
 * @returns the kids registered now.
 * @throws GatewayError `APPROVER_REGISTRY_CONFLICT` when an entry disagrees with its tenant's registration of its
 *   kid (subject, roles or key thumbprint: a kid never changes owner), its key material is registered under
 *   another kid in its tenant, or its subject is a copilot principal of its tenant.
 */
export async function seedApprovers(
  store: GatewayStore,
  records: readonly ApproverKeyRecord[],
  copilots: CopilotDirectory,
  onRevokedListed: (kid: string, tenantId: string) => void = () => undefined,
): Promise<string[]> {
  const revoked: ApproverKeyRecord[] = [];
  const seeded = await store.transaction(async (tx) => {
    const registered: string[] = [];
    for (const record of records) {
      const stored = await tx.getApproverKey(record.tenantId, record.kid);
      if (stored === undefined) {
        await registerApproverKey(tx, record, copilots, CONFIG_REGISTRAR);
        registered.push(record.kid);
        continue;
      }
      const changed = differences(record, stored);
      if (changed.length > 0) {
        throw new GatewayError(
          'APPROVER_REGISTRY_CONFLICT',
          `approvals.approvers: kid ${JSON.stringify(record.kid)} of tenant ${record.tenantId} is registered with another ${changed.join(', ')}; a kid never changes owner (register a new kid and revoke this one)`,
          { details: { tenantId: record.tenantId, kid: record.kid, fields: changed } },
        );
      }
      if (stored.status === 'revoked') revoked.push(stored);
    }
    return registered;
  });
  for (const { kid, tenantId } of revoked) onRevokedListed(kid, tenantId);
  return seeded;
}
