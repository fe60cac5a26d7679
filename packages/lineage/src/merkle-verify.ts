import { timingSafeEqual } from 'node:crypto';
import { HASH_BYTES, isPowerOfTwo, nodeHash } from './merkle-hash.js';

/**
 * Verification of RFC 9162 proofs, written after the RFC's own algorithms so a verifier needs nothing but the
 * proof, the sizes and the signed roots (https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3.2 and
 * #section-2.1.4.2). Both return a boolean: a proof either verifies or it does not; malformed input (a hash
 * that is not 32 bytes, a size out of range) is simply a proof that does not verify.
 */

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === HASH_BYTES && b.length === HASH_BYTES && timingSafeEqual(a, b);
}

function wellFormed(path: readonly Uint8Array[]): boolean {
  return path.every((p) => p.length === HASH_BYTES);
}

/**
 * The shared step of both RFC algorithms: "right-shift both fn and sn equally until either LSB(fn) is set or fn
 * is 0" (sizes up to 2^53 exceed 32-bit shifts, so this halves with arithmetic, not `>>`).
 */
function shiftUntilOdd(fn: number, sn: number): [number, number] {
  let [f, s] = [fn, sn];
  while (f % 2 === 0 && f !== 0) {
    f = Math.floor(f / 2);
    s = Math.floor(s / 2);
  }
  return [f, s];
}

function validSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/**
 * RFC 9162 section 2.1.3.2: true when `path` proves that the leaf with hash `leafHashValue` (already
 * `leafHash`ed) is leaf `leafIndex` (0-based) of the tree of `treeSize` leaves whose root is `rootHash`.
 */
export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leafHashValue: Uint8Array,
  path: readonly Uint8Array[],
  rootHash: Uint8Array,
): boolean {
  if (!validSize(leafIndex) || !validSize(treeSize) || leafIndex >= treeSize) return false;
  if (!wellFormed(path) || leafHashValue.length !== HASH_BYTES) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHashValue;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      [fn, sn] = shiftUntilOdd(fn, sn);
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && sameHash(r, rootHash);
}

/**
 * RFC 9162 section 2.1.4.2: true when `proof` shows that the tree of `first` leaves with root `firstRoot` is a
 * prefix of the tree of `second` leaves with root `secondRoot`. The cases the RFC leaves to the caller: `first`
 * = 0 is consistent with anything (with an empty proof), and `first` = `second` needs an empty proof and equal
 * roots.
 */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!validSize(first) || !validSize(second) || first > second || !wellFormed(proof)) return false;
  if (first === 0) return proof.length === 0;
  if (first === second) return proof.length === 0 && sameHash(firstRoot, secondRoot);
  // 1. An empty path fails.
  if (proof.length === 0) return false;
  // 2. When first is an exact power of two, its root is the first node of the path.
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  // 3.-4.
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // 5.
  let fr = path[0] as Uint8Array;
  let sr = fr;
  // 6.
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      [fn, sn] = shiftUntilOdd(fn, sn);
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // 7.
  return sn === 0 && sameHash(fr, firstRoot) && sameHash(sr, secondRoot);
}
