import { createHash, hash } from 'node:crypto';
import { sha256Into } from './sha256-block.js';

/**
 * The Merkle tree of the lineage, exactly as RFC 9162 section 2.1 defines it (Certificate Transparency v2,
 * https://www.rfc-editor.org/rfc/rfc9162#section-2.1), with SHA-256:
 *
 * - `MTH({})` = SHA-256 of the empty string;
 * - a leaf hash is `SHA-256(0x00 || leaf)`;
 * - an interior node is `SHA-256(0x01 || left || right)`, the left child covering the largest power of two
 *   strictly smaller than the number of leaves (section 2.1.1).
 *
 * **The leaf** of lineage event `seq` is the 32 raw bytes of that event's own `hash` (the hex after `sha256:`),
 * at leaf index `seq - 1`. Its `hash` already commits to every member of the event, its `seq` and its `prevHash`,
 * so the tree commits to the whole chain in order.
 *
 * Hashes here are 32-byte `Uint8Array`s; {@link hexOf} and {@link bytesOfDigest} convert.
 */

/** SHA-256 output size, in bytes. */
export const HASH_BYTES = 32;

// One-shot `crypto.hash` over a reused input buffer: a fraction of `createHash` for 33 and 65 bytes, and the
// verifier computes two of these per event. The result is always a new buffer.
const leafInput = Buffer.alloc(1 + HASH_BYTES);
const nodeInput = Buffer.alloc(1 + 2 * HASH_BYTES);
nodeInput[0] = 0x01;

/** `SHA-256(0x00 || leaf)` (RFC 9162 section 2.1.1). */
export function leafHash(leaf: Uint8Array): Uint8Array {
  if (leaf.length !== HASH_BYTES) {
    return createHash('sha256').update(Uint8Array.of(0x00)).update(leaf).digest();
  }
  leafInput.set(leaf, 1);
  return hash('sha256', leafInput, 'buffer');
}

/** `SHA-256(0x01 || left || right)` (RFC 9162 section 2.1.1). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES) {
    return createHash('sha256').update(Uint8Array.of(0x01)).update(left).update(right).digest();
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_BYTES);
  return hash('sha256', nodeInput, 'buffer');
}

/** The hash of an empty tree: SHA-256 of the empty string. */
export function emptyRoot(): Uint8Array {
  return createHash('sha256').digest();
}

/** Lower-case hex of a hash. */
export function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const DIGEST = /^sha256:([0-9a-f]{64})$/;
const DIGEST_PREFIX = 'sha256:'.length;

/**
 * The 32 bytes of a `sha256:<64 hex>` digest (a lineage event's `hash`), or `undefined` when it is not one.
 */
export function bytesOfDigest(digest: string): Uint8Array | undefined {
  const hex = DIGEST.exec(digest)?.[1];
  return hex === undefined ? undefined : Buffer.from(hex, 'hex');
}

/** True when `digest` is `sha256:` and 64 lower-case hex digits (a loop: cheaper than a regular expression). */
export function isDigest(digest: string): boolean {
  if (digest.length !== DIGEST_PREFIX + 2 * HASH_BYTES || !digest.startsWith('sha256:'))
    return false;
  for (let i = DIGEST_PREFIX; i < digest.length; i += 1) {
    const c = digest.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** The leaf hash of a lineage event from its `hash` digest. @throws TypeError when it is not a digest. */
export function eventLeafHash(eventHash: string): Uint8Array {
  if (!isDigest(eventHash)) {
    throw new TypeError('An event hash must be sha256:<64 lower-case hex>');
  }
  leafInput.write(eventHash.slice(DIGEST_PREFIX), 1, HASH_BYTES, 'hex');
  return hash('sha256', leafInput, 'buffer');
}

/** True when `n` is a positive integer power of two (1, 2, 4, ...), without 32-bit bitwise operators. */
export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && Number.isInteger(Math.log2(n));
}

/** The largest power of two strictly smaller than `n` (n >= 2). */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * An append-only accumulator of leaf hashes that gives the root of the tree of the leaves so far, in O(log n)
 * memory: it keeps the roots of the perfect subtrees the tree's left edge decomposes into (the binary digits of
 * the size). Folding them right to left gives MTH exactly as the recursive definition of section 2.1.1 does.
 * Appending hashes in place (`sha256Into`): no allocation per leaf.
 */
export class MerkleAccumulator {
  /** Perfect subtree roots, largest first, 32 bytes each (at most 64: the size is below 2^64). */
  #roots = Buffer.alloc(64 * HASH_BYTES);
  /** Their heights (2^height leaves each). */
  #heights: number[] = [];
  #size = 0;
  /** `0x01 || left || right`; a new node's hash is written over `right`. */
  readonly #node = Buffer.alloc(1 + 2 * HASH_BYTES);
  /** `0x00 || leaf`, for {@link pushEventHash}. */
  readonly #leaf = Buffer.alloc(1 + HASH_BYTES);

