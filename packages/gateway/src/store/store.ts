import {
  type Actor,
  type ControlScope,
  type LineageEvent,
  type LineageEventType,
  OUTBOX_STATUSES,
  type OutboxStatus,
} from '@handoff/protocol';
import type { PlanState } from '../plan-state.js';
import type { ApproverKeysTx } from './approver-keys.js';
import type { AuditReadStore } from './audit-reads.js';
import type { BudgetReservationsTx } from './budget-reservations.js';
import type { ConsoleSessionsTx } from './console-sessions.js';
import type { LineageLogTx } from './lineage-log.js';
import type { LineageReads } from './lineage-reads.js';
import type { OutboxLeasesTx } from './outbox-leases.js';
import type { PasskeysTx } from './passkey-records.js';
import type { StoreStatus } from './store-status.js';
import type { WebauthnChallengesTx } from './webauthn-challenges.js';

/**
 * The gateway's storage, dialect-neutral and async, so a PostgreSQL store can be added without touching the
 * pipeline. Every state change and its lineage events go through one {@link GatewayStore.transaction}: a crash
 * never leaves a state change without its record, or a record without its state.
 *
 * Times are epoch milliseconds; money is integer minor units with its currency. The audit's reads are declared in
 * {@link AuditReadStore} (`audit-reads.ts`) and {@link LineageReads} (`lineage-reads.ts`), the gauges' and
 * readiness's in {@link StoreStatus} (`store-status.ts`).
 */
export interface GatewayStore extends AuditReadStore, StoreStatus {
  /** Bulk reads of the lineage and its evidence for export and offline verification (see `lineage-reads.ts`). */
  readonly lineageReads: LineageReads;
  /**
   * Runs `work` in one serialisable transaction and commits when it resolves (rolls back when it throws, and
   * rethrows). Transactions never interleave. `work` must do no I/O but through `tx`: hold no network call open
   * inside it.
   */
  transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * Every committed lineage event matching `filter`, in insertion order (`id`), sequenced or not: views. With
   * `after`, the events after that cursor as {@link queryLineageAt} pages them.
   */
  queryLineage(filter: LineageFilter): Promise<LineageEvent[]>;
  /**
   * Lineage events with their positions, in position order: what a page passes back as
   * {@link LineageFilter.after} (a chain's `seq` is per plan, so it cannot order pages). Positions are in commit
   * order, so a client paging with cursors never misses an event:
   * - SQLite: the insertion order (`id`): one writer, so an id is taken and committed in order; every committed
   *   event is there.
   * - PostgreSQL: the log order, position = `log_index` + 1 (an `id` is taken at insert, and a lower one can
   *   commit after a higher one was read past); then, when the page has room, the events not sequenced yet (each
   *   is, within the maximum merge delay of 4 x `checkpoints.intervalMs`), in insertion order, each at the
   *   position of the page's last sequenced event (or the cursor): a cursor taken on one resumes after the log
   *   part read, so such an event may come again, once sequenced, but none is passed over.
   * A page whose last position does not advance past the cursor (nothing but events not sequenced yet) is the
   * last one a reader should ask for: see `nextLineageCursor` (`lineage-cursor.ts`).
   */
  queryLineageAt(filter: LineageFilter): Promise<PositionedEvent[]>;
  /**
   * Calls `listener` with the number of events each `appendLineage` of THIS store writes (before its transaction
   * commits; a rolled-back one is counted too): how the sequencer starts a batch early once enough events are
   * waiting. One listener; a later call replaces it. Appends of other replicas are not seen (their sequencer, or
   * this one's timer, takes them).
   */
  onLineageAppended(listener: (count: number) => void): void;
  /** Closes the underlying connection (or pool), after every transaction queued before it is answered. */
  close(): Promise<void>;
}

/**
 * What a transaction can read and write. Plan ids are scoped per tenant: a plan, and everything kept per plan
 * (ledger, approvals, outbox), is found by `(tenantId, planId)`; the same plan id in two tenants is two plans.
 * The approver registry's methods are declared in {@link ApproverKeysTx} (`approver-keys.ts`), the transparency
 * log's reads and the sequencer's writes in {@link LineageLogTx} (`lineage-log.ts`), budget reservations in
 * {@link BudgetReservationsTx} (`budget-reservations.ts`), outbox leases in {@link OutboxLeasesTx}
 * (`outbox-leases.ts`), console sessions in {@link ConsoleSessionsTx} (`console-sessions.ts`), open WebAuthn challenges in
 * {@link WebauthnChallengesTx} (`webauthn-challenges.ts`).
 */
