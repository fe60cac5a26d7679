import { emptyRoot, eventLeafHash, HASH_BYTES, nodeHash } from './merkle-hash.js';

/** A perfect subtree of a Merkle tree: its root and its height (2^height leaves). */
export interface MerkleSubtree {
  root: Uint8Array;
  height: number;
}

/**
 * An append-only accumulator of leaf hashes that gives the root of the tree of the leaves so far (MTH, RFC 9162
 * section 2.1.1), in O(log n) memory: it keeps the roots of the perfect subtrees the tree's left edge decomposes
 * into (the binary digits of the size). Folding them right to left gives MTH exactly as the recursive definition
 * does.
 */
export class MerkleAccumulator {
  /** Perfect subtree roots, largest (leftmost) first. */
  #roots: MerkleSubtree[] = [];
  #size = 0;

  /** Leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /** An independent copy (appending to one does not change the other). */
  clone(): MerkleAccumulator {
    const copy = new MerkleAccumulator();
    copy.#roots = [...this.#roots];
    copy.#size = this.#size;
    return copy;
  }

  /**
   * Appends one leaf hash (already `leafHash`ed).
   *
   * @throws RangeError when it is not 32 bytes.
   */
  push(leafHashValue: Uint8Array): void {
    if (leafHashValue.length !== HASH_BYTES) throw new RangeError('A leaf hash is 32 bytes');
    this.#carry({ root: leafHashValue, height: 0 }, 1);
  }

  /**
   * Appends the leaf of a lineage event from its `hash` digest (as `push(eventLeafHash(eventHash))`).
   *
   * @throws TypeError when it is not `sha256:<64 lower-case hex>`.
   */
  pushEventHash(eventHash: string): void {
    this.push(eventLeafHash(eventHash));
  }

  /** The perfect subtrees the leaves so far decompose into, largest (leftmost) first. */
  subtrees(): MerkleSubtree[] {
    return this.#roots.map(({ root, height }) => ({ root: Uint8Array.from(root), height }));
  }

  /**
   * Appends a perfect subtree of 2^`height` leaves by its root (as pushing its leaves one by one would): the
   * subtree must start at a multiple of its width.
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
    this.#carry({ root, height }, width);
  }

  /** Merges the new subtree with equal-height roots (binary carry), then stacks it. */
  #carry(subtree: MerkleSubtree, leaves: number): void {
    let { root, height } = subtree;
    let top = this.#roots.at(-1);
    while (top !== undefined && top.height === height) {
      root = nodeHash(top.root, root);
      height += 1;
      this.#roots.pop();
      top = this.#roots.at(-1);
    }
    this.#roots.push({ root, height });
    this.#size += leaves;
  }

  /** The root of the tree of every leaf appended so far (MTH; the empty-tree hash when none). */
  root(): Uint8Array {
    let root: Uint8Array | undefined;
    for (let i = this.#roots.length - 1; i >= 0; i -= 1) {
      const left = (this.#roots[i] as MerkleSubtree).root;
      root = root === undefined ? Uint8Array.from(left) : nodeHash(left, root);
    }
    return root ?? emptyRoot();
  }
}

/** MTH of `leafHashes` (already `leafHash`ed), RFC 9162 section 2.1.1, in O(n) time. */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  const accumulator = new MerkleAccumulator();
  for (const leaf of leafHashes) accumulator.push(leaf);
  return accumulator.root();
}
