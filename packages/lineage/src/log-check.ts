import { MerkleAccumulator } from './merkle-accumulator.js';
import { bytesOfDigest, eventLeafHash, hexOf } from './merkle-hash.js';
import { verifyInclusion } from './merkle-verify.js';
import type { VerificationFailure } from './verification-failure.js';

/**
 * The log checks of the verifier (RFC 9162 section 2.1): every sequenced event's leaf (the 32 bytes of its
 * `hash`) is appended in log-index order, and at each signed tree head's size the root must be the signed one.
 * A lineage with only format-1 events has log index `seq - 1`.
 */

/** What the log check reads of a tree head: its size and root (its signature is checked before). */
export interface LogTreeHead {
  treeSize: number;
  rootHash: string;
}

/** Where the failure is reported. */
export interface LogAt {
  seq: number;
  chain?: string;
  line?: number;
}

/** The log of a complete lineage, rebuilt leaf by leaf. */
export class LogCheck {
  readonly #tree = new MerkleAccumulator();

  /** @param heads - the verified tree heads by size. */
  constructor(private readonly heads: ReadonlyMap<number, LogTreeHead>) {}

  /** Leaves appended so far. */
  get size(): number {
    return this.#tree.size;
  }

  /** The root of the leaves so far, as `sha256:<hex>`. */
  root(): string {
    return `sha256:${hexOf(this.#tree.root())}`;
  }

  /**
   * Appends the leaf of an event with `hash` at `logIndex`: it must be the next leaf (`LOG_INDEX_GAP`), and the
   * root at a tree head's size the signed one (`CHECKPOINT_ROOT_MISMATCH`, located at that size: `seq` =
   * `treeSize`, no chain).
   */
  append(hash: string, logIndex: number, at: LogAt): VerificationFailure | undefined {
    if (logIndex !== this.#tree.size) {
      return {
        code: 'LOG_INDEX_GAP',
        ...at,
        expectedIndex: this.#tree.size,
        foundIndex: logIndex,
        message: `Expected log index ${this.#tree.size}, found ${logIndex}`,
      };
    }
    this.#tree.pushEventHash(hash);
    const head = this.heads.get(this.#tree.size);
    if (head === undefined) return undefined;
    const root = this.root();
    if (root === head.rootHash) return undefined;
    // A tree head's failure is located at its size (not at the chain of the leaf that completes it).
    return {
      code: 'CHECKPOINT_ROOT_MISMATCH',
      seq: head.treeSize,
      ...(at.line === undefined ? {} : { line: at.line }),
      treeSize: head.treeSize,
      expected: head.rootHash,
      found: root,
      message: `The first ${head.treeSize} leaves of the log do not have the signed Merkle root`,
    };
  }
}

/**
 * An event of a subset (a filtered export) must carry an inclusion proof (RFC 9162 section 2.1.3.2) of its leaf
 * at `logIndex` to a verified tree head (`INCLUSION_PROOF_INVALID`).
 *
 * @param proof - the tree size and the audit path, hashes as lower-case hex.
 */
export function inclusionFailure(
  hash: string,
  logIndex: number,
  proof: { treeSize: number; path: readonly string[] } | undefined,
  heads: ReadonlyMap<number, LogTreeHead>,
  at: LogAt,
): VerificationFailure | undefined {
  const treeSize = proof?.treeSize ?? 0;
  const root = bytesOfDigest(heads.get(treeSize)?.rootHash ?? '');
  const path = (proof?.path ?? []).map((hex) => Buffer.from(hex, 'hex'));
  if (root && verifyInclusion(logIndex, treeSize, eventLeafHash(hash), path, root))
    return undefined;
  return {
    code: 'INCLUSION_PROOF_INVALID',
    ...at,
    treeSize,
    message: `Event ${at.seq} is not shown to be in the signed log of ${treeSize} leaves`,
  };
}
