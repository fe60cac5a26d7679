import {
  emptyRoot,
  HASH_BYTES,
  isPowerOfTwo,
  largestPowerOfTwoBelow,
  nodeHash,
} from './merkle-hash.js';

/**
 * A tree held in memory, built once so proofs are cheap: level 0 is the leaf hashes, level `j + 1` hashes
 * pairs of level `j` (an odd last node is carried up). The hash of any perfect subtree (2^j leaves starting at a
 * multiple of 2^j) is then one lookup, and any other subtree of RFC 9162's split is O(log n) of them, so every
 * proof costs O(log^2 n). Proofs may be asked for any earlier tree size (a checkpoint's).
 */
export class MerkleTree {
  /** Level j: its nodes' hashes back to back, 32 bytes each (one buffer per level, not one object per node). */
  readonly #levels: Buffer[];
  readonly #size: number;

  /**
   * @param leafHashes - the leaf hashes (already `leafHash`ed), in leaf order: an array, or one buffer of
   *   32-byte hashes back to back (cheaper for millions of leaves).
   */
  constructor(leafHashes: readonly Uint8Array[] | Buffer) {
    let level = Buffer.isBuffer(leafHashes) ? leafHashes : Buffer.concat([...leafHashes]);
    if (level.length % HASH_BYTES !== 0) throw new RangeError('Leaf hashes must be 32 bytes each');
    this.#size = level.length / HASH_BYTES;
    this.#levels = [level];
    for (let count = this.#size; count > 1; count = Math.ceil(count / 2)) {
      const next = Buffer.allocUnsafe(Math.ceil(count / 2) * HASH_BYTES);
      for (let i = 0; i + 1 < count; i += 2) {
        const left = level.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
        const right = level.subarray((i + 1) * HASH_BYTES, (i + 2) * HASH_BYTES);
        next.set(nodeHash(left, right), (i / 2) * HASH_BYTES);
      }
      if (count % 2 === 1)
        level.copy(next, ((count - 1) / 2) * HASH_BYTES, (count - 1) * HASH_BYTES);
      this.#levels.push(next);
      level = next;
    }
  }

  /** Number of leaves. */
  get size(): number {
    return this.#size;
  }

  /** MTH(D[start:end]) for `0 <= start < end <= size`. */
  #subtree(start: number, end: number): Uint8Array {
    const width = end - start;
    if (isPowerOfTwo(width) && start % width === 0) {
      const level = this.#levels[Math.log2(width)];
      const offset = (start / width) * HASH_BYTES;
      if (level !== undefined && offset + HASH_BYTES <= level.length) {
        return level.subarray(offset, offset + HASH_BYTES);
      }
    }
    const k = largestPowerOfTwoBelow(width);
    return nodeHash(this.#subtree(start, start + k), this.#subtree(start + k, end));
  }

  #checkSize(treeSize: number): void {
    if (!(Number.isSafeInteger(treeSize) && treeSize >= 0 && treeSize <= this.size)) {
      throw new RangeError(`Tree size ${treeSize} is outside 0..${this.size}`);
    }
  }

  /**
   * The root hash (MTH) of the first `treeSize` leaves (default: all).
   *
   * @throws RangeError when `treeSize` is not in `0..size`.
   */
  root(treeSize = this.size): Uint8Array {
    this.#checkSize(treeSize);
    return treeSize === 0 ? emptyRoot() : this.#subtree(0, treeSize);
  }

  /**
   * The inclusion proof of leaf `index` in the tree of the first `treeSize` leaves (default: all):
   * PATH(index, D[treeSize]) of RFC 9162 section 2.1.3.1, sibling hashes from the leaf up.
   *
   * @throws RangeError when `treeSize` is not in `1..size` or `index` not in `0..treeSize - 1`.
   */
  inclusionProof(index: number, treeSize = this.size): Uint8Array[] {
    this.#checkSize(treeSize);
    if (!(Number.isSafeInteger(index) && index >= 0 && index < treeSize)) {
      throw new RangeError(`Leaf index ${index} is outside a tree of ${treeSize} leaves`);
    }
    const path: Uint8Array[] = [];
    // PATH(m, D[start:end]) unrolled from the root down; the proof lists siblings from the leaf up.
    let start = 0;
    let end = treeSize;
    while (end - start > 1) {
      const k = largestPowerOfTwoBelow(end - start);
      if (index < start + k) {
        path.push(this.#subtree(start + k, end));
        end = start + k;
      } else {
        path.push(this.#subtree(start, start + k));
        start += k;
      }
    }
    return path.reverse();
  }

  /**
   * The consistency proof between the tree of the first `first` leaves and that of the first `second` leaves
   * (default: all): PROOF(first, D[second]) of RFC 9162 section 2.1.4.1. Empty when `first` is 0 or equals
   * `second`.
   *
   * @throws RangeError unless `0 <= first <= second <= size`.
   */
  consistencyProof(first: number, second = this.size): Uint8Array[] {
    this.#checkSize(second);
    if (!(Number.isSafeInteger(first) && first >= 0 && first <= second)) {
      throw new RangeError(`First tree size ${first} is outside 0..${second}`);
    }
    if (first === 0 || first === second) return [];
    // SUBPROOF(m, D[start:end], b), unrolled: each step appends the sibling subtree, outermost last.
    const proof: Uint8Array[] = [];
    let m = first;
    let start = 0;
    let end = second;
    let complete = true;
    while (m !== end - start) {
      const k = largestPowerOfTwoBelow(end - start);
      if (m <= k) {
        proof.push(this.#subtree(start + k, end));
        end = start + k;
      } else {
        proof.push(this.#subtree(start, start + k));
        start += k;
        m -= k;
        complete = false;
      }
    }
    if (!complete) proof.push(this.#subtree(start, end));
    return proof.reverse();
  }
}
