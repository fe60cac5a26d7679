import type { LineageEvent } from '@handoff/protocol';
import { and, desc, eq, inArray, lt, lte, or, sql, sum } from 'drizzle-orm';
import type { PlanState } from '../../plan-state.js';
import { type ChainHead, chainCanonical, EMPTY_HEAD, lineageColumns } from '../lineage-chain.js';
import type {
  ApprovalRecord,
  ApproverKeyRecord,
  ControlRecord,
  ControlScope,
  KeyPurpose,
  LedgerLine,
  LineageDraft,
  OutboxPatch,
  OutboxRow,
  OutboxStatus,
  PlanFilter,
  PlanPatch,
  PlanRecord,
  StoredCap,
  StoreTx,
} from '../store.js';
import { PreparedByShape } from './prepared-by-shape.js';
import * as s from './schema.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import type { SqliteDb } from './sqlite-store.js';

type PlanRow = typeof s.plans.$inferSelect;
type LedgerRow = typeof s.budgetLedger.$inferSelect;
type ApproverKeyRow = typeof s.approverKeys.$inferSelect;

function toApproverKey(row: ApproverKeyRow): ApproverKeyRecord {
  return {
    ...row,
    roles: JSON.parse(row.roles) as string[],
    status: row.status as ApproverKeyRecord['status'],
  };
}

function toPlan(row: PlanRow): PlanRecord {
  return { ...row, state: row.state as PlanState, pausedFrom: row.pausedFrom as PlanState | null };
}

function toLedger(row: LedgerRow): LedgerLine {
  const { id: _id, ...rest } = row;
  return { ...rest, status: row.status as LedgerLine['status'] };
}

/**
 * The statements of one SQLite transaction. better-sqlite3 runs them synchronously; the methods are async to
 * honour the dialect-neutral {@link StoreTx}. Hot paths use prepared statements.
 */
