import { and, asc, eq } from 'drizzle-orm';
import type { ApprovalRecord, StoreTx } from '../store.js';
import type { PgDb } from './postgres-tx.js';
import * as s from './schema.js';

/**
 * The approval methods of a PostgreSQL transaction: accepted approvals (`approvals`, one per approver per plan),
 * the token ids ever used (`used_tokens`) and the public keys that verified them (`keys`). Replay is refused by
 * the database: `used_tokens.jti` is the primary key, so of two replicas accepting one token at once, one inserts
 * it and the other waits for its commit, then inserts nothing and is told it was used.
 */
export function postgresApprovals(
  db: PgDb,
): Pick<StoreTx, 'useToken' | 'insertApproval' | 'approvalsForPlan' | 'getKey' | 'rememberKey'> {
  const a = s.approvals;
  const k = s.keys;
  return {
    async useToken(jti, planId, atMs) {
      const result = await db
        .insert(s.usedTokens)
        .values({ jti, planId, usedAt: atMs })
        .onConflictDoNothing();
      return result.rowCount === 1;
    },

    async insertApproval(record) {
      await db.insert(a).values(record);
    },

    async approvalsForPlan(tenantId, planId) {
      const rows = await db
        .select()
        .from(a)
        .where(and(eq(a.tenantId, tenantId), eq(a.planId, planId)))
        .orderBy(asc(a.receivedAt), asc(a.jti));
      return rows.map((row) => ({ ...row, decision: row.decision as ApprovalRecord['decision'] }));
    },

    async getKey(purpose, kid) {
      const [row] = await db
        .select({ jwk: k.jwk })
        .from(k)
        .where(and(eq(k.purpose, purpose), eq(k.tenantId, ''), eq(k.kid, kid)));
      return row?.jwk;
    },

    async rememberKey(purpose, kid, jwk, atMs, tenantId = '') {
      await db
        .insert(k)
        .values({ purpose, tenantId, kid, jwk, firstSeenAt: atMs })
        .onConflictDoNothing();
    },
  };
}
