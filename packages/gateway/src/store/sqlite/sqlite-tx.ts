import type { LineageEvent, LineageEventType } from '@handoff/protocol';
import type Database from 'better-sqlite3';
import { and, eq, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { ATTR, inSpanSync } from '../../observability/tracing.js';
import type { PlanState } from '../../plan-state.js';
import type { ApproverKeyRecord } from '../approver-keys.js';
import type { ConsoleSessionRecord } from '../console-sessions.js';
import type { LogEntry, TreeHeadRecord, UnsequencedEvent } from '../lineage-log.js';
import type { ClaimOutboxRequest } from '../outbox-leases.js';
import type {
  ApprovalRecord,
  ControlRecord,
  ControlScope,
  KeyPurpose,
  LedgerLine,
  LineageDraft,
  OutboxExpectation,
  OutboxPatch,
  OutboxRow,
  OutboxStatus,
  PlanFilter,
  PlanPatch,
  PlanRecord,
  SendRecord,
  StoredCap,
  StoreTx,
} from '../store.js';
import type { WebauthnChallengePurpose, WebauthnChallengeRecord } from '../webauthn-challenges.js';
import { PreparedByShape } from './prepared-by-shape.js';
import * as s from './schema.js';
import { SqliteApproverKeys } from './sqlite-approver-keys.js';
import { SqliteBudget } from './sqlite-budget.js';
import { SqliteConsoleSessions } from './sqlite-console-sessions.js';
import { SqliteLineage } from './sqlite-lineage.js';
import { SqliteLineageLog } from './sqlite-lineage-log.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import { SqlitePasskeys } from './sqlite-passkeys.js';
import { SqlitePlans } from './sqlite-plans.js';
import { SqliteSends } from './sqlite-sends.js';
import { SqliteWebauthnChallenges } from './sqlite-webauthn-challenges.js';

/** The drizzle database type of the SQLite store (internal: no public type mentions drizzle). */
export type SqliteDb = BetterSQLite3Database<typeof s>;

/**
 * The statements of one SQLite transaction. better-sqlite3 runs them synchronously; the methods are async to
 * honour the dialect-neutral {@link StoreTx}. Hot paths use prepared statements. Plans, lineage, budget, the
 * approver registry and the outbox have their own modules (`sqlite-plans.ts`, ...), built once with this one.
 */
export class SqliteTx implements StoreTx {
  readonly #db: SqliteDb;
  readonly #plans: SqlitePlans;
  readonly #lineage: SqliteLineage;
  readonly #log: SqliteLineageLog;
  readonly #budget: SqliteBudget;
  readonly #approverKeys: SqliteApproverKeys;
  readonly passkeys: SqlitePasskeys;
  readonly #outbox: SqliteOutbox;
  readonly #sends: SqliteSends;
  readonly #sessions: SqliteConsoleSessions;
  readonly #challenges: SqliteWebauthnChallenges;
  readonly #shapes: PreparedByShape;
  readonly #approvalsForPlan;
  readonly #useToken;
  readonly #controlsOf;
  readonly #rememberPolicy;

  constructor(db: SqliteDb, sqlite: Database.Database) {
    this.#db = db;
    this.#shapes = new PreparedByShape(db);
    this.#plans = new SqlitePlans(db, this.#shapes);
    this.#lineage = new SqliteLineage(db);
    this.#log = new SqliteLineageLog(sqlite);
    this.#outbox = new SqliteOutbox(db, this.#shapes);
    this.#sends = new SqliteSends(db);
    this.#sessions = new SqliteConsoleSessions(db);
    this.#challenges = new SqliteWebauthnChallenges(db);
    this.#budget = new SqliteBudget(db, this.#shapes);
    this.#approverKeys = new SqliteApproverKeys(db);
    this.passkeys = new SqlitePasskeys(db);
    const p = sql.placeholder;
    this.#approvalsForPlan = db
      .select()
      .from(s.approvals)
      .where(and(eq(s.approvals.tenantId, p('tenantId')), eq(s.approvals.planId, p('planId'))))
      .prepare();
    this.#useToken = db
      .insert(s.usedTokens)
      .values({ jti: p('jti'), planId: p('planId'), usedAt: p('usedAt') })
      .onConflictDoNothing()
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
  }

  async getPlan(tenantId: string, planId: string): Promise<PlanRecord | undefined> {
    return this.#plans.get(tenantId, planId);
  }

  async insertPlan(record: PlanRecord): Promise<void> {
    this.#plans.insert(record);
  }

  async updatePlan(
    tenantId: string,
    planId: string,
    expectedState: PlanState,
    patch: PlanPatch,
  ): Promise<boolean> {
    return this.#plans.update(tenantId, planId, expectedState, patch);
  }

  async listPlans(filter: PlanFilter): Promise<PlanRecord[]> {
    return this.#plans.list(filter);
  }

  async plansDue(
    field: 'approvalDeadline' | 'expiresAt',
    states: readonly PlanState[],
    atMs: number,
  ): Promise<PlanRecord[]> {
    return this.#plans.due(field, states, atMs);
  }

  async putPayload(digest: string, kind: string, body: string, atMs: number): Promise<void> {
    this.#lineage.putPayload(digest, kind, body, atMs);
  }

  async getPayload(digest: string): Promise<string | undefined> {
    return this.#lineage.getPayload(digest);
  }

  /**
   * Forgets the cached chain heads, so the next append reads them from the database: called after any rollback
   * (a cached head may be an event that no longer exists) and when a SQLite transaction begins after another
   * connection committed, or after a group that did not commit (see `SqliteStore`).
   */
  forgetChainHead(): void {
    this.#lineage.forgetChainHead();
  }

  /** Told how many events each append wrote (uncommitted yet): the sequencer's early trigger. */
  onAppended: ((count: number) => void) | undefined;

  async appendLineage(drafts: readonly LineageDraft[]): Promise<LineageEvent[]> {
    this.onAppended?.(drafts.length);
    return inSpanSync(
      'handoff.sequence',
      { [ATTR.events]: drafts.length },
      () => this.#lineage.append(drafts),
      { childOnly: true },
    );
  }

  treeHead(treeSize?: number): Promise<TreeHeadRecord | undefined> {
    return this.#log.treeHead(treeSize);
  }

  logLeaves(treeSize: number, from?: number): Promise<string[]> {
    return this.#log.logLeaves(treeSize, from);
  }

  leadSequencer(): Promise<boolean> {
    return this.#log.leadSequencer();
  }

  logSize(): Promise<number> {
    return this.#log.logSize();
  }

  unsequencedEvents(limit: number): Promise<UnsequencedEvent[]> {
    return this.#log.unsequencedEvents(limit);
  }

  assignLogIndexes(firstIndex: number, ids: readonly number[]): Promise<void> {
    return this.#log.assignLogIndexes(firstIndex, ids);
  }

  insertTreeHead(head: TreeHeadRecord): Promise<void> {
    return this.#log.insertTreeHead(head);
  }

  treeHeadsAfter(afterSize: number): Promise<TreeHeadRecord[]> {
    return this.#log.treeHeadsAfter(afterSize);
  }

  logEntry(
    tenantId: string,
    by: { eventHash: string } | { logIndex: number },
  ): Promise<LogEntry | undefined> {
    return this.#log.logEntry(tenantId, by);
  }

  async lastPlanEvent(
    tenantId: string,
    planId: string,
    type: LineageEventType,
  ): Promise<LineageEvent | undefined> {
    return this.#lineage.lastPlanEvent(tenantId, planId, type);
  }

  async planEvents(
    tenantId: string,
    planId: string,
    type: LineageEventType,
  ): Promise<LineageEvent[]> {
    return this.#lineage.planEvents(tenantId, planId, type);
  }

  async getCaps(tenantId: string): Promise<StoredCap[]> {
    return this.#budget.getCaps(tenantId);
  }

  async replaceCaps(tenantId: string, caps: readonly StoredCap[], atMs: number): Promise<void> {
    this.#budget.replaceCaps(tenantId, caps, atMs);
  }

  async usedBudget(
    tenantId: string,
    capId: string,
    periodKey: string,
    _atMs: number,
  ): Promise<bigint> {
    return this.#budget.usedBudget(tenantId, capId, periodKey);
  }

  async budgetUsage(
    tenantId: string,
    capId: string,
    periodKey: string,
  ): Promise<{ reserved: bigint; committed: bigint }> {
    return this.#budget.budgetUsage(tenantId, capId, periodKey);
  }

  async reserveBudget(line: LedgerLine, limitMinor: number): Promise<boolean> {
    return this.#budget.reserveBudget(line, limitMinor);
  }

  async cancelReservation(line: LedgerLine): Promise<void> {
    this.#budget.cancelReservation(line);
  }

  async insertLedger(lines: readonly LedgerLine[]): Promise<void> {
    this.#budget.insertLedger(lines);
  }

  async ledgerForPlan(tenantId: string, planId: string): Promise<LedgerLine[]> {
    return this.#budget.ledgerForPlan(tenantId, planId);
  }

  async extendReservations(
    tenantId: string,
    planId: string,
    expiresAt: number,
    atMs: number,
  ): Promise<void> {
    this.#budget.extendReservations(tenantId, planId, expiresAt, atMs);
  }

  async settleLedger(
    tenantId: string,
    planId: string,
    status: 'committed' | 'released',
    atMs: number,
  ): Promise<LedgerLine[]> {
    return this.#budget.settleLedger(tenantId, planId, status, atMs);
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
      .where(and(eq(k.purpose, purpose), eq(k.tenantId, ''), eq(k.kid, kid)))
      .get();
    return row?.jwk;
  }

  async rememberKey(
    purpose: KeyPurpose,
    kid: string,
    jwk: string,
    atMs: number,
    tenantId = '',
  ): Promise<void> {
    this.#db
      .insert(s.keys)
      .values({ purpose, tenantId, kid, jwk, firstSeenAt: atMs })
      .onConflictDoNothing()
      .run();
  }

  async getApproverKey(tenantId: string, kid: string): Promise<ApproverKeyRecord | undefined> {
    return this.#approverKeys.get(tenantId, kid);
  }

  async listApproverKeys(tenantId: string): Promise<ApproverKeyRecord[]> {
    return this.#approverKeys.list(tenantId);
  }

  async insertApproverKey(record: ApproverKeyRecord): Promise<boolean> {
    return this.#approverKeys.insert(record);
  }

  async revokeApproverKey(
    tenantId: string,
    kid: string,
    revokedBy: string,
    reason: string,
    atMs: number,
  ): Promise<boolean> {
    return this.#approverKeys.revoke(tenantId, kid, revokedBy, reason, atMs);
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

  async claimOutbox(request: ClaimOutboxRequest): Promise<OutboxRow[]> {
    return this.#outbox.claim(request);
  }

  async outboxLeaseExpired(atMs: number, limit: number): Promise<OutboxRow[]> {
    return this.#outbox.leaseExpired(atMs, limit);
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
    expected: OutboxExpectation,
    patch: OutboxPatch,
  ): Promise<boolean> {
    return this.#outbox.update(idempotencyKey, expected, patch);
  }

  async recordSends(rows: readonly SendRecord[]): Promise<void> {
    this.#sends.record(rows);
  }

  async listSends(
    tenantId: string,
    recipientKeys: readonly string[],
    sinceMs: number,
  ): Promise<SendRecord[]> {
    return this.#sends.list(tenantId, recipientKeys, sinceMs);
  }

  insertConsoleSession(record: ConsoleSessionRecord): Promise<void> {
    return this.#sessions.insertConsoleSession(record);
  }

  consoleSession(tokenHash: string, atMs: number): Promise<ConsoleSessionRecord | undefined> {
    return this.#sessions.consoleSession(tokenHash, atMs);
  }

  deleteConsoleSession(tokenHash: string): Promise<boolean> {
    return this.#sessions.deleteConsoleSession(tokenHash);
  }

  deleteExpiredConsoleSessions(atMs: number): Promise<number> {
    return this.#sessions.deleteExpiredConsoleSessions(atMs);
  }

  issueWebauthnChallenge(
    record: WebauthnChallengeRecord,
    atMs: number,
    maxOpen: number,
  ): Promise<boolean> {
    return this.#challenges.issueWebauthnChallenge(record, atMs, maxOpen);
  }

  takeWebauthnChallenge(
    challengeHash: string,
    purpose: WebauthnChallengePurpose,
    atMs: number,
  ): Promise<WebauthnChallengeRecord | undefined> {
    return this.#challenges.takeWebauthnChallenge(challengeHash, purpose, atMs);
  }

  deleteExpiredWebauthnChallenges(atMs: number): Promise<number> {
    return this.#challenges.deleteExpiredWebauthnChallenges(atMs);
  }
}
