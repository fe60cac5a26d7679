import type { OutboxPatch, OutboxRow, OutboxStatus } from './store.js';

/**
 * A `dispatches` row as either dialect's drizzle schema selects it (`sqlite/schema.ts`, `postgres/schema.ts`):
 * the status as text, and `reverses` and the lease as null when unset. Times are epoch milliseconds.
 */
export type StoredOutboxRow = Omit<
  OutboxRow,
  'status' | 'reverses' | 'leaseOwner' | 'leaseUntil'
> & {
  status: string;
  reverses: string | null;
  leaseOwner: string | null;
  leaseUntil: number | null;
};

/**
 * A stored row as the store answers it, in both dialects: `reverses`, `leaseOwner` and `leaseUntil` only when
 * set (absent, not null, when unset). The status is one the store wrote (`OUTBOX_STATUSES`).
 */
export function toOutbox({ reverses, leaseOwner, leaseUntil, ...row }: StoredOutboxRow): OutboxRow {
  return {
    ...row,
    status: row.status as OutboxStatus,
    ...(reverses ? { reverses } : {}),
    ...(leaseOwner !== null ? { leaseOwner } : {}),
    ...(leaseUntil !== null ? { leaseUntil } : {}),
  };
}

/** A row as `insertOutbox` writes it: unleased, whatever `leaseOwner` and `leaseUntil` say. */
export function unleased({ leaseOwner: _owner, leaseUntil: _until, ...row }: OutboxRow) {
  return row;
}

/**
 * The store's lease rule (see `OutboxPatch`), the patch `updateOutbox` writes in both dialects: a move out of
 * `in_flight` (a `status` other than `in_flight`) that sets neither lease field clears both (null); any other
 * patch is written as given.
 */
export function withLeaseRule(patch: OutboxPatch): OutboxPatch {
  const moves = patch.status !== undefined && patch.status !== 'in_flight';
  if (!moves || patch.leaseOwner !== undefined || patch.leaseUntil !== undefined) return patch;
  return { ...patch, leaseOwner: null, leaseUntil: null };
}
