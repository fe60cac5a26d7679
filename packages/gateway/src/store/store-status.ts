import type { StoredCap } from './store.js';

/** One budget cap in the period that holds the snapshot's time, amounts in integer minor units of its currency. */
export interface CapUsage {
  cap: StoredCap;
  /** The period the figures are of (`periodKey` of the budget module: `day:…`, `week:…`, `month:…`, `total`). */
  periodKey: string;
  /** Held for plans not yet dispatched nor released. */
  reservedMinor: bigint;
  /** Spent by dispatched plans. */
  committedMinor: bigint;
}

/**
 * The stored state the gauges show (`observability/metrics-state.ts`), read at once: counts only, never a
 * contact, payload or scope value beyond the tenant, scope type, state and status.
 */
export interface StoreStateSnapshot {
  /** Plans by tenant and state (states with no plan are absent). */
  plans: { tenantId: string; state: string; count: number }[];
  /** Outbox rows by status (statuses with no row are absent). */
  outbox: { status: string; count: number }[];
  /** `createdAt` (epoch ms) of the oldest `pending` or `in_flight` outbox row; null when none waits. */
  oldestWaitingOutboxAt: number | null;
  /** Active kill switches by tenant and scope type. */
  controls: { tenantId: string; scopeType: string; count: number }[];
  /** Every tenant's caps, each with its usage in the period holding the snapshot's time. */
  caps: CapUsage[];
}

/**
 * Whether the store can serve the gateway now: `writable` (a write transaction commits), `read-only` (opened
 * read-only, or the database refuses writes: a PostgreSQL standby), `unreachable` (the database does not
 * answer). `message` says why, naming no credential (a URL is never repeated with its password).
 */
export type StoreHealth =
  | { status: 'writable' }
  | { status: 'read-only'; message: string }
  | { status: 'unreachable'; message: string };

/** What metrics and readiness read of a store (part of `GatewayStore`). */
export interface StoreStatus {
  /**
   * The state the gauges show, at `atMs` (epoch ms: which budget period is current for each cap), as one
   * committed state; never sees a transaction in progress.
   */
  stateSnapshot(atMs: number): Promise<StoreStateSnapshot>;
  /** Probes the store (an empty write transaction when it may write); never throws. */
  health(): Promise<StoreHealth>;
}