export class SqliteTx implements StoreTx {
  readonly #db: SqliteDb;
  readonly #planById;
  readonly #chainHead;
  readonly #extendReservations;
  readonly #settleLedger;
  readonly #committed;
  readonly #reserved;
  readonly #outbox: SqliteOutbox;
  readonly #insertEvent;
  readonly #putPayload;
  readonly #getPayload;
  readonly #shapes: PreparedByShape;
  readonly #ledgerForPlan;
  readonly #approvalsForPlan;
  readonly #useToken;
  readonly #capsOf;
  readonly #controlsOf;
  readonly #rememberPolicy;
  readonly #approverKeyByKid;
  /** The chain head as this transaction left it; undefined until read (see {@link forgetChainHead}). */
  #head: ChainHead | undefined;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#shapes = new PreparedByShape(db);
    this.#outbox = new SqliteOutbox(db, this.#shapes);
    const e = s.lineageEvents;
    const p = sql.placeholder;
    this.#ledgerForPlan = db
      .select()
      .from(s.budgetLedger)
      .where(
        and(eq(s.budgetLedger.tenantId, p('tenantId')), eq(s.budgetLedger.planId, p('planId'))),
      )
      .prepare();
    this.#approvalsForPlan = db
      .select()
      .from(s.approvals)
      .where(and(eq(s.approvals.tenantId, p('tenantId')), eq(s.approvals.planId, p('planId'))))
      .prepare();
    this.#approverKeyByKid = db
      .select()
      .from(s.approverKeys)
      .where(eq(s.approverKeys.kid, p('kid')))
      .prepare();
    this.#useToken = db
      .insert(s.usedTokens)
      .values({ jti: p('jti'), planId: p('planId'), usedAt: p('usedAt') })
      .onConflictDoNothing()
      .prepare();
    this.#capsOf = db
      .select()
      .from(s.budgetCaps)
      .where(eq(s.budgetCaps.tenantId, p('tenantId')))
      .prepare();
    this.#controlsOf = db
      .select()
      .from(s.controls)
      .where(eq(s.controls.tenantId, p('tenantId')))
      .prepare();
    this.#rememberPolicy = db
      .insert(s.policyVersions)
      .values({
        digest: p('digest'),
        policySetId: p('policySetId'),
        label: p('label'),
        activatedAt: p('activatedAt'),
      })
      .onConflictDoNothing()
      .prepare();
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
    this.#planById = db
      .select()
      .from(s.plans)
      .where(and(eq(s.plans.tenantId, p('tenantId')), eq(s.plans.planId, p('planId'))))
      .prepare();
    this.#chainHead = db
      .select({ seq: s.lineageEvents.seq, hash: s.lineageEvents.hash })
      .from(s.lineageEvents)
      .orderBy(desc(s.lineageEvents.seq))
      .limit(1)
      .prepare();
    const l = s.budgetLedger;
    const u = s.budgetUsage;
    const reservedOf = and(
      eq(l.tenantId, p('tenantId')),
      eq(l.planId, p('planId')),
      eq(l.status, 'reserved'),
    );
    this.#extendReservations = db
      .update(l)
      .set({ expiresAt: sql`${p('expiresAt')}`, updatedAt: sql`${p('atMs')}` })
      .where(reservedOf)
      .prepare();
    this.#settleLedger = db
      .update(l)
      .set({ status: sql`${p('status')}`, expiresAt: null, updatedAt: sql`${p('atMs')}` })
      .where(reservedOf)
      .returning()
      .prepare();
    // Committed: one row kept by triggers. Reserved: the period's reservations (few: plans in flight). A reserved
    // line counts until its plan releases or commits it, whatever its `expires_at`: a plan still dispatching (or
    // retrying, or paused mid-dispatch) past its expiry can still spend, so its hold never lapses by time.
    this.#committed = db
      .select({ total: u.committedMinor })
      .from(u)
      .where(
        and(
          eq(u.tenantId, p('tenantId')),
          eq(u.capId, p('capId')),
          eq(u.periodKey, p('periodKey')),
        ),
      )
      .prepare();
    this.#reserved = db
      .select({ total: sum(l.amountMinor) })
      .from(l)
      .where(
        and(
          eq(l.tenantId, p('tenantId')),
          eq(l.capId, p('capId')),
          eq(l.periodKey, p('periodKey')),
          eq(l.status, 'reserved'),
        ),
      )
      .prepare();
  }

  async getPlan(tenantId: string, planId: string): Promise<PlanRecord | undefined> {
    const row = this.#planById.get({ tenantId, planId });
    return row ? toPlan(row) : undefined;
  }

  async insertPlan(record: PlanRecord): Promise<void> {
    this.#shapes.insert(s.plans, 'plans', record);
  }

  async updatePlan(
    tenantId: string,
    planId: string,
    expectedState: PlanState,
    patch: PlanPatch,
  ): Promise<boolean> {
    const p = s.plans;
    const changes = this.#shapes.update(
      p,
      'plans',
      patch,
      (where) =>
        and(
          eq(p.tenantId, where('tenantId')),
          eq(p.planId, where('planId')),
          eq(p.state, where('state')),
        ),
      { tenantId, planId, state: expectedState },
    );
    return changes === 1;
  }

  async listPlans(filter: PlanFilter): Promise<PlanRecord[]> {
    const p = s.plans;
    const where = [eq(p.tenantId, filter.tenantId)];
    if (filter.states && filter.states.length > 0) where.push(inArray(p.state, [...filter.states]));
    if (filter.submittedBy !== undefined) where.push(eq(p.submittedBy, filter.submittedBy));
    if (filter.workflowId !== undefined) where.push(eq(p.workflowId, filter.workflowId));
    const before = filter.before;
    if (before) {
      const older = or(
        lt(p.receivedAt, before.receivedAt),
        and(eq(p.receivedAt, before.receivedAt), lt(p.planId, before.planId)),
      );
      if (older) where.push(older);
    }
    const rows = this.#db
      .select()
      .from(p)
      .where(and(...where))
      .orderBy(desc(p.receivedAt), desc(p.planId))
      .limit(filter.limit)
      .all();
    return rows.map(toPlan);
  }

  async plansDue(
    field: 'approvalDeadline' | 'expiresAt',
    states: readonly PlanState[],
    atMs: number,
  ): Promise<PlanRecord[]> {
    const p = s.plans;
    const rows = this.#db
      .select()
      .from(p)
      .where(and(inArray(p.state, [...states]), lte(p[field], atMs)))
      .all();
    return rows.map(toPlan);
  }

  async putPayload(digest: string, kind: string, body: string, atMs: number): Promise<void> {
    this.#putPayload.run({ digest, kind, body, createdAt: atMs });
  }

  async getPayload(digest: string): Promise<string | undefined> {
    return this.#getPayload.get({ digest })?.body;
  }

  /**
   * Forgets the cached chain head, so the next append reads it from the database: called when a SQLite
   * transaction begins (another connection may have appended since) and after any rollback (the cached head may
   * be an event that no longer exists).
   */
  forgetChainHead(): void {
    this.#head = undefined;
  }

  async appendLineage(drafts: readonly LineageDraft[]): Promise<LineageEvent[]> {
    const head = this.#head ?? this.#chainHead.get() ?? EMPTY_HEAD;
    const chained = chainCanonical(head, drafts);
    for (const { event: e, body } of chained) {
      this.#insertEvent.run({ ...lineageColumns(e), body });
    }
    const last = chained.at(-1)?.event;
    if (last) this.#head = { seq: last.seq, hash: last.hash };
    return chained.map((c) => c.event);
  }

  async getCaps(tenantId: string): Promise<StoredCap[]> {
    const rows = this.#capsOf.all({ tenantId });
    return rows.map(({ updatedAt: _u, ...cap }) => ({
      ...cap,
      scopeType: cap.scopeType as StoredCap['scopeType'],
      period: cap.period as StoredCap['period'],
    }));
  }

  async replaceCaps(tenantId: string, caps: readonly StoredCap[], atMs: number): Promise<void> {
    this.#db.delete(s.budgetCaps).where(eq(s.budgetCaps.tenantId, tenantId)).run();
    if (caps.length > 0) {
      this.#db
        .insert(s.budgetCaps)
        .values(caps.map((cap) => ({ ...cap, updatedAt: atMs })))
        .run();
    }
  }

  async usedBudget(
    tenantId: string,
    capId: string,
    periodKey: string,
    _atMs: number,
  ): Promise<bigint> {
    const committed = this.#committed.get({ tenantId, capId, periodKey });
    const reserved = this.#reserved.get({ tenantId, capId, periodKey });
    return BigInt(committed?.total ?? 0) + BigInt(reserved?.total ?? 0);
  }

  async insertLedger(lines: readonly LedgerLine[]): Promise<void> {
    for (const line of lines) this.#shapes.insert(s.budgetLedger, 'ledger', line);
  }

  async ledgerForPlan(tenantId: string, planId: string): Promise<LedgerLine[]> {
    return this.#ledgerForPlan.all({ tenantId, planId }).map(toLedger);
  }

  async extendReservations(
    tenantId: string,
    planId: string,
    expiresAt: number,
    atMs: number,
  ): Promise<void> {
    this.#extendReservations.run({ tenantId, planId, expiresAt, atMs });
  }

  async settleLedger(
    tenantId: string,
    planId: string,
    status: 'committed' | 'released',
    atMs: number,
  ): Promise<LedgerLine[]> {
    return this.#settleLedger.all({ tenantId, planId, status, atMs }).map(toLedger);
  }

  async useToken(jti: string, planId: string, atMs: number): Promise<boolean> {
    return this.#useToken.run({ jti, planId, usedAt: atMs }).changes === 1;
  }

  async insertApproval(record: ApprovalRecord): Promise<void> {
    this.#shapes.insert(s.approvals, 'approvals', record);
  }

  async approvalsForPlan(tenantId: string, planId: string): Promise<ApprovalRecord[]> {
    const rows = this.#approvalsForPlan.all({ tenantId, planId });
    return rows.map((row) => ({ ...row, decision: row.decision as ApprovalRecord['decision'] }));
  }

  async getKey(purpose: KeyPurpose, kid: string): Promise<string | undefined> {
    const k = s.keys;
    const row = this.#db
      .select({ jwk: k.jwk })
      .from(k)
      .where(and(eq(k.purpose, purpose), eq(k.kid, kid)))
      .get();
    return row?.jwk;
  }

  async rememberKey(purpose: KeyPurpose, kid: string, jwk: string, atMs: number): Promise<void> {
    this.#db
      .insert(s.keys)
      .values({ purpose, kid, jwk, firstSeenAt: atMs })
      .onConflictDoNothing()
      .run();
  }

  async getApproverKey(kid: string): Promise<ApproverKeyRecord | undefined> {
    const row = this.#approverKeyByKid.get({ kid });
    return row ? toApproverKey(row) : undefined;
  }

  async listApproverKeys(tenantId: string): Promise<ApproverKeyRecord[]> {
    const a = s.approverKeys;
    const rows = this.#db
      .select()
      .from(a)
      .where(eq(a.tenantId, tenantId))
      .orderBy(a.subject, a.kid)
      .all();
    return rows.map(toApproverKey);
  }

  async insertApproverKey(record: ApproverKeyRecord): Promise<boolean> {
    const result = this.#db
      .insert(s.approverKeys)
      .values({ ...record, roles: JSON.stringify(record.roles) })
      .onConflictDoNothing()
      .run();
    return result.changes > 0;
  }

  async revokeApproverKey(
    kid: string,
    revokedBy: string,
    reason: string,
    atMs: number,
  ): Promise<boolean> {
    const a = s.approverKeys;
    const result = this.#db
      .update(a)
      .set({ status: 'revoked', revokedAt: atMs, revokedBy, reason })
      .where(and(eq(a.kid, kid), eq(a.status, 'active')))
      .run();
    return result.changes > 0;
  }

  async rememberPolicy(
    digest: string,
    policySetId: string,
    label: string,
    atMs: number,
  ): Promise<void> {
    this.#rememberPolicy.run({ digest, policySetId, label, activatedAt: atMs });
  }

  async listControls(tenantId: string): Promise<ControlRecord[]> {
    const rows = this.#controlsOf.all({ tenantId });
    return rows.map((row) => ({ ...row, scopeType: row.scopeType as ControlScope }));
  }

  async putControl(record: ControlRecord): Promise<void> {
    this.#db
      .insert(s.controls)
      .values(record)
      .onConflictDoUpdate({
        target: [s.controls.tenantId, s.controls.scopeType, s.controls.scopeValue],
        set: { reason: record.reason, pausedBy: record.pausedBy, pausedAt: record.pausedAt },
      })
      .run();
  }

  async deleteControl(
    tenantId: string,
    scopeType: ControlScope,
    scopeValue: string,
  ): Promise<boolean> {
    const c = s.controls;
    const result = this.#db
      .delete(c)
      .where(
        and(eq(c.tenantId, tenantId), eq(c.scopeType, scopeType), eq(c.scopeValue, scopeValue)),
      )
      .run();
    return result.changes > 0;
  }

  async insertOutbox(rows: readonly OutboxRow[]): Promise<void> {
    this.#outbox.insert(rows);
  }

  async outboxForPlan(tenantId: string, planId: string): Promise<OutboxRow[]> {
    return this.#outbox.forPlan(tenantId, planId);
  }

  async getOutbox(idempotencyKey: string): Promise<OutboxRow | undefined> {
    return this.#outbox.get(idempotencyKey);
  }

  async dueOutbox(atMs: number, limit: number): Promise<OutboxRow[]> {
    return this.#outbox.due(atMs, limit);
  }

  async outboxByStatus(
    statuses: readonly OutboxStatus[],
    limit: number,
    tenantId?: string,
  ): Promise<OutboxRow[]> {
    return this.#outbox.byStatus(statuses, limit, tenantId);
  }

  async updateOutbox(
    idempotencyKey: string,
    expected: OutboxStatus,
    patch: OutboxPatch,
  ): Promise<boolean> {
    return this.#outbox.update(idempotencyKey, expected, patch);
  }
}
