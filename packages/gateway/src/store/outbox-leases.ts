import type { OutboxRow } from './store.js';

/** What {@link OutboxLeasesTx.claimOutbox} is asked for. */
export interface ClaimOutboxRequest {
  /** Now, epoch ms: rows due at or before it whose lease (if any) ended at or before it are claimable. */
  atMs: number;
  /** Most rows leased by one call (>= 1). */
  limit: number;
  /**
   * How long the lease lasts, ms: longer than a claim plus its platform call (the adapter's timeout), since an
   * `in_flight` row whose lease ended is taken by in-flight recovery ({@link OutboxLeasesTx.outboxLeaseExpired}).
   */
  leaseMs: number;
  /** The claiming replica's id (one per gateway process: `lease_owner`). */
  owner: string;
}

/**
 * Outbox leases (issue 15, brief decision 4): the `dispatches` table's `lease_owner` (text, null when unleased)
 * and `lease_until` (epoch ms, null when unleased). A replica first leases a batch of due rows with
 * {@link claimOutbox} (a short transaction); each leased row then gets its own claim transaction (kill switch,
 * suppression, send window; `dispatch.attempted`) that moves it `pending` -> `in_flight` keeping the lease
 * (`updateOutbox` with `leaseOwner`/`leaseUntil`); no transaction is held across the platform call. The outcome's
 * transaction moves the row out of `in_flight` and clears the lease. A replica that dies leaves:
 * - `pending` rows with a lease: claimable again once the lease ended (by any replica);
 * - `in_flight` rows: found by {@link outboxLeaseExpired} once the lease ended, and recovered by the in-doubt
 *   rules (re-sent with the same idempotency key where the platform dedupes, else `in_doubt`), by any replica.
 */
export interface OutboxLeasesTx {
  /**
   * Leases up to `limit` due rows: `pending`, `next_attempt_at <= atMs`, and unleased or with `lease_until <=
   * atMs`, oldest due first (then created, plan, action index). Sets `lease_owner = owner` and `lease_until = atMs
   * + leaseMs` on each and returns them as leased. Two replicas never lease one row at once: PostgreSQL selects
   * with `FOR UPDATE SKIP LOCKED`, SQLite has one writer. The rows' status does not change here.
   */
  claimOutbox(request: ClaimOutboxRequest): Promise<OutboxRow[]>;
  /**
   * `in_flight` rows whose lease ended at or before `atMs` (epoch ms), or that carry no lease (rows left in flight
   * by a gateway older than leases), oldest lease first, at most `limit`: what in-flight recovery takes. A row
   * another live replica holds (its lease running) is never returned.
   */
  outboxLeaseExpired(atMs: number, limit: number): Promise<OutboxRow[]>;
}
