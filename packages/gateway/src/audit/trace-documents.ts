import { GatewayError } from '../errors.js';
import type { AuditReads } from '../store/audit-reads.js';
import type { PlanRecord } from '../store/store.js';
import { documentMatchesDigest } from '../store/stored-document.js';

/**
 * The plan `planId` of `tenantId`; with no tenant (an operator's offline read), the one plan of that id.
 *
 * @throws GatewayError `VALIDATION_FAILED` when no tenant is given and several tenants use the id (plan ids are
 *   per tenant): the message asks for the tenant.
 */
export async function planOfTrace(
  reads: AuditReads,
  tenantId: string | undefined,
  planId: string,
): Promise<PlanRecord | undefined> {
  const rows = await reads.plansWithId(planId);
  if (tenantId !== undefined) return rows.find((row) => row.tenantId === tenantId);
  if (rows.length > 1) {
    throw new GatewayError(
      'VALIDATION_FAILED',
      `Plan id ${planId} is used in ${rows.length} tenants: name the tenant`,
      { issues: [{ path: '/tenantId', code: 'REQUIRED', message: 'Plan ids are per tenant' }] },
    );
  }
  return rows[0];
}

/**
 * A stored document parsed, after re-hashing it against its digest (`documentMatchesDigest`), or `undefined`
 * when absent or not JSON. The store is not trusted to have kept it: a trace never shows an altered document as
 * if it were the one the lineage names.
 *
 * @throws GatewayError `INTERNAL` when it does not hash to `digest` (it was altered in the database).
 */
export async function verifiedDocument<T>(
  reads: AuditReads,
  digest: string,
): Promise<T | undefined> {
  const text = await reads.payload(digest);
  if (text === undefined) return undefined;
  if (!documentMatchesDigest(digest, text)) {
    throw new GatewayError(
      'INTERNAL',
      `The stored document ${digest} does not hash to its digest: it was altered (run \`handoff lineage verify\`)`,
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
