import { createHash, hash } from 'node:crypto';

/**
 * The hashes of the lineage's Merkle log, exactly as RFC 9162 section 2.1.1 defines them (Certificate
 * Transparency v2, https://www.rfc-editor.org/rfc/rfc9162#section-2.1.1), with SHA-256 from `node:crypto`:
 *
 * - `MTH({})` = SHA-256 of the empty string;
 * - a leaf hash is `SHA-256(0x00 || leaf)`;
 * - an interior node is `SHA-256(0x01 || left || right)`.
 *
 * **The leaf** of a lineage event is the 32 raw bytes of that event's own `hash` (the hex after `sha256:`), at
 * the event's log index. Its `hash` already commits to every member of the event, its chain, `seq` and
 * `prevHash`, so the log commits to every chain.
 *
 * Hashes here are 32-byte `Uint8Array`s; {@link hexOf} and {@link bytesOfDigest} convert.
 */

/** SHA-256 output size, in bytes. */
export const HASH_BYTES = 32;

const DIGEST = /^sha256:([0-9a-f]{64})$/;

/** `SHA-256(0x00 || leaf)` (RFC 9162 section 2.1.1). */
export function leafHash(leaf: Uint8Array): Uint8Array {
  return createHash('sha256').update(Uint8Array.of(0x00)).update(leaf).digest();
}

/** `SHA-256(0x01 || left || right)` (RFC 9162 section 2.1.1). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return createHash('sha256').update(Uint8Array.of(0x01)).update(left).update(right).digest();
}

/** The hash of an empty tree: SHA-256 of the empty string. */
export function emptyRoot(): Uint8Array {
  return hash('sha256', '', 'buffer');
}

/** Lower-case hex of a hash. */
export function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** The 32 bytes of a `sha256:<64 hex>` digest (a lineage event's `hash`), or `undefined` when it is not one. */
export function bytesOfDigest(digest: string): Uint8Array | undefined {
  const hex = DIGEST.exec(digest)?.[1];
  return hex === undefined ? undefined : Buffer.from(hex, 'hex');
}

/** True when `digest` is `sha256:` and 64 lower-case hex digits. */
export function isDigest(digest: string): boolean {
  return DIGEST.test(digest);
}

/**
 * The leaf hash of a lineage event from its `hash` digest: `SHA-256(0x00 || 32 bytes of the digest)`.
 *
 * @throws TypeError when it is not `sha256:<64 lower-case hex>`.
 */
export function eventLeafHash(eventHash: string): Uint8Array {
  const bytes = bytesOfDigest(eventHash);
  if (bytes === undefined) throw new TypeError('An event hash must be sha256:<64 lower-case hex>');
  return leafHash(bytes);
}

/** True when `n` is a positive integer power of two (1, 2, 4, ...), without 32-bit bitwise operators. */
export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && Number.isInteger(Math.log2(n));
}

/** The largest power of two strictly smaller than `n` (n >= 2), RFC 9162's split point `k`. */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
