import { and, asc, desc, eq, gt, gte, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { LineageLogTx, TreeHeadRecord } from '../lineage-log.js';
import type { PgDb } from './postgres-tx.js';
import * as s from './schema.js';

/**
 * The advisory lock key the sequencer election takes (`'HndfSeqr'` as a 64-bit integer), with
 * `pg_try_advisory_xact_lock`: transaction-level, so it is released by the batch's commit or rollback, and cannot
 * leak behind a connection pooler (https://www.postgresql.org/docs/15/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS).
 */
export const SEQUENCER_LOCK_KEY = 0x486e646653657172n;

const e = s.lineageEvents;
const c = s.lineageCheckpoints;

function toHead(row: typeof c.$inferSelect): TreeHeadRecord {
  return { ...row, rootHash: row.rootHash as TreeHeadRecord['rootHash'] };
}

/**
 * The transparency log on PostgreSQL ({@link LineageLogTx}): `lineage_checkpoints` by tree size and
 * `lineage_events` by `log_index` (unique). One replica sequences at a time: the one whose batch transaction
 * holds the sequencer's advisory lock ({@link SEQUENCER_LOCK_KEY}); another replica's `leadSequencer` answers
 * false meanwhile, and takes over in its next round once that replica is gone.
 */
export function postgresLineageLog(db: PgDb): LineageLogTx {
  return {
    async leadSequencer() {
      const result = await db.execute<{ locked: boolean }>(
        sql`select pg_try_advisory_xact_lock(${SEQUENCER_LOCK_KEY.toString()}::bigint) as locked`,
      );
      return result.rows[0]?.locked === true;
    },

    async logSize() {
      const [row] = await db.select({ last: sql<string | null>`max(${e.logIndex})` }).from(e);
      return row?.last == null ? 0 : Number(row.last) + 1;
    },

    async unsequencedEvents(limit) {
      return db
        .select({ id: e.id, hash: e.hash })
        .from(e)
        .where(isNull(e.logIndex))
        .orderBy(asc(e.id))
        .limit(limit);
    },

    async assignLogIndexes(firstIndex, ids) {
      if (ids.length === 0) return;
      // One statement: the ids with their ordinal (1, 2, ...) give log indexes firstIndex, firstIndex + 1, ...
      const result = await db.execute(sql`
        update ${e} set log_index = ${firstIndex}::bigint + o.ord - 1
        from unnest(${sql.param([...ids])}::bigint[]) with ordinality as o(id, ord)
        where ${e.id} = o.id and ${e.logIndex} is null`);
      if (result.rowCount !== ids.length) {
        throw new Error(
          `Lineage events to sequence are unknown or already sequenced (${result.rowCount} of ${ids.length} updated)`,
        );
      }
    },

    async insertTreeHead(head) {
      await db.insert(c).values(head);
    },

    async treeHeadsAfter(afterSize) {
      const rows = await db
        .select()
        .from(c)
        .where(gt(c.treeSize, afterSize))
        .orderBy(asc(c.treeSize));
      return rows.map(toHead);
    },

    async treeHead(treeSize) {
      const [row] =
        treeSize === undefined
          ? await db.select().from(c).orderBy(desc(c.treeSize)).limit(1)
          : await db.select().from(c).where(eq(c.treeSize, treeSize));
      return row ? toHead(row) : undefined;
    },

    async logLeaves(treeSize, from = 0) {
      // The sequencer asks for the leaves past its cached tree every round: none when the log has not grown.
      if (from >= treeSize) return [];
      const rows = await db
        .select({ hash: e.hash })
        .from(e)
        .where(and(gte(e.logIndex, from), lt(e.logIndex, treeSize)))
        .orderBy(asc(e.logIndex));
      return rows.map((row) => row.hash);
    },

    async logEntry(tenantId, by) {
      const where =
        'logIndex' in by
          ? and(eq(e.logIndex, by.logIndex), eq(e.tenantId, tenantId))
          : and(eq(e.tenantId, tenantId), eq(e.hash, by.eventHash), isNotNull(e.logIndex));
      const [row] = await db.select({ logIndex: e.logIndex, hash: e.hash }).from(e).where(where);
      return row && row.logIndex !== null ? { logIndex: row.logIndex, hash: row.hash } : undefined;
    },
  };
}
