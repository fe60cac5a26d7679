import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyRoot,
  hexOf,
  leafHash,
  MerkleAccumulator,
  MerkleTree,
  merkleRoot,
  nodeHash,
  verifyConsistency,
  verifyInclusion,
} from '../src/index.js';

// Reference definitions, transcribed literally from RFC 9162 sections 2.1.1, 2.1.3.1 and 2.1.4.1 (recursive,
// slow, obviously right), against which the fast tree is checked.
function sha(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}
function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}
function mth(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return sha();
  if (d.length === 1) return sha(Uint8Array.of(0), d[0] as Uint8Array);
  const split = k(d.length);
  return sha(Uint8Array.of(1), mth(d.slice(0, split)), mth(d.slice(split)));
}
function refPath(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const split = k(d.length);
  return m < split
    ? [...refPath(m, d.slice(0, split)), mth(d.slice(split))]
    : [...refPath(m - split, d.slice(split)), mth(d.slice(0, split))];
}
function refSubproof(m: number, d: Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const split = k(d.length);
  return m <= split
    ? [...refSubproof(m, d.slice(0, split), b), mth(d.slice(split))]
    : [...refSubproof(m - split, d.slice(split), false), mth(d.slice(0, split))];
}

const data = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`event-${i}`));
const hex = (list: Uint8Array[]) => list.map(hexOf);

