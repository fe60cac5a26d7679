import type { LineageEvent, LineageEventType } from '@handoff/protocol';
import type Database from 'better-sqlite3';
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { GatewayError } from '../errors.js';
import * as schema from '../store/sqlite/schema.js';
import { documentMatchesDigest } from '../store/stored-document.js';

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
 * Synchronous, read-only queries of a gateway's SQLite database for auditors (better-sqlite3, rows typed by the
 * drizzle schema): the plan, its documents, events, approvals, ledger and dispatches. Used by `traceLineage`, both
 * offline on a database file and in the running gateway (inside its store's serialised transaction).
 *
 * Each query is prepared once per reader, its columns selected under the schema's field names (`plan_id as
 * planId`), so a row is exactly what drizzle's `select()` returns; a trace then allocates little beyond its rows
 * (building and preparing each query through drizzle on every call made most of a trace's garbage, and its
 * young-generation collections the tail of its latency).
 */
export class AuditReader {
  readonly #sqlite: Database.Database;
  readonly #plan: Database.Statement;
  readonly #payload: Database.Statement;
  readonly #eventsOfPlan: Database.Statement;
  readonly #approvals: Database.Statement;
  readonly #ledger: Database.Statement;
  readonly #dispatches: Database.Statement;
  readonly #policy: Database.Statement;
  /** Tenant event queries by number of types. */
  readonly #tenantEvents = new Map<number, Database.Statement>();
  readonly #idSpanOfPlan: Database.Statement;

  constructor(sqlite: Database.Database) {
    this.#sqlite = sqlite;
    // Plan ids are per tenant (key `(tenant_id, plan_id)`): every per-plan query names both.
    this.#plan = sqlite.prepare(`${selectAll(schema.plans)} where plan_id = ? order by tenant_id`);
    this.#payload = sqlite.prepare('select body from payloads where digest = ?').pluck();
    // `lineage_plan` (plan_id, then the implicit id) gives the plan's few rows in id order; left to itself SQLite
    // took `lineage_tenant` for the `order by id` and read every event of the tenant (O(n) per trace).
    this.#eventsOfPlan = sqlite
      .prepare(
        `select body from lineage_events indexed by lineage_plan where plan_id = ? and tenant_id = ?
         order by id`,
      )
      .pluck();
    this.#idSpanOfPlan = sqlite.prepare(
      'select min(id) "from", max(id) "to" from lineage_events where plan_id = ? and tenant_id = ?',
    );
    this.#approvals = sqlite.prepare(
      `${selectAll(schema.approvals)} where plan_id = ? and tenant_id = ? order by received_at, approver`,
    );
    this.#ledger = sqlite.prepare(
      `${selectAll(schema.budgetLedger)} where plan_id = ? and tenant_id = ? order by id`,
    );
    this.#dispatches = sqlite.prepare(
      `${selectAll(schema.dispatches)} where plan_id = ? and tenant_id = ? order by action_index`,
    );
    this.#policy = sqlite.prepare(`${selectAll(schema.policyVersions)} where digest = ?`);
  }

  /**
   * The plan `planId` of `tenantId`; with no tenant (an operator's offline read), the one plan of that id.
   *
   * @throws GatewayError `VALIDATION_FAILED` when no tenant is given and several tenants use the id (plan ids are
   *   per tenant): the message asks for the tenant.
   */
  plan(tenantId: string | undefined, planId: string): AuditPlanRow | undefined {
    const rows = this.#plan.all(planId) as AuditPlanRow[];
    if (tenantId !== undefined) return rows.find((row) => row.tenantId === tenantId);
    if (rows.length > 1) {
      throw new GatewayError(
        'VALIDATION_FAILED',
        `Plan id ${planId} is used in ${rows.length} tenants: name the tenant`,
        { issues: [{ path: '/tenantId', code: 'REQUIRED', message: 'Plan ids are per tenant' }] },
      );
    }
    return rows[0];
  }

  /** A stored document's text by digest (plans, policy sets, receipts, approval tokens). */
  payload(digest: string): string | undefined {
    return this.#payload.get(digest) as string | undefined;
  }

  /**
   * A stored document parsed, after re-hashing it against its digest (`documentMatchesDigest`), or `undefined`
   * when absent or not JSON.
   *
   * @throws GatewayError `INTERNAL` when it does not hash to `digest`: it was altered in the database, and is
   *   never shown as if it were the document the lineage names.
   */
  document<T>(digest: string): T | undefined {
    const text = this.payload(digest);
    if (text === undefined) return undefined;
    if (!documentMatchesDigest(digest, text)) {
      throw new GatewayError(
        'INTERNAL',
        `The stored document ${digest} does not hash to its digest: it was altered (run \`handoff lineage verify\`)`,
      );
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      return undefined;
    }
  }

  /**
   * Every event of a plan, in insertion (`id`) order: its chain's `seq` order, and for a migrated plan its format-1
   * events (global `seq`) before its format-2 ones (whose `seq` restarts at 1).
   */
  eventsOfPlan(tenantId: string, planId: string): LineageEvent[] {
    return (this.#eventsOfPlan.all(planId, tenantId) as string[]).map(parseEvent);
  }

  /** The `id`s (insertion order) of a plan's first and last events; `{ from: 0, to: 0 }` for none. */
  idSpanOfPlan(tenantId: string, planId: string): { from: number; to: number } {
    const row = this.#idSpanOfPlan.get(planId, tenantId) as {
      from: number | null;
      to: number | null;
    };
    return { from: row.from ?? 0, to: row.to ?? 0 };
  }

  /**
   * A tenant's events of `types` with `id` in `fromId..toId` (inclusive; `id` is insertion order across every
   * chain, unlike `seq`, which counts in one chain), in `id` order: a range scan of the `(tenant_id)` index (whose
   * entries are ordered by rowid, i.e. `id`), so its cost is bounded by the range, not the tenant's lineage.
   */
  tenantEvents(
    tenantId: string,
    types: readonly LineageEventType[],
    fromId: number,
    toId: number,
  ): LineageEvent[] {
    if (types.length === 0) return [];
    let statement = this.#tenantEvents.get(types.length);
    if (statement === undefined) {
      statement = this.#sqlite
        .prepare(
          `select body from lineage_events where tenant_id = ? and id >= ? and id <= ?
           and type in (${types.map(() => '?').join(', ')}) order by id`,
        )
        .pluck();
      this.#tenantEvents.set(types.length, statement);
    }
    return (statement.all(tenantId, fromId, toId, ...types) as string[]).map(parseEvent);
  }

  approvals(tenantId: string, planId: string): AuditApprovalRow[] {
    return this.#approvals.all(planId, tenantId) as AuditApprovalRow[];
  }

  ledger(tenantId: string, planId: string): AuditLedgerRow[] {
    return this.#ledger.all(planId, tenantId) as AuditLedgerRow[];
  }

  dispatches(tenantId: string, planId: string): AuditDispatchRow[] {
    return this.#dispatches.all(planId, tenantId) as AuditDispatchRow[];
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
    const [column, value] =
      'idempotencyKey' in by ? ['idempotency_key', by.idempotencyKey] : ['action_id', by.actionId];
    const where = [`${column} = ?`];
    const params = [value];
    if (tenantId !== undefined) {
      where.push('tenant_id = ?');
      params.push(tenantId);
    }
    if ('planId' in by && by.planId !== undefined) {
      where.push('plan_id = ?');
      params.push(by.planId);
    }
    // The plan (tenant and id: plan ids are per tenant) of the most recent matching row, then its rows.
    const plan = this.#sqlite
      .prepare(
        `select tenant_id as tenantId, plan_id as planId from dispatches where ${where.join(' and ')}
         order by created_at desc, plan_id desc limit 1`,
      )
      .get(...params) as { tenantId: string; planId: string } | undefined;
    if (plan === undefined) return [];
    return this.#sqlite
      .prepare(
        `${selectAll(schema.dispatches)} where ${column} = ? and tenant_id = ? and plan_id = ?
         order by action_index`,
      )
      .all(value, plan.tenantId, plan.planId) as AuditDispatchRow[];
  }

  policy(digest: string): AuditPolicyRow | undefined {
    return this.#policy.get(digest) as AuditPolicyRow | undefined;
  }
}

/** `select <column> as "<field>", ... from <table>` of every column of a drizzle table. */
function selectAll(table: SQLiteTable): string {
  const columns = Object.entries(getTableColumns(table)).map(
    ([field, column]) => `"${column.name}" as "${field}"`,
  );
  return `select ${columns.join(', ')} from "${getTableName(table)}"`;
}

/** A stored event body. @throws GatewayError `INTERNAL` when it is not JSON (run `handoff lineage verify`). */
function parseEvent(body: string): LineageEvent {
  try {
    return JSON.parse(body) as LineageEvent;
  } catch {
    throw new GatewayError('INTERNAL', 'A stored lineage event is not JSON: verify the lineage');
  }
}