export interface StoreTx
  extends ApproverKeysTx,
    LineageLogTx,
    BudgetReservationsTx,
    OutboxLeasesTx,
    ConsoleSessionsTx,
    WebauthnChallengesTx {
  /** The console's invitations and passkeys (see `passkey-records.ts`). */
  readonly passkeys: PasskeysTx;
  getPlan(tenantId: string, planId: string): Promise<PlanRecord | undefined>;
  insertPlan(record: PlanRecord): Promise<void>;
  /** Updates a plan only if it is still in `expectedState`; returns false (and changes nothing) otherwise. */
  updatePlan(
    tenantId: string,
    planId: string,
    expectedState: PlanState,
    patch: PlanPatch,
  ): Promise<boolean>;
  listPlans(filter: PlanFilter): Promise<PlanRecord[]>;
  /** Plans in one of `states` whose `field` time is at or before `atMs`. */
  plansDue(
    field: 'approvalDeadline' | 'expiresAt',
    states: readonly PlanState[],
    atMs: number,
  ): Promise<PlanRecord[]>;

  /** Stores a document once by digest (a second put of the same digest is a no-op). */
  putPayload(digest: string, kind: string, body: string, atMs: number): Promise<void>;
  getPayload(digest: string): Promise<string | undefined>;

  /**
   * Appends events to the hash chain: assigns `seq`, `prevHash` and `hash` (RFC 8785 + SHA-256, see
   * `lineageEventHash`) and returns the complete events.
   */
  appendLineage(drafts: readonly LineageDraft[]): Promise<LineageEvent[]>;
  /** The latest lineage event of `type` of one plan of the tenant (highest `seq`), or undefined when none. */
  lastPlanEvent(
    tenantId: string,
    planId: string,
    type: LineageEventType,
  ): Promise<LineageEvent | undefined>;

  /** Every lineage event of `type` of one plan of the tenant, in `seq` order (e.g. its outcome reports). */
  planEvents(tenantId: string, planId: string, type: LineageEventType): Promise<LineageEvent[]>;

  getCaps(tenantId: string): Promise<StoredCap[]>;
  replaceCaps(tenantId: string, caps: readonly StoredCap[], atMs: number): Promise<void>;
  /**
   * Reserved + committed minor units on one cap and period (the `budget_usage` row). Every `reserved` line counts until its plan releases
   * it (a terminal state) or commits it: a reservation never lapses by time, so no live plan's hold is dropped.
   * `atMs` (epoch ms) is when the figure is asked for.
   */
  usedBudget(tenantId: string, capId: string, periodKey: string, atMs: number): Promise<bigint>;
  /**
   * The two parts of {@link StoreTx.usedBudget} on one cap and period, minor units: `reserved` (lines still
   * `reserved`) and `committed`. Their sum is what `usedBudget` answers.
   */
  budgetUsage(
    tenantId: string,
    capId: string,
    periodKey: string,
  ): Promise<{ reserved: bigint; committed: bigint }>;
  /**
   * Inserts ledger lines as they are (no cap check: settlement's committed lines, a rollback's credits); each
   * line's `amountMinor` is added to the `reserved` or `committed` total of its cap and period (a `released` line
   * to neither). A reservation under a cap goes through {@link BudgetReservationsTx.reserveBudget} instead.
   */
  insertLedger(lines: readonly LedgerLine[]): Promise<void>;
  ledgerForPlan(tenantId: string, planId: string): Promise<LedgerLine[]>;
  /** Sets a new lapse time on every `reserved` line of a plan (e.g. from the approval window to plan expiry). */
  extendReservations(
    tenantId: string,
    planId: string,
    expiresAt: number,
    atMs: number,
  ): Promise<void>;
  /**
   * Moves every `reserved` line of a plan to `status`, taking each amount off its period's `reserved` total (and
   * adding it to `committed` when committing); returns the lines moved.
   */
  settleLedger(
    tenantId: string,
    planId: string,
    status: 'committed' | 'released',
    atMs: number,
  ): Promise<LedgerLine[]>;

  /** Records a token id; false when it was used before (a replay). Token ids are global, not per tenant. */
  useToken(jti: string, planId: string, atMs: number): Promise<boolean>;
  insertApproval(record: ApprovalRecord): Promise<void>;
  approvalsForPlan(tenantId: string, planId: string): Promise<ApprovalRecord[]>;

  /** The public JWK (JSON text) remembered for a gateway-wide purpose (`copilot`, `checkpoint`) and kid, if any. */
  getKey(purpose: KeyPurpose, kid: string): Promise<string | undefined>;
  /**
   * Remembers a public key by purpose, tenant and kid (first write wins: a kid never changes meaning). `tenantId`
   * is the tenant an approver key is registered in (approver kids are per tenant); `''` (the default) for the
   * gateway's own keys (`copilot`, `checkpoint`).
   */
  rememberKey(
    purpose: KeyPurpose,
    kid: string,
    jwk: string,
    atMs: number,
    tenantId?: string,
  ): Promise<void>;
  rememberPolicy(digest: string, policySetId: string, label: string, atMs: number): Promise<void>;

  listControls(tenantId: string): Promise<ControlRecord[]>;
  putControl(record: ControlRecord): Promise<void>;
  deleteControl(tenantId: string, scopeType: ControlScope, scopeValue: string): Promise<boolean>;

  insertOutbox(rows: readonly OutboxRow[]): Promise<void>;
  /** A plan's outbox rows in action order. */
  outboxForPlan(tenantId: string, planId: string): Promise<OutboxRow[]>;
  getOutbox(idempotencyKey: string): Promise<OutboxRow | undefined>;
  /**
   * `pending` rows whose `nextAttemptAt` is at or before `atMs`, oldest first, at most `limit`, leased or not (a
   * read: dispatchers lease with {@link OutboxLeasesTx.claimOutbox}).
   */
  dueOutbox(atMs: number, limit: number): Promise<OutboxRow[]>;
  /**
   * Rows in one of `statuses`, oldest first, at most `limit`: of one tenant (operator views), or of every tenant
   * when `tenantId` is omitted (crash recovery).
   */
  outboxByStatus(
    statuses: readonly OutboxStatus[],
    limit: number,
    tenantId?: string,
  ): Promise<OutboxRow[]>;
  /**
   * Records dispatched sends for frequency caps (see {@link SendRecord}); a row already recorded is left alone,
   * so recording an outcome twice counts one send.
   */
  recordSends(rows: readonly SendRecord[]): Promise<void>;
  /** The tenant's sends to any of `recipientKeys` at or after `sinceMs` (epoch ms), oldest first. */
  listSends(
    tenantId: string,
    recipientKeys: readonly string[],
    sinceMs: number,
  ): Promise<SendRecord[]>;
  /**
   * Updates a row only if it still is as `expected` (its status, or one attempt of one replica: see
   * {@link OutboxExpectation}); returns false (and changes nothing) otherwise.
   */
  updateOutbox(
    idempotencyKey: string,
    expected: OutboxExpectation,
    patch: OutboxPatch,
  ): Promise<boolean>;
}

