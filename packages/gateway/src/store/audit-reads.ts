import type { LineageEvent, LineageEventType } from '@handoff/protocol';
import type {
  ApprovalRecord,
  LedgerLine,
  OutboxRow,
  PlanRecord,
  PositionedEvent,
} from './store.js';

/** A policy set the gateway applied, by the digest plans name it with (`activatedAt` in epoch ms). */
export interface PolicyVersionRecord {
  digest: string;
  policySetId: string;
  label: string;
  activatedAt: number;
}

/**
 * What an outbox row is looked up by for a trace: its idempotency key, or an action id (unique within a plan,
 * not across plans) with its plan id when known.
 */
export type OutboxLookup = { idempotencyKey: string } | { actionId: string; planId?: string };

/**
 * The reads of one trace (`audit/trace.ts`): a plan and what it refers to, all of one committed state (see
 * {@link AuditReadStore.readAudit}). Plan ids are per tenant: every per-plan read names the tenant. Read-only:
 * nothing here writes, and nothing is checked (the trace re-hashes every document it shows).
 *
 * Positions are the store's insertion order of lineage events (`id`, 1 = first, the same numbers as
 * {@link PositionedEvent.position}); times are epoch milliseconds; amounts integer minor units.
 */
export interface AuditReads {
  /** Every tenant's plan of id `planId`, ordered by tenant id (none, one, or one per tenant using the id). */
  plansWithId(planId: string): Promise<PlanRecord[]>;
  /** A stored document's text by its `sha256:` digest, exactly as stored; undefined when absent. */
  payload(digest: string): Promise<string | undefined>;
  /**
   * Every lineage event of one plan with its position, in position (insertion) order: its chain's `seq` order,
   * format-1 events (global `seq`) before format-2 ones for a migrated plan. A plan's first and last positions
   * bound the kill switches that can have touched it.
   */
  eventsOfPlan(tenantId: string, planId: string): Promise<PositionedEvent[]>;
  /**
   * The tenant's events of one of `types` whose position is in `fromPosition..toPosition` (inclusive), in
   * position order; `[]` when `types` is empty. Costs the range, not the tenant's whole lineage.
   */
  tenantEvents(
    tenantId: string,
    types: readonly LineageEventType[],
    fromPosition: number,
    toPosition: number,
  ): Promise<LineageEvent[]>;
  /** A plan's accepted approvals, by `receivedAt` then approver. */
  approvalsOfPlan(tenantId: string, planId: string): Promise<ApprovalRecord[]>;
  /** A plan's budget ledger lines, in the order they were written. */
  ledgerOfPlan(tenantId: string, planId: string): Promise<LedgerLine[]>;
  /** A plan's outbox rows (its actions and any compensations), by action index. */
  outboxOfPlan(tenantId: string, planId: string): Promise<OutboxRow[]>;
  /**
   * The outbox rows of the plan behind `by`, in action order: the row of an idempotency key, or the rows of an
   * action id in `by.planId` when given, else in the plan with the most recent such row (by `createdAt`, then
   * plan id); of one tenant when `tenantId` is given, else of any. `[]` when nothing matches.
   */
  findOutbox(by: OutboxLookup, tenantId: string | undefined): Promise<OutboxRow[]>;
  /** The policy version of a digest (a plan's `policyVersion`), if the gateway recorded it. */
  policyVersion(digest: string): Promise<PolicyVersionRecord | undefined>;
}

/** The audit's entry to a store (part of `GatewayStore`). */
export interface AuditReadStore {
  /**
   * Runs `work` with the audit reads, all of them seeing one committed state (never a transaction in progress
   * in this process), and resolves with its result. Nothing is written: on a store opened read-only it runs
   * too. `work` must do no I/O but through `reads`. Errors `work` throws are rethrown as they are.
   */
  readAudit<T>(work: (reads: AuditReads) => Promise<T>): Promise<T>;
}
