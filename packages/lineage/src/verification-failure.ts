/**
 * Where and how a lineage failed verification. Every failure names the `seq` it was found at (the first event
 * that does not hold, its position in its chain; for a checkpoint, its tree size), for a format-2 event the
 * `chain` (`plan:<tenantId>/<planId>` or `tenant:<id>`) that `seq` counts in, and, for an export file, the 1-based `line`.
 *
 * | code | meaning |
 * | --- | --- |
 * | `EXPORT_MALFORMED` | an export line is not JSON, or not a known record |
 * | `BODY_MALFORMED` | a stored event is not JSON, or lacks `seq`, `hash`, `prevHash` |
 * | `COLUMN_MISMATCH` | a SQLite column (`field`) disagrees with the hashed event body |
 * | `SEQ_GAP` | the event is not the next `seq` of its chain: one was deleted, inserted or moved |
 * | `LOG_INDEX_GAP` | the event's log index is not the next leaf of the log (a leaf deleted, inserted or moved) |
 * | `HASH_MISMATCH` | SHA-256 of the RFC 8785 event (without `hash`) is not its `hash`: it was edited |
 * | `CHAIN_BROKEN` | `prevHash` is not the previous `hash` of its chain, or a format-1 event follows format-2 ones |
 * | `CHECKPOINT_ROOT_MISMATCH` | the Merkle root of the first `treeSize` events is not the checkpoint's |
 * | `CHECKPOINT_BEYOND_LOG` | a checkpoint covers more events than exist: the tail was cut |
 * | `CHECKPOINT_MISSING` | a `checkpoint.signed` event has no matching checkpoint record |
 * | `CHECKPOINT_KEY_UNKNOWN` | unanchored: no checkpoint key was recorded for the kid that signed |
 * | `CHECKPOINT_KEY_UNTRUSTED` | no trusted checkpoint key has the kid that signed, or the key recorded under it is
 * |   | another key (RFC 7638 thumbprint) than the trusted one: the checkpoints were re-signed |
 * | `CHECKPOINT_SIGNATURE_INVALID` | the checkpoint JWS does not verify |
 * | `CHECKPOINT_PAYLOAD_MISMATCH` | the stored size, root or kid differ from what was signed |
 * | `CONSISTENCY_PROOF_INVALID` | an exported consistency proof between two checkpoints does not verify |
 * | `INCLUSION_PROOF_INVALID` | an exported event's inclusion proof does not verify |
 * | `APPROVAL_TOKEN_MISSING` | an `approval.accepted` event's token is not stored |
 * | `APPROVAL_DIGEST_MISMATCH` | the stored token's SHA-256 is not the digest the event refers to |
 * | `APPROVAL_KEY_UNKNOWN` | unanchored: no approver key was recorded for the token's kid |
 * | `APPROVAL_KEY_UNTRUSTED` | no trusted approver key has the token's kid, or the key recorded under it is another key |
 * | `APPROVAL_SIGNATURE_INVALID` | the approval JWS does not verify with the trusted (unanchored: recorded) key |
 * | `APPROVAL_CLAIMS_MISMATCH` | the signed claims differ from what the event or the approvals table records |
 * | `DOCUMENT_DIGEST_MISMATCH` | a stored document (plan, evaluation, policy set, token, receipt, ...) does not hash
 * |   | to the digest it is stored and named under; `seq` is the first event naming it |
 *
 * Against a witness file (`--against`; `witnessLine` is its 1-based line; `seq` is the head's `treeSize`, the first
 * missing event for `WITNESS_TREE_TRUNCATED`, and 0 for a line that yields no verified head):
 *
 * | code | meaning |
 * | --- | --- |
 * | `WITNESS_MALFORMED` | a line is neither a witness line nor a compact JWS, names no kid, or its readable
 * |   | copies differ from what was signed; or the witness holds no tree head (`witnessLine` 0) |
 * | `WITNESS_SIGNATURE_INVALID` | the head does not verify with the trusted key of its kid: forged, altered, or
 * |   | signed by another key under a trusted kid |
 * | `WITNESS_KEY_UNTRUSTED` | no trusted checkpoint key has the kid that signed the head (or the verification is
 * |   | unanchored): e.g. history rewritten and re-signed under a new key |
 * | `WITNESS_INCONSISTENT` | a later line has a smaller size than an earlier one, or the same size and another root |
 * | `WITNESS_TREE_TRUNCATED` | the lineage has fewer events than a witnessed head: its tail was deleted or the
 * |   | database rolled back past that head; `seq` is the first missing event |
 * | `WITNESS_ROOT_MISMATCH` | the Merkle root of the lineage's first `treeSize` events is not the witnessed one:
 * |   | history was rewritten (or rolled back and written again) |
 */
