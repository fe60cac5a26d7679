import { and, asc, eq, gt, gte, isNull, lt, ne, type SQL, sql } from 'drizzle-orm';
import type { LineageReads, LineageRowFilter, RecordedKeyRow } from '../lineage-reads.js';
import type { ApprovalRecord } from '../store.js';
import type { PgDb } from './postgres-tx.js';
import * as s from './schema.js';

/** Most rows one page may ask for. */
const MAX_PAGE = 10_000;

const e = s.lineageEvents;

/** The conditions of a filter on `lineage_events`. */
function eventsWhere(filter: LineageRowFilter): SQL[] {
  const where: SQL[] = [];
  if (filter.tenantId !== undefined) where.push(eq(e.tenantId, filter.tenantId));
  if (filter.planId !== undefined) where.push(eq(e.planId, filter.planId));
  if (filter.logIndexBelow !== undefined) where.push(lt(e.logIndex, filter.logIndexBelow));
  return where;
}

const pageSize = (limit: number) => Math.max(1, Math.min(MAX_PAGE, Math.trunc(limit)));

/**
 * {@link LineageReads} on PostgreSQL, each call one statement on the pool (its own snapshot): rows keyset-paged on
 * the `id` primary key or the unique `lineage_log_index`, approval tokens through the partial index
 * `lineage_approvals`. A PostgreSQL database is always lineage format 2, so `chain` and `logIndex` are always
 * read.
 */
export function postgresLineageReads(db: PgDb): LineageReads {
  return {
    async treeHeads() {
      const c = s.lineageCheckpoints;
      const rows = await db.select().from(c).orderBy(asc(c.treeSize));
      return rows.map((row) => ({ ...row, rootHash: row.rootHash as `sha256:${string}` }));
    },

    async recordedKeys() {
      const k = s.keys;
      const rows = await db.select().from(k).orderBy(asc(k.purpose), asc(k.tenantId), asc(k.kid));
      return rows.map((row) => ({ ...row, purpose: row.purpose as RecordedKeyRow['purpose'] }));
    },

    async countLineage(filter) {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(e)
        .where(and(...eventsWhere(filter)));
      return row?.n ?? 0;
    },

    async lastPosition() {
      const [row] = await db.select({ last: sql<string | null>`max(${e.id})` }).from(e);
      return row?.last == null ? 0 : Number(row.last);
    },

    async lineageRows(page) {
      const key = page.order === 'logIndex' ? e.logIndex : e.id;
      const where = [...eventsWhere(page), gt(key, page.after)];
      if (page.unsequencedFrom !== undefined) {
        // Rows not covered by a walk by log index: two index searches (`lineage_unsequenced`, then the tail of
        // `lineage_log_index`), each at most one page long; one `OR` would walk the primary key from `after`.
        const branch = (cond: SQL) =>
          sql`(select ${e.id} from ${e} where ${and(...eventsWhere(page), cond, gt(e.id, page.after))} order by ${e.id} limit ${pageSize(page.limit)})`;
        const from = page.unsequencedFrom;
        where.push(
          sql`${e.id} in (${branch(isNull(e.logIndex))} union all ${branch(gte(e.logIndex, from))})`,
        );
      }
      const rows = await db
        .select()
        .from(e)
        .where(and(...where))
        .orderBy(asc(key))
        .limit(pageSize(page.limit));
      return rows.map(({ id, ...row }) => ({ position: id, ...row }));
    },

    async approvalTokens(filter, afterPosition, limit) {
      const p = s.payloads;
      return db
        .select({ position: e.id, digest: p.digest, token: p.body })
        .from(e)
        .innerJoin(p, eq(p.digest, sql`(${e.body}::jsonb -> 'refs' ->> 'approval')`))
        .where(
          and(eq(e.type, 'approval.accepted'), gt(e.id, afterPosition), ...eventsWhere(filter)),
        )
        .orderBy(asc(e.id))
        .limit(pageSize(limit));
    },

    async approvalRecords() {
      const a = s.approvals;
      const rows = await db.select().from(a).orderBy(asc(a.jti));
      return rows.map((row) => ({ ...row, decision: row.decision as ApprovalRecord['decision'] }));
    },

    async documents(afterDigest, limit) {
      const p = s.payloads;
      return db
        .select({ digest: p.digest, kind: p.kind, body: p.body })
        .from(p)
        .where(and(gt(p.digest, afterDigest), ne(p.kind, 'ApprovalJws')))
        .orderBy(asc(p.digest))
        .limit(pageSize(limit));
    },

    async document(digest) {
      const p = s.payloads;
      const [row] = await db
        .select({ digest: p.digest, kind: p.kind, body: p.body })
        .from(p)
        .where(eq(p.digest, digest));
      return row;
    },

    async planKeys(filter) {
      const p = s.plans;
      const where: SQL[] = [];
      if (filter.tenantId !== undefined) where.push(eq(p.tenantId, filter.tenantId));
      if (filter.planId !== undefined) where.push(eq(p.planId, filter.planId));
      return db
        .select({ tenantId: p.tenantId, planId: p.planId })
        .from(p)
        .where(and(...where))
        .orderBy(asc(p.receivedAt), asc(p.planId), asc(p.tenantId));
    },
  };
}
