import type { LineageEvent, LineageEventType } from '@handoff/protocol';
import type Database from 'better-sqlite3';
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { GatewayError } from '../../errors.js';
import type { AuditReads, OutboxLookup, PolicyVersionRecord } from '../audit-reads.js';
import { type StoredOutboxRow, toOutbox } from '../outbox-rows.js';
import type {
  ApprovalRecord,
  LedgerLine,
  OutboxRow,
  PlanRecord,
  PositionedEvent,
} from '../store.js';
import * as schema from './schema.js';

/**
 * The trace's reads ({@link AuditReads}) on SQLite: each query prepared once per connection, its columns selected
 * under the schema's field names (`plan_id as "planId"`), so a trace allocates little beyond its rows (building
 * each query through drizzle on every call made most of a trace's garbage, and its young-generation collections
 * the tail of its latency). Synchronous underneath: the store runs a `readAudit` in its queue, so the reads of one
 * trace see one committed state.
 */
export class SqliteAuditReads implements AuditReads {
  readonly #sqlite: Database.Database;
  readonly #plans: Database.Statement;
  readonly #payload: Database.Statement;
  readonly #eventsOfPlan: Database.Statement;
  readonly #approvals: Database.Statement;
  readonly #ledger: Database.Statement;
  readonly #outbox: Database.Statement;
  readonly #policy: Database.Statement;
  /** Tenant event queries by number of types. */
  readonly #tenantEvents = new Map<number, Database.Statement>();

  constructor(sqlite: Database.Database) {
    this.#sqlite = sqlite;
    // Plan ids are per tenant (key `(tenant_id, plan_id)`): every per-plan query names both.
    this.#plans = sqlite.prepare(`${selectAll(schema.plans)} where plan_id = ? order by tenant_id`);
    this.#payload = sqlite.prepare('select body from payloads where digest = ?').pluck();
    // `lineage_plan` (plan_id, then the implicit id) gives the plan's few rows in id order; left to itself SQLite
    // took `lineage_tenant` for the `order by id` and read every event of the tenant (O(n) per trace).
    this.#eventsOfPlan = sqlite
      .prepare(
        `select id, body from lineage_events indexed by lineage_plan where plan_id = ? and tenant_id = ?
         order by id`,
      )
      .raw();
    this.#approvals = sqlite.prepare(
      `${selectAll(schema.approvals)} where plan_id = ? and tenant_id = ? order by received_at, approver`,
    );
    this.#ledger = sqlite.prepare(
      `${selectAll(schema.budgetLedger, ['id'])} where plan_id = ? and tenant_id = ? order by id`,
    );
    this.#outbox = sqlite.prepare(
      `${selectAll(schema.dispatches)} where plan_id = ? and tenant_id = ? order by action_index`,
    );
    this.#policy = sqlite.prepare(`${selectAll(schema.policyVersions)} where digest = ?`);
  }

  async plansWithId(planId: string): Promise<PlanRecord[]> {
    return this.#plans.all(planId) as PlanRecord[];
  }

  async payload(digest: string): Promise<string | undefined> {
    return this.#payload.get(digest) as string | undefined;
  }

  async eventsOfPlan(tenantId: string, planId: string): Promise<PositionedEvent[]> {
    return (this.#eventsOfPlan.all(planId, tenantId) as [number, string][]).map(([id, body]) => ({
      position: id,
      event: parseEvent(body),
    }));
  }

  /** A range scan of the `(tenant_id)` index, whose entries are ordered by rowid (`id`, the position). */
  async tenantEvents(
    tenantId: string,
    types: readonly LineageEventType[],
    fromPosition: number,
    toPosition: number,
  ): Promise<LineageEvent[]> {
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
    return (statement.all(tenantId, fromPosition, toPosition, ...types) as string[]).map(
      parseEvent,
    );
  }

  async approvalsOfPlan(tenantId: string, planId: string): Promise<ApprovalRecord[]> {
    return this.#approvals.all(planId, tenantId) as ApprovalRecord[];
  }

  async ledgerOfPlan(tenantId: string, planId: string): Promise<LedgerLine[]> {
    return this.#ledger.all(planId, tenantId) as LedgerLine[];
  }

  async outboxOfPlan(tenantId: string, planId: string): Promise<OutboxRow[]> {
    return (this.#outbox.all(planId, tenantId) as StoredOutboxRow[]).map(toOutbox);
  }

  async findOutbox(by: OutboxLookup, tenantId: string | undefined): Promise<OutboxRow[]> {
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
    const rows = this.#sqlite
      .prepare(
        `${selectAll(schema.dispatches)} where ${column} = ? and tenant_id = ? and plan_id = ?
         order by action_index`,
      )
      .all(value, plan.tenantId, plan.planId) as StoredOutboxRow[];
    return rows.map(toOutbox);
  }

  async policyVersion(digest: string): Promise<PolicyVersionRecord | undefined> {
    return this.#policy.get(digest) as PolicyVersionRecord | undefined;
  }
}

/** `select <column> as "<field>", ... from <table>` of every column of a drizzle table but `omit`. */
function selectAll(table: SQLiteTable, omit: readonly string[] = []): string {
  const columns = Object.entries(getTableColumns(table))
    .filter(([field]) => !omit.includes(field))
    .map(([field, column]) => `"${column.name}" as "${field}"`);
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
