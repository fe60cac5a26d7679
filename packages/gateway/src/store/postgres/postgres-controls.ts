import { and, eq } from 'drizzle-orm';
import type { ControlScope, StoreTx } from '../store.js';
import type { PgDb } from './postgres-tx.js';
import * as s from './schema.js';

/**
 * The kill switches (`controls`, one row per paused scope) and the policy sets applied (`policy_versions`, by
 * digest) of a PostgreSQL transaction. Times are epoch milliseconds. Nothing is cached: a pause written by one
 * replica is read by every other on its next transaction.
 */
export function postgresControls(
  db: PgDb,
): Pick<StoreTx, 'listControls' | 'putControl' | 'deleteControl' | 'rememberPolicy'> {
  const c = s.controls;
  return {
    async listControls(tenantId) {
      const rows = await db.select().from(c).where(eq(c.tenantId, tenantId));
      return rows.map((row) => ({ ...row, scopeType: row.scopeType as ControlScope }));
    },

    async putControl(record) {
      await db
        .insert(c)
        .values(record)
        .onConflictDoUpdate({
          target: [c.tenantId, c.scopeType, c.scopeValue],
          set: { reason: record.reason, pausedBy: record.pausedBy, pausedAt: record.pausedAt },
        });
    },

    async deleteControl(tenantId, scopeType, scopeValue) {
      const result = await db
        .delete(c)
        .where(
          and(eq(c.tenantId, tenantId), eq(c.scopeType, scopeType), eq(c.scopeValue, scopeValue)),
        );
      return (result.rowCount ?? 0) > 0;
    },

    async rememberPolicy(digest, policySetId, label, atMs) {
      await db
        .insert(s.policyVersions)
        .values({ digest, policySetId, label, activatedAt: atMs })
        .onConflictDoNothing();
    },
  };
}
