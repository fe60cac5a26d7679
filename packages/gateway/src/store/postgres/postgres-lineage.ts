import { createHash } from 'node:crypto';
import type { LineageEvent } from '@handoff/protocol';
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import { ATTR, inSpan } from '../../observability/tracing.js';
import {
  type ChainHead,
  chainCanonical,
  chainKey,
  chainOf,
  EMPTY_HEAD,
  lineageColumns,
} from '../lineage-chain.js';
import type { LineageDraft, StoreTx } from '../store.js';
import type { PgDb } from './postgres-tx.js';
import * as s from './schema.js';

/**
 * The lineage methods of a PostgreSQL transaction: appending to the per-plan and per-tenant hash chains
 * (`lineage_events`, see `lineage-chain.ts`) and the documents events reference by digest (`payloads`).
 *
 * A chain's head is read inside the transaction that appends to it and cached for that transaction only (this
 * object is built per transaction attempt, so a retried attempt reads again). Two replicas appending to one chain
 * at once would both write the same `seq`: at READ COMMITTED the head is therefore read under a transaction-level
 * advisory lock of the chain (`pg_advisory_xact_lock(CHAIN_LOCKS, 32 bits of the chain key's SHA-256)`, the two-key space, apart
 * from the sequencer's one-key lock), so appends to one chain wait for each other and the second reads the first's
 * head. The `lineage_chain` unique constraint stays the backstop: a fork fails with SQLSTATE 23505 (the store runs
 * the transaction again), never commits.
 *
 * @param onAppended - told how many events each append writes, before its transaction commits (the sequencer's
 *   early trigger).
 */
/** The first key of the chains' advisory locks (an arbitrary constant naming "lineage chain heads"). */
const CHAIN_LOCKS = 0x1c4a17;

/** The second key of a chain's advisory lock: 32 bits of the chain key's SHA-256 (a collision only serialises). */
function lockOf(key: string): number {
  return createHash('sha256').update(key).digest().readInt32BE(0);
}

export function postgresLineage(
  db: PgDb,
  onAppended: (count: number) => void,
): Pick<StoreTx, 'putPayload' | 'getPayload' | 'appendLineage' | 'lastPlanEvent' | 'planEvents'> {
  const e = s.lineageEvents;
  const heads = new Map<string, ChainHead>();

  async function headOf(key: string, draft: LineageDraft): Promise<ChainHead> {
    const cached = heads.get(key);
    if (cached) return cached;
    await db.execute(sql`select pg_advisory_xact_lock(${CHAIN_LOCKS}::int4, ${lockOf(key)}::int4)`);
    const chain =
      chainOf(draft) === 'plan'
        ? and(eq(e.tenantId, draft.tenantId), eq(e.planId, draft.planId ?? ''), eq(e.chain, 'plan'))
        : and(eq(e.tenantId, draft.tenantId), isNull(e.planId), eq(e.chain, 'tenant'));
    const [found] = await db
      .select({ seq: e.seq, hash: e.hash })
      .from(e)
      .where(chain)
      .orderBy(desc(e.seq))
      .limit(1);
    return found ?? EMPTY_HEAD;
  }

  /** Chains each draft after its chain's head and inserts them all in one statement, in the drafts' order. */
  async function append(drafts: readonly LineageDraft[]): Promise<LineageEvent[]> {
    const out: LineageEvent[] = [];
    const rows: Array<typeof e.$inferInsert> = [];
    for (const draft of drafts) {
      const key = chainKey(draft);
      const [chained] = chainCanonical(await headOf(key, draft), [draft]);
      if (chained === undefined) continue;
      const { event, body } = chained;
      rows.push({ ...lineageColumns(event), body });
      heads.set(key, { seq: event.seq, hash: event.hash });
      out.push(event);
    }
    // Identity values follow the VALUES order, so `id` keeps the drafts' order.
    if (rows.length > 0) await db.insert(e).values(rows);
    return out;
  }

  const ofPlan = (tenantId: string, planId: string, type: string) =>
    and(eq(e.planId, planId), eq(e.tenantId, tenantId), eq(e.type, type));

  return {
    async putPayload(digest, kind, body, atMs) {
      await db
        .insert(s.payloads)
        .values({ digest, kind, body, createdAt: atMs })
        .onConflictDoNothing();
    },

    async getPayload(digest) {
      const [row] = await db
        .select({ body: s.payloads.body })
        .from(s.payloads)
        .where(eq(s.payloads.digest, digest));
      return row?.body;
    },

    appendLineage(drafts) {
      onAppended(drafts.length);
      return inSpan('handoff.sequence', { [ATTR.events]: drafts.length }, () => append(drafts));
    },

    async lastPlanEvent(tenantId, planId, type) {
      const [row] = await db
        .select({ body: e.body })
        .from(e)
        .where(ofPlan(tenantId, planId, type))
        .orderBy(desc(e.id))
        .limit(1);
      return row ? (JSON.parse(row.body) as LineageEvent) : undefined;
    },

    async planEvents(tenantId, planId, type) {
      const rows = await db
        .select({ body: e.body })
        .from(e)
        .where(ofPlan(tenantId, planId, type))
        .orderBy(asc(e.id));
      return rows.map((row) => JSON.parse(row.body) as LineageEvent);
    },
  };
}
