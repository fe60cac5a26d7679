import { and, asc, eq } from 'drizzle-orm';
import { type ApproverKeysTx, approverKeyRow, toApproverKey } from '../approver-keys.js';
import type { PgDb } from './postgres-tx.js';
import * as s from './schema.js';

/**
 * The approver registry's methods in a PostgreSQL transaction (`approver_keys`; see
 * `approvals/approver-registry.ts`). Every statement names the tenant: a registration is keyed (tenant, kid);
 * `roles` is stored as a JSON array; times are epoch milliseconds. The primary key and the unique thumbprint
 * index refuse a second registration of a kid or of a key material, whichever replica writes it.
 */
export function postgresApproverKeys(db: PgDb): ApproverKeysTx {
  const a = s.approverKeys;
  return {
    async getApproverKey(tenantId, kid) {
      const [row] = await db
        .select()
        .from(a)
        .where(and(eq(a.tenantId, tenantId), eq(a.kid, kid)));
      return row ? toApproverKey(row) : undefined;
    },

    async listApproverKeys(tenantId) {
      const rows = await db
        .select()
        .from(a)
        .where(eq(a.tenantId, tenantId))
        .orderBy(asc(a.subject), asc(a.kid));
      return rows.map(toApproverKey);
    },

    async insertApproverKey(record) {
      const result = await db.insert(a).values(approverKeyRow(record)).onConflictDoNothing();
      return (result.rowCount ?? 0) > 0;
    },

    async revokeApproverKey(tenantId, kid, revokedBy, reason, atMs) {
      const result = await db
        .update(a)
        .set({ status: 'revoked', revokedAt: atMs, revokedBy, reason })
        .where(and(eq(a.tenantId, tenantId), eq(a.kid, kid), eq(a.status, 'active')));
      return (result.rowCount ?? 0) > 0;
    },
  };
}
