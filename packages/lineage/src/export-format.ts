import type { LineageEvent } from '@handoff/protocol';
import type { JWK } from 'jose';

/**
 * The JSON Lines bundle `handoff lineage export` writes and `handoff lineage verify --export` reads: one JSON
 * object per line (https://jsonlines.org), UTF-8, `\n`-separated, in this order:
 *
 * 1. one {@link ExportHeader};
 * 2. {@link ExportKey} lines: every public key recorded (purposes `checkpoint`, `approver`, `copilot`), kept after
 *    rotation, so every signature in the bundle verifies from the bundle alone;
 * 3. {@link ExportCheckpoint} lines in ascending `treeSize`, then {@link ExportConsistency} lines (subset
 *    bundles: each earlier checkpoint to the last);
 * 4. {@link ExportApprovalToken} lines: the approval JWS of every `approval.accepted` event exported;
 * 5. {@link ExportEvent} lines in log order (each chain's events in `seq` order), each with an RFC 9162
 *    inclusion proof in a subset bundle.
 *
 * A `complete` bundle holds every event from seq 1, so a verifier recomputes the chain and every checkpoint root;
 * a `subset` bundle (filtered by plan or tenant) holds only events a signed checkpoint covers, each with its
 * inclusion proof to the last checkpoint. Hashes in proofs are lower-case hex. Approval tokens are included
 * because they are the evidence; they were single-use (`jti`) and have expired.
 */
export const EXPORT_FORMAT = 'handoff.lineage-export';

/** The bundle's first line. */
export interface ExportHeader {
  kind: 'header';
  format: typeof EXPORT_FORMAT;
  version: 1;
  mode: 'complete' | 'subset';
  /** The filter of a subset bundle. */
  filter?: { planId?: string; tenantId?: string };
  /** Events in the bundle. */
  events: number;
  /** RFC 3339 UTC. */
  exportedAt: string;
}

/**
 * A recorded public key (never a private member). `tenantId`: the tenant an approver key is recorded for (approver
 * kids are per tenant); absent for the gateway's own keys and for approver keys recorded before keys were kept per
 * tenant.
 */
export interface ExportKey {
  kind: 'key';
  purpose: string;
  tenantId?: string;
  kid: string;
  jwk: JWK;
}

/** A signed checkpoint: the stored facts and the compact JWS. `signedAt` is RFC 3339 UTC. */
export interface ExportCheckpoint {
  kind: 'checkpoint';
  treeSize: number;
  rootHash: string;
  signedAt: string;
  kid: string;
  jws: string;
}

/** An RFC 9162 consistency proof between two checkpoints' tree sizes. */
export interface ExportConsistency {
  kind: 'consistency';
  from: number;
  to: number;
  proof: string[];
}

/** An approval token by the digest (`sha256:` of its text) the lineage refers to. */
export interface ExportApprovalToken {
  kind: 'approval-token';
  digest: string;
  token: string;
}

/**
 * One lineage event, with its inclusion proof to checkpoint `proof.treeSize` in a subset bundle. `logIndex` is
 * its leaf in the log; absent for a format-1 event (it is then `seq - 1`) and for an event not yet sequenced.
 */
export interface ExportEvent {
  kind: 'event';
  event: LineageEvent;
  logIndex?: number;
  proof?: { treeSize: number; path: string[] };
}

/** Any line of a bundle. */
export type ExportLine =
  | ExportHeader
  | ExportKey
  | ExportCheckpoint
  | ExportConsistency
  | ExportApprovalToken
  | ExportEvent;