export type VerificationFailure =
  | (Located & { code: 'EXPORT_MALFORMED' })
  | (Located & { code: 'BODY_MALFORMED' })
  | (Located & { code: 'COLUMN_MISMATCH'; field: string })
  | (Located & { code: 'SEQ_GAP'; expectedSeq: number; foundSeq: number })
  | (Located & { code: 'LOG_INDEX_GAP'; expectedIndex: number; foundIndex: number })
  | (Located & { code: 'HASH_MISMATCH'; expected: string; found: string })
  | (Located & { code: 'CHAIN_BROKEN'; expected: string; found: string })
  | (Located & {
      code: 'CHECKPOINT_ROOT_MISMATCH';
      treeSize: number;
      expected: string;
      found: string;
    })
  | (Located & { code: 'CHECKPOINT_BEYOND_LOG'; treeSize: number; events: number })
  | (Located & { code: 'CHECKPOINT_MISSING'; treeSize: number })
  | (Located & { code: 'CHECKPOINT_KEY_UNKNOWN'; treeSize: number; kid: string })
  | (Located & { code: 'CHECKPOINT_KEY_UNTRUSTED'; treeSize: number; kid: string })
  | (Located & { code: 'CHECKPOINT_SIGNATURE_INVALID'; treeSize: number; kid: string })
  | (Located & { code: 'CHECKPOINT_PAYLOAD_MISMATCH'; treeSize: number; field: string })
  | (Located & { code: 'CONSISTENCY_PROOF_INVALID'; from: number; to: number })
  | (Located & { code: 'INCLUSION_PROOF_INVALID'; treeSize: number })
  | (Located & { code: 'APPROVAL_TOKEN_MISSING'; tokenDigest: string })
  | (Located & { code: 'APPROVAL_DIGEST_MISMATCH'; tokenDigest: string })
  | (Located & { code: 'APPROVAL_KEY_UNKNOWN'; kid: string })
  | (Located & { code: 'APPROVAL_KEY_UNTRUSTED'; kid: string })
  | (Located & { code: 'APPROVAL_SIGNATURE_INVALID'; kid: string })
  | (Located & { code: 'APPROVAL_CLAIMS_MISMATCH'; field: string })
  | (Located & { code: 'DOCUMENT_DIGEST_MISMATCH'; digest: string; kind: string })
  | WitnessFailure;

/** A failure of a lineage against a witness file (see {@link VerificationFailure}). */
export type WitnessFailure =
  | (Located & { code: 'WITNESS_MALFORMED'; witnessLine: number })
  | (Located & { code: 'WITNESS_KEY_UNTRUSTED'; witnessLine: number; kid: string })
  | (Located & { code: 'WITNESS_SIGNATURE_INVALID'; witnessLine: number })
  | (Located & { code: 'WITNESS_INCONSISTENT'; witnessLine: number; treeSize: number })
  | (Located & {
      code: 'WITNESS_TREE_TRUNCATED';
      witnessLine: number;
      treeSize: number;
      events: number;
    })
  | (Located & {
      code: 'WITNESS_ROOT_MISMATCH';
      witnessLine: number;
      treeSize: number;
      expected: string;
      found: string;
    });

/** Every verification failure code. */
export type VerificationFailureCode = VerificationFailure['code'];

/** The location and explanation every failure carries. */
export interface Located {
  /** The first `seq` at which the lineage does not hold (in its chain, see `chain`). */
  seq: number;
  /** The chain of a format-2 event (`plan:<tenantId>/<planId>` or `tenant:<tenantId>`); absent for the global chain. */
  chain?: string;
  /** The 1-based line of an export file, when verifying one. */
  line?: number;
  /** For people: what was found. Never quotes tokens or keys. */
  message: string;
}

/** The outcome of a verification. */
export type VerificationReport =
  | ({ ok: true } & VerificationCounts)
  | ({ ok: false; failure: VerificationFailure } & VerificationCounts);

/** What was checked. */
export interface VerificationCounts {
  /** Events whose hash, chain link and leaf were checked. */
  events: number;
  /** Checkpoints whose signature (and root, when the events were all there) were checked. */
  checkpoints: number;
  /** Approval tokens whose signature and claims were checked. */
  approvals: number;
  /** `complete` (every event from seq 1) or `subset` (a filtered export, checked by inclusion proofs). */
  mode: 'complete' | 'subset';
  /** The `hash` of the last event checked (GENESIS_HASH when none). */
  headHash: string;
  /** The Merkle root of the events checked, in `complete` mode. */
  rootHash?: string;
  /**
   * True when signatures were checked against trust anchors given from outside the source; false for an
   * `'unanchored'` verification (against the keys the source records itself: no proof against its writer).
   */
  anchored: boolean;
  /** Stored documents re-hashed against their digests (a database source only). */
  documents: number;
  /**
   * Given a witness file: how many of its tree heads verified and were matched against the lineage, and every
   * witness failure (in line order); any failure makes the report `ok: false`.
   */
  witness?: { heads: number; failures: WitnessFailure[] };
}