/**
 * A plan as the gateway tracks it. `evaluationDigest` names its policy evaluation (per option), stored once as a
 * `PolicyEvaluation` payload: the row stays small, so state changes rewrite little.
 */
export interface PlanRecord {
  planId: string;
  tenantId: string;
  workflowId: string;
  copilotModel: string;
  digest: string;
  state: PlanState;
  pausedFrom: PlanState | null;
  recommendedOptionId: string;
  selectedOptionId: string | null;
  submittedBy: string;
  policyVersion: string;
  evaluationDigest: string;
  reasonCode: string | null;
  receivedAt: number;
  updatedAt: number;
  approvalDeadline: number;
  expiresAt: number;
}

/** The fields a state change may set. */
export type PlanPatch = Partial<
  Pick<PlanRecord, 'state' | 'pausedFrom' | 'selectedOptionId' | 'reasonCode'>
> & {
  updatedAt: number;
};

export interface PlanFilter {
  tenantId: string;
  states?: readonly PlanState[];
  submittedBy?: string;
  workflowId?: string;
  /** Return plans received strictly before this cursor (`receivedAt:planId` of the last row seen). */
  before?: { receivedAt: number; planId: string };
  limit: number;
}

/** A lineage event with its position (see {@link GatewayStore.queryLineageAt}): 1 = first. */
export interface PositionedEvent {
  position: number;
  event: LineageEvent;
}

/** An event before it joins the chain. */
export interface LineageDraft {
  tenantId: string;
  planId?: string;
  type: LineageEventType;
  actor: Actor;
  occurredAt: number;
  refs?: Record<string, string>;
  data?: Record<string, unknown>;
}

export interface LineageFilter {
  tenantId?: string;
  planId?: string;
  types?: readonly LineageEventType[];
  actorId?: string;
  /** Only events whose actor is of this type (`copilot`, `approver`, `operator`, ...). */
  actorType?: Actor['type'];
  /** Only events of plans of this workflow. */
  workflowId?: string;
  /** Only events of plans with an action on this adapter, and events naming it (`data.adapter`). */
  adapter?: string;
  fromMs?: number;
  toMs?: number;
  /**
   * Only events whose position (see {@link GatewayStore.queryLineageAt}: commit order) is greater than this: the
   * last position a client saw (cursors). Never an `id` on PostgreSQL.
   */
  after?: number;
  limit: number;
}