  constructor() {
    this.#node[0] = 0x01;
  }

  /** Leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /** An independent copy (appending to one does not change the other). */
  clone(): MerkleAccumulator {
    const copy = new MerkleAccumulator();
    copy.#roots = Buffer.from(this.#roots);
    copy.#heights = [...this.#heights];
    copy.#size = this.#size;
    return copy;
  }

  /** Appends one leaf hash (already `leafHash`ed, 32 bytes). */
  push(leafHashValue: Uint8Array): void {
    if (leafHashValue.length !== HASH_BYTES) throw new RangeError('A leaf hash is 32 bytes');
    this.#node.set(leafHashValue, 1 + HASH_BYTES);
    this.#carry();
  }

  /**
   * Appends the leaf of a lineage event from its `hash` digest (as `push(eventLeafHash(eventHash))`).
   *
   * @throws TypeError when it is not `sha256:<64 lower-case hex>`.
   */
  pushEventHash(eventHash: string): void {
    if (!isDigest(eventHash)) {
      throw new TypeError('An event hash must be sha256:<64 lower-case hex>');
    }
    this.#leaf.write(eventHash.slice(DIGEST_PREFIX), 1, HASH_BYTES, 'hex');
    sha256Into(this.#leaf, 0, 1 + HASH_BYTES, this.#node, 1 + HASH_BYTES);
    this.#carry();
  }

  /**
   * The perfect subtrees the leaves so far decompose into, largest (leftmost) first: each root (a copy, 32
   * bytes) with its height (2^height leaves). Pushed in order with {@link pushSubtree} onto an accumulator whose
   * size is a multiple of 2^height of the first, they give the same tree as pushing the leaves one by one.
   */
  subtrees(): MerkleSubtree[] {
    return this.#heights.map((height, i) => ({
      root: Uint8Array.from(this.#roots.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES)),
      height,
    }));
  }

  /**
   * Appends a perfect subtree of 2^`height` leaves by its root (as pushing its leaves one by one would): the
   * subtree must start at a multiple of its width, so the size must be one.
   *
   * @throws RangeError when the root is not 32 bytes or the size is not a multiple of 2^height.
   */
  pushSubtree(root: Uint8Array, height: number): void {
    const width = 2 ** height;
    if (root.length !== HASH_BYTES || !Number.isInteger(height) || height < 0) {
      throw new RangeError('A subtree is a 32-byte root and a height >= 0');
    }
    if (this.#size % width !== 0) {
      throw new RangeError(`A subtree of ${width} leaves cannot start at leaf ${this.#size}`);
    }
    this.#node.set(root, 1 + HASH_BYTES);
    this.#carry(height, width);
  }

  /**
   * Merges the new subtree (in the node's right half, of `height`, `leaves` leaves) with equal-height roots,
   * then stacks it.
   */
  #carry(start = 0, leaves = 1): void {
    const node = this.#node;
    const heights = this.#heights;
    let height = start;
    while (heights.length > 0 && heights[heights.length - 1] === height) {
      const top = heights.length - 1;
      copyHash(this.#roots, top * HASH_BYTES, node, 1);
      sha256Into(node, 0, 1 + 2 * HASH_BYTES, node, 1 + HASH_BYTES);
      heights.pop();
      height += 1;
    }
    copyHash(node, 1 + HASH_BYTES, this.#roots, heights.length * HASH_BYTES);
    heights.push(height);
    this.#size += leaves;
  }

  /** The root of the tree of every leaf appended so far (MTH; the empty-tree hash when none). */
  root(): Uint8Array {
    let root: Uint8Array | undefined;
    for (let i = this.#heights.length - 1; i >= 0; i -= 1) {
      const hash = this.#roots.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
      root = root === undefined ? Uint8Array.from(hash) : nodeHash(hash, root);
    }
    return root ?? emptyRoot();
  }
}

/** Copies 32 bytes (a loop: cheaper than a native `copy` call for so few, and allocates nothing). */
function copyHash(from: Uint8Array, fromOffset: number, to: Uint8Array, toOffset: number): void {
  for (let i = 0; i < HASH_BYTES; i += 1) to[toOffset + i] = from[fromOffset + i] as number;
}

/** A perfect subtree of a Merkle tree: its root and its height (2^height leaves). */
export interface MerkleSubtree {
  root: Uint8Array;
  height: number;
}

/** MTH of `leafHashes` (already `leafHash`ed), RFC 9162 section 2.1.1, in O(n) time. */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  const accumulator = new MerkleAccumulator();
  for (const leaf of leafHashes) accumulator.push(leaf);
  return accumulator.root();
}

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
