import type { TreeHeadRecord } from './lineage-log.js';
import type { ApprovalRecord, KeyPurpose } from './store.js';

/**
 * One `lineage_events` row as stored, for the offline verifier and the export, which trust none of it: `body` is
 * the stored text, never parsed nor re-serialised by the store (the verifier hashes what is there), and the
 * columns are handed over for it to compare with the body. `position` is the insertion order (`id`, 1 = first);
 * `logIndex` the row's leaf in the transparency log, null until sequenced; `chain` null for a format-1 event;
 * `occurredAt` epoch ms. A store whose rows predate lineage format 2 (no `chain`, `log_index` nor `id` yet: a
 * file not migrated) reports `position = seq`, `chain` and `logIndex` as `undefined`.
 */
export interface StoredLineageRow {
  position: number;
  seq: number;
  chain: string | null | undefined;
  logIndex: number | null | undefined;
  tenantId: string;
  planId: string | null;
  type: string;
  actorType: string;
  actorId: string;
  occurredAt: number;
  body: string;
  prevHash: string;
  hash: string;
}

/** Which events: of one tenant and/or one plan (of any tenant with that id), and only leaves below a log index. */
export interface LineageRowFilter {
  tenantId?: string;
  planId?: string;
  /** Only sequenced events whose log index is below this (the leaves a tree head of this size covers). */
  logIndexBelow?: number;
}

/**
 * One page of rows, keyset-paged (never OFFSET): rows whose `order` key is greater than `after`, in that order,
 * at most `limit` (1..10,000). `order: 'logIndex'` pages sequenced events by log index (start `after` at -1);
 * `order: 'position'` pages by insertion order (start at 0). `unsequencedFrom: n` keeps only events with no log
 * index yet or a log index of at least `n`: with `n` the leaves a walk by log index saw, the events that walk did
 * not cover, those sequenced after it ended included (see `logOrderRows`). The next page starts after the last
 * row's key; a page shorter than `limit` is the last.
 */
export interface LineageRowPage extends LineageRowFilter {
  order: 'logIndex' | 'position';
  after: number;
  limit: number;
  unsequencedFrom?: number;
}

/** A stored document: the digest it is stored (and named) under, its kind (`Plan`, `ApprovalJws`, ...), its text. */
export interface StoredDocument {
  digest: string;
  kind: string;
  body: string;
}

/** A public key the gateway recorded (JWK as JSON text; tenant `''` for the gateway's own keys). */
export interface RecordedKeyRow {
  purpose: KeyPurpose;
  tenantId: string;
  kid: string;
  jwk: string;
  /** Epoch ms. */
  firstSeenAt: number;
}

/** The approval token an `approval.accepted` event names (`refs.approval`), with that event's position. */
export interface ApprovalTokenRow {
  position: number;
  digest: string;
  /** The compact JWS as stored. */
  token: string;
}

/** A plan's key, as the OpenLineage export walks plans. */
export interface PlanKey {
  tenantId: string;
  planId: string;
}

/**
 * Bulk reads of the lineage and its evidence, outside any transaction (part of `GatewayStore` as
 * `lineageReads`): what `handoff lineage export` and `handoff lineage verify --db` read. Each call is one short
 * read; pages are keyset-paged by an indexed key, so a live gateway appending meanwhile neither blocks them nor is
 * blocked (rows appended after a page was read appear in a later page). Read-only: they work on a store opened
 * read-only.
 */
export interface LineageReads {
  /** Every signed tree head, by ascending tree size. */
  treeHeads(): Promise<TreeHeadRecord[]>;
  /** Every recorded public key, by purpose, tenant, kid. */
  recordedKeys(): Promise<RecordedKeyRow[]>;
  /** How many events match `filter`. */
  countLineage(filter: LineageRowFilter): Promise<number>;
  /** The highest position stored (0 when there is none): the number of events, rows never being deleted. */
  lastPosition(): Promise<number>;
  /** One page of rows (see {@link LineageRowPage}). */
  lineageRows(page: LineageRowPage): Promise<StoredLineageRow[]>;
  /**
   * The approval tokens of the `approval.accepted` events matching `filter` whose position is greater than
   * `afterPosition`, in position order, at most `limit`; an event whose token is not stored is left out.
   */
  approvalTokens(
    filter: LineageRowFilter,
    afterPosition: number,
    limit: number,
  ): Promise<ApprovalTokenRow[]>;
  /** Every accepted approval row (the verifier checks each was recorded by an event). */
  approvalRecords(): Promise<ApprovalRecord[]>;
  /**
   * Stored documents whose digest sorts after `afterDigest` (`''` to start), by digest, at most `limit`; approval
   * tokens (kind `ApprovalJws`) are left out (they are checked with their approvals).
   */
  documents(afterDigest: string, limit: number): Promise<StoredDocument[]>;
  /** One stored document by digest, with its kind, as stored; undefined when absent. */
  document(digest: string): Promise<StoredDocument | undefined>;
  /** The plans of one tenant and/or id (every plan without a filter), by reception time, plan id, tenant id. */
  planKeys(filter: { tenantId?: string; planId?: string }): Promise<PlanKey[]>;
}