/** A budget cap as stored (see `BudgetCap` in the budget module for its validated form). */
export interface StoredCap {
  capId: string;
  tenantId: string;
  scopeType: 'tenant' | 'workflow' | 'channel' | 'adapter';
  scopeValue: string;
  period: 'day' | 'week' | 'month' | 'total';
  currency: string;
  limitMinor: number;
  timeZone: string;
}

export interface LedgerLine {
  planId: string;
  tenantId: string;
  capId: string;
  periodKey: string;
  currency: string;
  amountMinor: number;
  status: 'reserved' | 'committed' | 'released';
  /**
   * The plan's deadline when the line was reserved or last extended (epoch ms; informational: a reservation does
   * not lapse by time, the expiry sweep releases it with its plan); null once committed or released.
   */
  expiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface ApprovalRecord {
  jti: string;
  tenantId: string;
  planId: string;
  optionId: string;
  approver: string;
  role: string;
  decision: 'approve' | 'reject';
  kid: string;
  tokenDigest: string;
  maxSpendMinor: number;
  currency: string;
  receivedAt: number;
}

export type KeyPurpose = 'approver' | 'copilot' | 'checkpoint';

export type { ControlScope };

export interface ControlRecord {
  tenantId: string;
  scopeType: ControlScope;
  scopeValue: string;
  reason: string;
  pausedBy: string;
  pausedAt: number;
}

/**
 * Where an outbox row stands:
 * - `pending`: waiting for its `nextAttemptAt`;
 * - `in_flight`: claimed by a dispatcher, the request may be on its way (after a crash: re-sent with the same
 *   idempotency key where the platform dedupes, else `in_doubt`);
 * - `succeeded`: the platform did it (or an operator confirmed an in-doubt row);
 * - `dead`: a permanent failure or retries exhausted, kept for an operator to retry or abandon;
 * - `in_doubt`: the request may or may not have reached a platform with no idempotency key; an operator
 *   reconciles it (confirm or abandon), it is never re-sent blindly;
 * - `abandoned`: given up by an operator, or never sent because its plan ended (cancelled, expired).
 */
export { OUTBOX_STATUSES, type OutboxStatus };

/**
 * What {@link StoreTx.updateOutbox} expects of a row before it changes it: a status, or one attempt of one replica
 * (its status, `attempts` and `leaseOwner` all as given). An outcome is recorded with the latter, so that it lands
 * only on the attempt that produced it: a replica whose lease ended while it waited on a platform must not
 * overwrite the attempt of the replica that recovered the row and re-sent it. The condition is part of the UPDATE,
 * so it holds whatever committed since the row was read (PostgreSQL at READ COMMITTED re-checks it against the
 * row's latest version).
 */
export type OutboxExpectation =
  | OutboxStatus
  | { status: OutboxStatus; attempts: number; leaseOwner: string };

/**
 * The fields a dispatcher or operator may change on an outbox row. A patch that sets `status` to anything but
 * `in_flight` and sets no lease field clears the row's lease (`leaseOwner` and `leaseUntil` to null): a row
 * leaves a replica's hands when it leaves `in_flight` (or is held, abandoned, dead-lettered).
 */
export type OutboxPatch = Partial<
  Pick<
    OutboxRow,
    | 'status'
    | 'attempts'
    | 'nextAttemptAt'
    | 'lastError'
    | 'receiptDigest'
    | 'leaseOwner'
    | 'leaseUntil'
  >
> & { updatedAt: number };

export interface OutboxRow {
  idempotencyKey: string;
  planId: string;
  tenantId: string;
  optionId: string;
  actionIndex: number;
  actionId: string;
  adapter: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  receiptDigest: string | null;
  /**
   * Set on a compensation (a rollback's row): the idempotency key of the dispatched row it reverses. Absent on a
   * plan's own actions.
   */
  reverses?: string;
  /**
   * The replica holding the row's lease (see `outbox-leases.ts`), null or absent when unleased. Rows are inserted
   * unleased whatever this says.
   */
  leaseOwner?: string | null;
  /** When the lease ends, epoch ms; null or absent when unleased. */
  leaseUntil?: number | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * One dispatched send as a frequency cap counts it: the recipient key (`contact:<hex SHA-256>` or
 * `segment:<id>`, never a contact in clear), one channel of the send's option, the outbox row it was
 * (`idempotencyKey`: one send however many keys and channels it has) and when it succeeded (epoch ms).
 */
export interface SendRecord {
  tenantId: string;
  recipientKey: string;
  channel: string;
  idempotencyKey: string;
  planId: string;
  sentAt: number;
}
