import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventLeafHash, MerkleAccumulator, merkleRoot } from '../../src/audit/merkle-tree.js';
import { MAX_INPUT, sha256Into } from '../../src/audit/sha256-block.js';

const reference = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

describe('sha256Into: SHA-256 of short inputs in place', () => {
  it('equals node:crypto at every length from 0 to the maximum, at any offsets', () => {
    for (let length = 0; length <= MAX_INPUT; length += 1) {
      const input = randomBytes(length + 7);
      const out = Buffer.alloc(40);
      sha256Into(input, 7, length, out, 5);
      expect(out.subarray(5, 37)).toEqual(reference(input.subarray(7, 7 + length)));
    }
  });

  it('equals node:crypto on random inputs, and when the output overlaps the input (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: MAX_INPUT }), (bytes) => {
        const expected = reference(bytes);
        const buffer = Buffer.concat([Buffer.from(bytes), Buffer.alloc(32)]);
        sha256Into(buffer, 0, bytes.length, buffer, 0);
        expect(buffer.subarray(0, 32)).toEqual(expected);
      }),
    );
  });

  it('refuses inputs longer than two blocks can pad (RangeError)', () => {
    expect(() =>
      sha256Into(Buffer.alloc(MAX_INPUT + 1), 0, MAX_INPUT + 1, Buffer.alloc(32), 0),
    ).toThrow(RangeError);
  });

  it('gives the accumulator the roots of the hashed leaves, by event hash or by leaf', () => {
    const hashes = Array.from({ length: 70 }, () => `sha256:${randomBytes(32).toString('hex')}`);
    const byHash = new MerkleAccumulator();
    const byLeaf = new MerkleAccumulator();
    hashes.forEach((hash, i) => {
      byHash.pushEventHash(hash);
      byLeaf.push(eventLeafHash(hash));
      const expected = merkleRoot(hashes.slice(0, i + 1).map(eventLeafHash));
      expect(Buffer.from(byHash.root())).toEqual(Buffer.from(expected));
      expect(Buffer.from(byLeaf.root())).toEqual(Buffer.from(expected));
    });
    expect(() => byHash.pushEventHash('sha256:ABC')).toThrow(TypeError);
  });
});
