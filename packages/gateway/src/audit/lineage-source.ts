import type { VerificationFailure } from '@handoff/lineage';
import type { JWK } from 'jose';
import type { StoredDocument } from '../store/lineage-reads.js';
import type { KeyPurpose } from '../store/store.js';

/**
 * What `verifyLineage` reads, whether from a gateway's store (`openDatabaseSource`, `storeSource`) or from a JSON Lines
 * export (`openExportSource`): events in stored order, the checkpoints, the recorded public keys and the stored
 * approval tokens. Nothing here is trusted: the verifier recomputes everything it can.
 */
export interface LineageSource {
  /** `complete`: every event from seq 1; `subset`: a filtered export, each event with an inclusion proof. */
  readonly mode: 'complete' | 'subset';
  /** Checkpoints in ascending `treeSize`. */
  readonly checkpoints: readonly SourceCheckpoint[];
  /** Consistency proofs between checkpoints (exports carry them; a database has the events instead). */
  readonly consistency: readonly SourceConsistency[];
  /**
   * The public JWK recorded for a purpose and kid (never removed after rotation), if any; for an approver key, the
   * one recorded for `tenantId` (approver kids are per tenant), else one recorded before keys were kept per tenant
   * (tenant `''`). See {@link recordedKey}.
   */
  key(purpose: KeyPurpose, kid: string, tenantId?: string): JWK | undefined;
  /** A stored approval token (compact JWS) by the `sha256:` digest of its text, if stored. */
  approvalToken(digest: string): string | undefined | Promise<string | undefined>;
  /** The `approvals` table rows by token digest (a database only: an export has no such table). */
  approvalRows(): ReadonlyMap<string, SourceApprovalRow> | undefined;
  /**
   * The stored documents (a database's `payloads` rows: plans, evaluations, policy sets, plan signatures,
   * receipts, caps; not the approval tokens, checked with their approvals), read one at a time; absent for an
   * export, which carries no documents but its approval tokens.
   */
  documents?(): Iterable<StoredDocument> | AsyncIterable<StoredDocument>;
  /** The `seq` of the first stored event whose text names `digest`, if any (a full scan: for failures only). */
  firstNaming?(digest: string): number | undefined | Promise<number | undefined>;
  /** The events, in the order stored (by `seq` in a database, file order in an export). */
  events(): AsyncIterable<SourceEvent> | Iterable<SourceEvent>;
  /** A problem found while opening (a malformed export header), reported before any event. */
  readonly openingFailure?: VerificationFailure;
  /**
   * True when the source reads a gateway's store (all its events, in insertion order): its chains may then be
   * checked on worker threads first (see `verifyLineage`'s `parallelFrom`).
   */
  readonly database?: boolean;
  /** How many events the source says it holds (for progress), when known. */
  readonly expectedEvents?: number;
  close(): void;
}

/** The index of a recorded key in {@link recordedKey}'s map. */
export function recordedKeyId(purpose: string, tenantId: string, kid: string): string {
  return JSON.stringify([purpose, tenantId, kid]);
}

/**
 * A recorded key by purpose, tenant and kid from `keys` (indexed by {@link recordedKeyId}): the tenant's, else the
 * gateway-wide one (tenant `''`: checkpoint and copilot keys, and approver keys recorded before keys were kept per
 * tenant). Another tenant's key of the same kid is never returned.
 */
export function recordedKey<T>(
  keys: ReadonlyMap<string, T>,
  purpose: string,
  kid: string,
  tenantId = '',
): T | undefined {
  return (
    keys.get(recordedKeyId(purpose, tenantId, kid)) ?? keys.get(recordedKeyId(purpose, '', kid))
  );
}

/**
 * Event types whose checks need the parsed event and other records of the source (a checkpoint, a token): the
 * verifier's "deep" events.
 */
export function isDeep(type: string): boolean {
  return type === 'checkpoint.signed' || type === 'approval.accepted';
}

/**
 * One stored event: its parsed `body` (`undefined` when the stored text was not JSON), or its stored `text`,
 * which the verifier parses (`JSON.parse`, then RFC 8785 and SHA-256: `ChainCheck` of `@handoff/lineage`).
 */
export interface SourceEvent {
  body: unknown;
  /** The stored JSON text of the event (a database); when given, `body` is not read. */
  text?: string;
  /**
   * Its leaf in the log: a number, `null` when it is not sequenced yet, absent when the source does not say
   * (then `seq - 1` for a format-1 event, as a migrated database numbers them).
   */
  logIndex?: number | null;
  /** The row's indexed columns (a database only), checked against the hashed body. */
  columns?: EventColumns;
  /** Where it sits: the `id` (insertion order) of a database row, the line of an export. */
  position: number;
  /** The 1-based line of an export. */
  line?: number;
  /** An inclusion proof to a checkpoint (a subset export). */
  proof?: { treeSize: number; path: readonly string[] };
}

/**
 * The indexed columns of a `lineage_events` row (`occurredAt` in epoch ms; `chain` null for format 1, absent
 * when the table has no such column yet).
 */
export interface EventColumns {
  seq: number;
  chain?: string | null;
  tenantId: string;
  planId: string | null;
  type: string;
  actorType: string;
  actorId: string;
  occurredAt: number;
  prevHash: string;
  hash: string;
}

/** A stored checkpoint (`signedAt` in epoch ms; `signature` the compact JWS). */
export interface SourceCheckpoint {
  treeSize: number;
  rootHash: string;
  signedAt: number;
  kid: string;
  signature: string;
  line?: number;
}

/** A consistency proof between two checkpoint sizes, hashes as lower-case hex. */
export interface SourceConsistency {
  from: number;
  to: number;
  proof: readonly string[];
  line?: number;
}

/** The facts of an `approvals` row that a token must agree with. */
export interface SourceApprovalRow {
  jti: string;
  planId: string;
  optionId: string;
  approver: string;
  role: string;
  decision: string;
  kid: string;
}
