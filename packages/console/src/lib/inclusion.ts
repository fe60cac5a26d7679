/**
 * RFC 9162 inclusion proofs checked in the browser (https://www.rfc-editor.org/rfc/rfc9162 section 2.1.3.2),
 * with Web Crypto SHA-256 (`crypto.subtle.digest`, FIPS 180-4): the log's leaf `i` is the leaf hash
 * `SHA-256(0x00 || event hash bytes)` and an interior node `SHA-256(0x01 || left || right)` (section 2.1.1), the
 * same hashing as `@handoff/lineage`'s `merkle-verify.ts`, which the offline verifier uses.
 */

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/** The 32 bytes of a `sha256:<64 lower-case hex>` digest, or `undefined` when it is not one. */
export function digestBytes(digest: string): Uint8Array | undefined {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!match?.[1]) return undefined;
  const hex = match[1];
  return Uint8Array.from({ length: 32 }, (_, i) =>
    Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16),
  );
}

/** An inclusion proof as `lineage.proveInclusion` answers it (hashes `sha256:<hex>`). */
export interface InclusionClaim {
  logIndex: number;
  eventHash: string;
  treeSize: number;
  auditPath: readonly string[];
}

/**
 * True when `proof.auditPath` shows that the leaf of `proof.eventHash` at `proof.logIndex` is in the tree of
 * `proof.treeSize` leaves whose root is `rootHash` (RFC 9162 section 2.1.3.2, step by step); false for any
 * malformed hash, index or path.
 */
export async function verifyInclusion(proof: InclusionClaim, rootHash: string): Promise<boolean> {
  const root = digestBytes(rootHash);
  const leaf = digestBytes(proof.eventHash);
  const path = proof.auditPath.map(digestBytes);
  const { logIndex, treeSize } = proof;
  if (!root || !leaf || path.some((p) => p === undefined)) return false;
  if (!Number.isSafeInteger(logIndex) || !Number.isSafeInteger(treeSize)) return false;
  if (logIndex < 0 || logIndex >= treeSize) return false;
  let fn = logIndex;
  let sn = treeSize - 1;
  let r = await sha256(Uint8Array.of(0x00), leaf);
  for (const p of path as Uint8Array[]) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(Uint8Array.of(0x01), p, r);
      // Right-shift fn and sn until fn's lowest bit is set, or fn is 0.
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await sha256(Uint8Array.of(0x01), r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.length === root.length && r.every((byte, i) => byte === root[i]);
}
