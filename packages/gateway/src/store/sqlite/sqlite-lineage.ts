import type { LineageEvent } from '@handoff/protocol';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import {
  type ChainHead,
  chainCanonical,
  chainKey,
  chainOf,
  EMPTY_HEAD,
  lineageColumns,
} from '../lineage-chain.js';
import type { LineageDraft } from '../store.js';
import * as s from './schema.js';
import type { SqliteDb } from './sqlite-tx.js';

/**
 * The tenant column behind SQLite's unary `+`, which keeps a term from choosing an index
 * (https://sqlite.org/optoverview.html#disqualifying_where_clause_terms_using_unary_): a plan's events are then
 * found through `lineage_plan` (its few rows, in `id` order) and not through `lineage_tenant`, which both give in
 * `id` order and which the planner, without statistics, may pick, walking every event of the tenant for a type
 * the plan never recorded (a format-2 plan's `plan.provenance_verified`).
 */
const byPlanIndex = (column: SQLiteColumn) => sql`+${column}`;

/** Chain heads kept at most (about 200 bytes each); past it the cache starts again empty. */
const MAX_CACHED_HEADS = 50_000;

/**
 * The lineage statements of a SQLite transaction: appending to the per-plan and per-tenant hash chains (the
 * `lineage_events` table, see `lineage-chain.ts`) and the documents its events reference by digest (the `payloads` table). Kept apart from
 * the rest of {@link SqliteTx} so that each file holds one concept. Every statement is prepared once, in the
 * constructor; times are epoch milliseconds.
 */
export class SqliteLineage {
  readonly #planHead;
  readonly #tenantHead;
  readonly #insertEvent;
  readonly #putPayload;
  readonly #getPayload;
  readonly #lastPlanEvent;
  readonly #planEvents;
  /**
   * The heads of the chains this connection appended to, by {@link chainKey}, kept across transactions while the
   * store trusts them (cleared by {@link forgetChainHead}: after a rollback, or once another connection wrote); a
   * chain not here is read from the database. A plan's later transitions then append without reading its head.
   */
  readonly #heads = new Map<string, ChainHead>();

  constructor(db: SqliteDb) {
    const e = s.lineageEvents;
    const p = sql.placeholder;
    this.#insertEvent = db
      .insert(e)
      .values({
        seq: p('seq'),
        chain: p('chain'),
        tenantId: p('tenantId'),
        planId: p('planId'),
        type: p('type'),
        actorType: p('actorType'),
        actorId: p('actorId'),
        occurredAt: p('occurredAt'),
        body: p('body'),
        prevHash: p('prevHash'),
        hash: p('hash'),
      })
      .prepare();
    this.#putPayload = db
      .insert(s.payloads)
      .values({ digest: p('digest'), kind: p('kind'), body: p('body'), createdAt: p('createdAt') })
      .onConflictDoNothing()
      .prepare();
    this.#getPayload = db
      .select({ body: s.payloads.body })
      .from(s.payloads)
      .where(eq(s.payloads.digest, p('digest')))
      .prepare();
    this.#lastPlanEvent = db
      .select({ body: s.lineageEvents.body })
      .from(s.lineageEvents)
      .where(
        and(
          eq(s.lineageEvents.planId, p('planId')),
          eq(byPlanIndex(s.lineageEvents.tenantId), p('tenantId')),
          eq(s.lineageEvents.type, p('type')),
        ),
      )
      .orderBy(desc(s.lineageEvents.id))
      .limit(1)
      .prepare();
    this.#planEvents = db
      .select({ body: s.lineageEvents.body })
      .from(s.lineageEvents)
      .where(
        and(
          eq(s.lineageEvents.planId, p('planId')),
          eq(byPlanIndex(s.lineageEvents.tenantId), p('tenantId')),
          eq(s.lineageEvents.type, p('type')),
        ),
      )
      .orderBy(s.lineageEvents.id)
      .prepare();
    // Through `lineage_chain` (tenant_id, plan_id, chain, seq): the last event of one chain.
    const head = { seq: e.seq, hash: e.hash };
    this.#planHead = db
      .select(head)
      .from(e)
      .where(and(eq(e.tenantId, p('tenantId')), eq(e.planId, p('planId')), eq(e.chain, 'plan')))
      .orderBy(desc(e.seq))
      .limit(1)
      .prepare();
    this.#tenantHead = db
      .select(head)
      .from(e)
      .where(and(eq(e.tenantId, p('tenantId')), isNull(e.planId), eq(e.chain, 'tenant')))
      .orderBy(desc(e.seq))
      .limit(1)
      .prepare();
  }

  putPayload(digest: string, kind: string, body: string, atMs: number): void {
    this.#putPayload.run({ digest, kind, body, createdAt: atMs });
  }

  getPayload(digest: string): string | undefined {
    return this.#getPayload.get({ digest })?.body;
  }

  /** The latest event of `type` of one plan (by `id`, through the `lineage_plan` index), or undefined. */
  lastPlanEvent(tenantId: string, planId: string, type: string): LineageEvent | undefined {
    const row = this.#lastPlanEvent.get({ tenantId, planId, type });
    return row ? (JSON.parse(row.body) as LineageEvent) : undefined;
  }

  /** Every event of `type` of one plan, in insertion order (through the `lineage_plan` index). */
  planEvents(tenantId: string, planId: string, type: string): LineageEvent[] {
    return this.#planEvents
      .all({ tenantId, planId, type })
      .map((row) => JSON.parse(row.body) as LineageEvent);
  }

  /** Forgets the cached chain heads, so the next append reads them from the database (see `SqliteTx`). */
  forgetChainHead(): void {
    this.#heads.clear();
  }

  /**
   * Appends drafts to their chains (each its plan's, or its tenant's for an event of no plan), in order. Each
   * chain's head is read inside this transaction, which also holds the state change the events record: the
   * only serialisation is that of the plan's own write; there is no global head.
   */
  append(drafts: readonly LineageDraft[]): LineageEvent[] {
    const out: LineageEvent[] = [];
    for (const draft of drafts) {
      const key = chainKey(draft);
      const [chained] = chainCanonical(this.#headOf(key, draft), [draft]);
      if (chained === undefined) continue;
      const { event, body } = chained;
      this.#insertEvent.run({ ...lineageColumns(event), body });
      if (this.#heads.size >= MAX_CACHED_HEADS) this.#heads.clear();
      this.#heads.set(key, { seq: event.seq, hash: event.hash });
      out.push(event);
    }
    return out;
  }

  /** The head of the chain `draft` joins: cached in this transaction, else read; empty for a new chain. */
  #headOf(key: string, draft: LineageDraft): ChainHead {
    const cached = this.#heads.get(key);
    if (cached) return cached;
    const found =
      chainOf(draft) === 'plan'
        ? this.#planHead.get({ tenantId: draft.tenantId, planId: draft.planId })
        : this.#tenantHead.get({ tenantId: draft.tenantId });
    return found ?? EMPTY_HEAD;
  }
}
