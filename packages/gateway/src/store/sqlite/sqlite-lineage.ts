import type { LineageEvent } from '@handoff/protocol';
import { and, desc, eq, sql } from 'drizzle-orm';
import { type ChainHead, chainCanonical, EMPTY_HEAD, lineageColumns } from '../lineage-chain.js';
import type { LineageDraft } from '../store.js';
import * as s from './schema.js';
import type { SqliteDb } from './sqlite-tx.js';

/**
 * The lineage statements of a SQLite transaction: appending to the hash chain (the `lineage_events` table, see
 * `lineage-chain.ts`) and the documents its events reference by digest (the `payloads` table). Kept apart from
 * the rest of {@link SqliteTx} so that each file holds one concept. Every statement is prepared once, in the
 * constructor; times are epoch milliseconds.
 */
export class SqliteLineage {
  readonly #chainHead;
  readonly #insertEvent;
  readonly #putPayload;
  readonly #getPayload;
  readonly #lastPlanEvent;
  readonly #planEvents;
  /** The chain head as this transaction left it; undefined until read (see {@link forgetChainHead}). */
  #head: ChainHead | undefined;

  constructor(db: SqliteDb) {
    const e = s.lineageEvents;
    const p = sql.placeholder;
    this.#insertEvent = db
      .insert(e)
      .values({
        seq: p('seq'),
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
          eq(s.lineageEvents.tenantId, p('tenantId')),
          eq(s.lineageEvents.type, p('type')),
        ),
      )
      .orderBy(desc(s.lineageEvents.seq))
      .limit(1)
      .prepare();
    this.#planEvents = db
      .select({ body: s.lineageEvents.body })
      .from(s.lineageEvents)
      .where(
        and(
          eq(s.lineageEvents.planId, p('planId')),
          eq(s.lineageEvents.tenantId, p('tenantId')),
          eq(s.lineageEvents.type, p('type')),
        ),
      )
      .orderBy(s.lineageEvents.seq)
      .prepare();
    this.#chainHead = db
      .select({ seq: s.lineageEvents.seq, hash: s.lineageEvents.hash })
      .from(s.lineageEvents)
      .orderBy(desc(s.lineageEvents.seq))
      .limit(1)
      .prepare();
  }

  putPayload(digest: string, kind: string, body: string, atMs: number): void {
    this.#putPayload.run({ digest, kind, body, createdAt: atMs });
  }

  getPayload(digest: string): string | undefined {
    return this.#getPayload.get({ digest })?.body;
  }

  /** The latest event of `type` of one plan (by `seq`, through the `lineage_plan` index), or undefined. */
  lastPlanEvent(tenantId: string, planId: string, type: string): LineageEvent | undefined {
    const row = this.#lastPlanEvent.get({ tenantId, planId, type });
    return row ? (JSON.parse(row.body) as LineageEvent) : undefined;
  }

  /** Every event of `type` of one plan, in `seq` order (through the `lineage_plan` index). */
  planEvents(tenantId: string, planId: string, type: string): LineageEvent[] {
    return this.#planEvents
      .all({ tenantId, planId, type })
      .map((row) => JSON.parse(row.body) as LineageEvent);
  }

  /** Forgets the cached chain head, so the next append reads it from the database (see `SqliteTx`). */
  forgetChainHead(): void {
    this.#head = undefined;
  }

  append(drafts: readonly LineageDraft[]): LineageEvent[] {
    const head = this.#head ?? this.#chainHead.get() ?? EMPTY_HEAD;
    const chained = chainCanonical(head, drafts);
    for (const { event: e, body } of chained) {
      this.#insertEvent.run({ ...lineageColumns(e), body });
    }
    const last = chained.at(-1)?.event;
    if (last) this.#head = { seq: last.seq, hash: last.hash };
    return chained.map((c) => c.event);
  }
}
