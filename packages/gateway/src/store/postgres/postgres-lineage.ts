import type { LineageEvent } from '@handoff/protocol';
import { and, asc, desc, eq, isNull } from 'drizzle-orm';
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
 * at once would both write the same `seq`: the `lineage_chain` unique constraint and SERIALIZABLE isolation make
 * the second fail (SQLSTATE 40001, retried by the store), never fork the chain.
 *
 * @param onAppended - told how many events each append writes, before its transaction commits (the sequencer's
 *   early trigger).
 */
export function postgresLineage(
  db: PgDb,
  onAppended: (count: number) => void,
): Pick<StoreTx, 'putPayload' | 'getPayload' | 'appendLineage' | 'lastPlanEvent' | 'planEvents'> {
  const e = s.lineageEvents;
  const heads = new Map<string, ChainHead>();

  async function headOf(key: string, draft: LineageDraft): Promise<ChainHead> {
    const cached = heads.get(key);
    if (cached) return cached;
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
