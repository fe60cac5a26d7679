import { and, eq, sql } from 'drizzle-orm';
import { type ApproverKeyRecord, approverKeyRow, toApproverKey } from '../approver-keys.js';
import * as s from './schema.js';
import type { SqliteDb } from './sqlite-tx.js';

/**
 * The approver registry's statements in a SQLite transaction (the `approver_keys` table; see
 * `approvals/approver-registry.ts`), kept apart from the rest of {@link SqliteTx} so that each file holds one
 * concept. Every statement names the tenant: a registration is keyed (tenant, kid). `roles` is stored as a JSON
 * array of strings; times are epoch milliseconds. The lookup by tenant and kid, on every approval, uses a
 * statement prepared once, in the constructor.
 */
export class SqliteApproverKeys {
  readonly #db: SqliteDb;
  readonly #byKid;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#byKid = db
      .select()
      .from(s.approverKeys)
      .where(
        and(
          eq(s.approverKeys.tenantId, sql.placeholder('tenantId')),
          eq(s.approverKeys.kid, sql.placeholder('kid')),
        ),
      )
      .prepare();
  }

  get(tenantId: string, kid: string): ApproverKeyRecord | undefined {
    const row = this.#byKid.get({ tenantId, kid });
    return row ? toApproverKey(row) : undefined;
  }

  list(tenantId: string): ApproverKeyRecord[] {
    const a = s.approverKeys;
    const rows = this.#db
      .select()
      .from(a)
      .where(eq(a.tenantId, tenantId))
      .orderBy(a.subject, a.kid)
      .all();
    return rows.map(toApproverKey);
  }

  insert(record: ApproverKeyRecord): boolean {
    const result = this.#db
      .insert(s.approverKeys)
      .values(approverKeyRow(record))
      .onConflictDoNothing()
      .run();
    return result.changes > 0;
  }

  revoke(tenantId: string, kid: string, revokedBy: string, reason: string, atMs: number): boolean {
    const a = s.approverKeys;
    const result = this.#db
      .update(a)
      .set({ status: 'revoked', revokedAt: atMs, revokedBy, reason })
      .where(and(eq(a.tenantId, tenantId), eq(a.kid, kid), eq(a.status, 'active')))
      .run();
    return result.changes > 0;
  }
}
