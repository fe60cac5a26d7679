import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { digestBytes, verifyInclusion } from '../src/lib/inclusion.js';

/*
 * An independent oracle: RFC 9162 section 2.1.1 MTH and section 2.1.3.1 PATH, written recursively with
 * node:crypto, against which the browser's iterative check (Web Crypto) is tested.
 */
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const split = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 1) return sha(Buffer.from([0]), leaves[0] as Buffer);
  const k = split(leaves.length);
  return sha(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function path(m: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return m < k
    ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))]
    : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}
const digest = (bytes: Buffer) => `sha256:${bytes.toString('hex')}`;
const eventHashes = Array.from({ length: 7 }, (_, i) => sha(Buffer.from(`event ${i}`)));

describe('verifyInclusion (RFC 9162 section 2.1.3.2, Web Crypto)', () => {
  test('every leaf of trees of 1 to 7 leaves is proved included against the root', async () => {
    for (let size = 1; size <= eventHashes.length; size += 1) {
      const leaves = eventHashes.slice(0, size);
      const root = digest(mth(leaves));
      for (let i = 0; i < size; i += 1) {
        const proof = {
          logIndex: i,
          eventHash: digest(leaves[i] as Buffer),
          treeSize: size,
          auditPath: path(i, leaves).map(digest),
        };
        expect(await verifyInclusion(proof, root), `leaf ${i} of ${size}`).toBe(true);
      }
    }
  });

  test('another root, leaf, index, size or a shortened path is refused', async () => {
    const leaves = eventHashes.slice(0, 5);
    const root = digest(mth(leaves));
    const proof = {
      logIndex: 2,
      eventHash: digest(leaves[2] as Buffer),
      treeSize: 5,
      auditPath: path(2, leaves).map(digest),
    };
    expect(await verifyInclusion(proof, root)).toBe(true);
    expect(await verifyInclusion(proof, digest(mth(leaves.slice(0, 4))))).toBe(false);
    expect(await verifyInclusion({ ...proof, eventHash: digest(leaves[3] as Buffer) }, root)).toBe(
      false,
    );
    expect(await verifyInclusion({ ...proof, logIndex: 3 }, root)).toBe(false);
    expect(await verifyInclusion({ ...proof, treeSize: 9 }, root)).toBe(false);
    expect(await verifyInclusion({ ...proof, logIndex: 5 }, root)).toBe(false);
    expect(await verifyInclusion({ ...proof, auditPath: proof.auditPath.slice(1) }, root)).toBe(
      false,
    );
    expect(await verifyInclusion({ ...proof, eventHash: 'sha256:00' }, root)).toBe(false);
  });

  test('digestBytes reads sha256:<64 lower-case hex> only', () => {
    expect(digestBytes(`sha256:${'ab'.repeat(32)}`)).toEqual(new Uint8Array(32).fill(0xab));
    expect(digestBytes(`sha256:${'AB'.repeat(32)}`)).toBeUndefined();
    expect(digestBytes('ab'.repeat(32))).toBeUndefined();
  });
});