describe('Merkle tree (RFC 9162 section 2.1)', () => {
  it('hashes leaves with 0x00 and nodes with 0x01, and the empty tree as SHA-256("")', () => {
    const a = Buffer.from('a');
    expect(hexOf(leafHash(a))).toBe(hexOf(sha(Uint8Array.of(0), a)));
    expect(hexOf(nodeHash(a, a))).toBe(hexOf(sha(Uint8Array.of(1), a, a)));
    expect(hexOf(emptyRoot())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(hexOf(new MerkleTree([]).root())).toBe(hexOf(emptyRoot()));
  });

  it('computes MTH, inclusion paths and consistency proofs exactly as the reference, sizes 1 to 33', () => {
    for (let n = 1; n <= 33; n += 1) {
      const d = data(n);
      const leaves = d.map(leafHash);
      const tree = new MerkleTree(leaves);
      const accumulator = new MerkleAccumulator();
      for (let size = 1; size <= n; size += 1) {
        accumulator.push(leaves[size - 1] as Uint8Array);
        expect(hexOf(tree.root(size))).toBe(hexOf(mth(d.slice(0, size))));
        expect(hexOf(accumulator.root())).toBe(hexOf(mth(d.slice(0, size))));
      }
      expect(hexOf(merkleRoot(leaves))).toBe(hexOf(mth(d)));
      for (let m = 0; m < n; m += 1) {
        const path = tree.inclusionProof(m);
        expect(hex(path)).toEqual(hex(refPath(m, d)));
        expect(verifyInclusion(m, n, leaves[m] as Uint8Array, path, tree.root())).toBe(true);
      }
      for (let m = 1; m <= n; m += 1) {
        const proof = tree.consistencyProof(m);
        expect(hex(proof)).toEqual(hex(refSubproof(m, d, true)));
        expect(verifyConsistency(m, n, tree.root(m), tree.root(), proof)).toBe(true);
      }
    }
  });

  it('refuses out-of-range sizes and indices with a RangeError', () => {
    const tree = new MerkleTree(data(5).map(leafHash));
    expect(() => tree.inclusionProof(5)).toThrow(RangeError);
    expect(() => tree.inclusionProof(0, 6)).toThrow(RangeError);
    expect(() => tree.consistencyProof(4, 3)).toThrow(RangeError);
    expect(() => tree.root(-1)).toThrow(RangeError);
  });

  it('rejects a tampered inclusion proof, a wrong index, leaf, size or root (property)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 70 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.integer({ min: 0, max: n - 1 }),
              fc.integer({ min: 0, max: 31 }),
              fc.nat(),
            ),
          ),
        ([n, m, byte, pick]) => {
          const leaves = data(n).map(leafHash);
          const tree = new MerkleTree(leaves);
          const root = tree.root();
          const leaf = leaves[m] as Uint8Array;
          const path = tree.inclusionProof(m);
          expect(verifyInclusion(m, n, leaf, path, root)).toBe(true);
          const other = (m + 1 + (pick % (n - 1))) % n;
          expect(verifyInclusion(other, n, leaf, path, root)).toBe(false);
          expect(verifyInclusion(m, n, leaves[other] as Uint8Array, path, root)).toBe(false);
          // The tree size itself is bound by the signed tree head, not by the path; an index past it fails.
          expect(verifyInclusion(n + (pick % 5), n, leaf, path, root)).toBe(false);
          const flipped = Buffer.from(root);
          flipped[byte] = (flipped[byte] ?? 0) ^ 1;
          expect(verifyInclusion(m, n, leaf, path, flipped)).toBe(false);
          if (path.length > 0) {
            const tampered = path.map((p) => Buffer.from(p));
            const target = tampered[pick % tampered.length] as Buffer;
            target[byte] = (target[byte] ?? 0) ^ 1;
            expect(verifyInclusion(m, n, leaf, tampered, root)).toBe(false);
            expect(verifyInclusion(m, n, leaf, path.slice(0, -1), root)).toBe(false);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects a tampered consistency proof, or one between trees that do not extend each other (property)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 70 })
          .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: n - 1 }), fc.nat())),
        ([n, m, pick]) => {
          const d = data(n);
          const tree = new MerkleTree(d.map(leafHash));
          const proof = tree.consistencyProof(m);
          const [first, second] = [tree.root(m), tree.root()];
          expect(verifyConsistency(m, n, first, second, proof)).toBe(true);
          const tampered = proof.map((p) => Buffer.from(p));
          const target = tampered[pick % tampered.length] as Buffer;
          target[pick % 32] = (target[pick % 32] ?? 0) ^ 0x80;
          expect(verifyConsistency(m, n, first, second, tampered)).toBe(false);
          // A log that rewrote leaf (pick % m) after the first checkpoint is not consistent with it.
          const forked = [...d];
          forked[pick % m] = Buffer.from('rewritten');
          const fork = new MerkleTree(forked.map(leafHash));
          expect(verifyConsistency(m, n, first, fork.root(), fork.consistencyProof(m))).toBe(false);
          expect(verifyConsistency(m, n, second, first, proof)).toBe(false);
          expect(verifyConsistency(m, n, first, second, [])).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('treats the edge cases the RFC leaves to the caller: size 0 and equal sizes', () => {
    const tree = new MerkleTree(data(4).map(leafHash));
    expect(verifyConsistency(0, 4, emptyRoot(), tree.root(), [])).toBe(true);
    expect(verifyConsistency(4, 4, tree.root(), tree.root(), [])).toBe(true);
    expect(verifyConsistency(4, 4, tree.root(), tree.root(3), [])).toBe(false);
    expect(verifyInclusion(0, 0, leafHash(Buffer.from('x')), [], emptyRoot())).toBe(false);
  });

  it('joins aligned ranges by their perfect subtrees into the root of every leaf (the parallel verifier)', () => {
    const raw = data(45);
    const leaves = raw.map(leafHash);
    for (const width of [1, 2, 4, 8, 16, 64]) {
      const joined = new MerkleAccumulator();
      for (let start = 0; start < leaves.length; start += width) {
        const range = new MerkleAccumulator();
        for (const leaf of leaves.slice(start, start + width)) range.push(leaf);
        for (const subtree of range.subtrees()) joined.pushSubtree(subtree.root, subtree.height);
        expect(hexOf(joined.root())).toBe(hexOf(mth(raw.slice(0, start + width))));
      }
      expect(joined.size).toBe(leaves.length);
    }
  });

  it('refuses a subtree that does not start at a multiple of its width', () => {
    const accumulator = new MerkleAccumulator();
    accumulator.push(leafHash(Buffer.from('a')));
    expect(() => accumulator.pushSubtree(new Uint8Array(32), 1)).toThrow(RangeError);
    expect(() => accumulator.pushSubtree(new Uint8Array(31), 0)).toThrow(RangeError);
  });
});
