import type { LineageEvent, LineageEventType } from '@handoff/protocol';
import type Database from 'better-sqlite3';
import { and, asc, desc, eq, gte, inArray, lte } from 'drizzle-orm';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { GatewayError } from '../errors.js';
import * as schema from '../store/sqlite/schema.js';

/** A stored plan row, as the audit reads it. */
export type AuditPlanRow = typeof schema.plans.$inferSelect;
/** A stored approval row. */
export type AuditApprovalRow = typeof schema.approvals.$inferSelect;
/** A stored budget ledger line. */
export type AuditLedgerRow = typeof schema.budgetLedger.$inferSelect;
/** A stored outbox (dispatch) row. */
export type AuditDispatchRow = typeof schema.dispatches.$inferSelect;
/** A policy version the gateway applied. */
export type AuditPolicyRow = typeof schema.policyVersions.$inferSelect;

/**
 * Synchronous, read-only queries of a gateway's SQLite database for auditors (drizzle-orm over a better-sqlite3
 * connection): the plan, its documents, events, approvals, ledger and dispatches. Used by `traceLineage`, both
 * offline on a database file and in the running gateway (inside its store's serialised transaction).
 */
export class AuditReader {
  readonly #db: BetterSQLite3Database<typeof schema>;

  constructor(sqlite: Database.Database) {
    this.#db = drizzle(sqlite, { schema });
  }

  plan(planId: string): AuditPlanRow | undefined {
    return this.#db.select().from(schema.plans).where(eq(schema.plans.planId, planId)).get();
  }

  /** A stored document's text by digest (plans, policy sets, receipts, approval tokens). */
  payload(digest: string): string | undefined {
    return this.#db
      .select({ body: schema.payloads.body })
      .from(schema.payloads)
      .where(eq(schema.payloads.digest, digest))
      .get()?.body;
  }

  /** A stored document parsed, or `undefined` when absent or not JSON. */
  document<T>(digest: string): T | undefined {
    const text = this.payload(digest);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      return undefined;
    }
  }

  /** Every event of a plan, in `seq` order. */
  eventsOfPlan(planId: string): LineageEvent[] {
    const t = schema.lineageEvents;
    return this.#db
      .select({ body: t.body })
      .from(t)
      .where(eq(t.planId, planId))
      .orderBy(asc(t.seq))
      .all()
      .map((row) => parseEvent(row.body));
  }

  /**
   * A tenant's events of `types` with `seq` in `fromSeq..toSeq` (inclusive), in `seq` order: a range scan of the
   * `(tenant_id, seq)` index, so its cost is bounded by the range, not by the tenant's whole lineage.
   */
  tenantEvents(
    tenantId: string,
    types: readonly LineageEventType[],
    fromSeq: number,
    toSeq: number,
  ): LineageEvent[] {
    const t = schema.lineageEvents;
    return this.#db
      .select({ body: t.body })
      .from(t)
      .where(
        and(
          eq(t.tenantId, tenantId),
          gte(t.seq, fromSeq),
          lte(t.seq, toSeq),
          inArray(t.type, [...types]),
        ),
      )
      .orderBy(asc(t.seq))
      .all()
      .map((row) => parseEvent(row.body));
  }

  approvals(planId: string): AuditApprovalRow[] {
    return this.#db
      .select()
      .from(schema.approvals)
      .where(eq(schema.approvals.planId, planId))
      .orderBy(asc(schema.approvals.receivedAt), asc(schema.approvals.approver))
      .all();
  }

  ledger(planId: string): AuditLedgerRow[] {
    return this.#db
      .select()
      .from(schema.budgetLedger)
      .where(eq(schema.budgetLedger.planId, planId))
      .orderBy(asc(schema.budgetLedger.id))
      .all();
  }

  dispatches(planId: string): AuditDispatchRow[] {
    return this.#db
      .select()
      .from(schema.dispatches)
      .where(eq(schema.dispatches.planId, planId))
      .orderBy(asc(schema.dispatches.actionIndex))
      .all();
  }

  /**
   * Outbox rows by idempotency key, or by action id (ids are unique within a plan, not across plans): of
   * `planId` when given, else of the most recent plan with that action id; of one tenant when `tenantId` is
   * given. In action order.
   */
  findDispatches(
    by: { idempotencyKey: string } | { actionId: string; planId?: string },
    tenantId: string | undefined,
  ): AuditDispatchRow[] {
    const d = schema.dispatches;
    const where = [
      'idempotencyKey' in by
        ? eq(d.idempotencyKey, by.idempotencyKey)
        : eq(d.actionId, by.actionId),
      ...(tenantId === undefined ? [] : [eq(d.tenantId, tenantId)]),
    ];
    const planId =
      'planId' in by && by.planId !== undefined
        ? by.planId
        : this.#db
            .select({ planId: d.planId })
            .from(d)
            .where(and(...where))
            .orderBy(desc(d.createdAt), desc(d.planId))
            .limit(1)
            .get()?.planId;
    if (planId === undefined) return [];
    return this.#db
      .select()
      .from(d)
      .where(and(...where, eq(d.planId, planId)))
      .orderBy(asc(d.actionIndex))
      .all();
  }

  policy(digest: string): AuditPolicyRow | undefined {
    return this.#db
      .select()
      .from(schema.policyVersions)
      .where(eq(schema.policyVersions.digest, digest))
      .get();
  }
}

/** A stored event body. @throws GatewayError `INTERNAL` when it is not JSON (run `handoff lineage verify`). */
function parseEvent(body: string): LineageEvent {
  try {
    return JSON.parse(body) as LineageEvent;
  } catch {
    throw new GatewayError('INTERNAL', 'A stored lineage event is not JSON: verify the lineage');
  }
}
