import type { WitnessFailure } from '@handoff/lineage';
import { hexOf, isDigest, MerkleAccumulator, verifyTreeHead } from '@handoff/lineage';
import type { Digest } from '@handoff/protocol';
import { decodeProtectedHeader, type JWK } from 'jose';
import { isGatewayError } from '../errors.js';
import type { VerifierTrust } from './trust-anchors.js';

/**
 * Checking a lineage against tree heads kept outside it (a witness file: see `WitnessFile`).
 *
 * How: each head's JWS is verified with the TRUSTED checkpoint key of its kid (never a key the lineage records),
 * then the verifier RECOMPUTES the RFC 9162 root of the lineage's first `treeSize` events and compares it with the
 * signed root. Recomputing, not a consistency proof: the verifier reads every event anyway (it checks the whole
 * chain), so the recomputed root proves directly that those events are exactly what the head committed to, and no
 * proof-building code (which the database's writer would supply) has to be trusted. Lines agree with each other
 * when they all match the one lineage; {@link verifyWitnessHeads} also refuses a file whose sizes go back or fork.
 */

/** A witness head whose signature verified with a trusted key. */
export interface WitnessHead {
  witnessLine: number;
  treeSize: number;
  rootHash: Digest;
  kid: string;
}

/** Readable copies a witness line may carry beside its `jws`; each must equal what was signed. */
const COPIES = ['treeSize', 'rootHash', 'signedAt', 'kid'] as const;

/** The JWS of a line: a witness JSON line's `jws`, or the whole line when it is a bare compact JWS. */
function parseLine(text: string): { jws: string; copies: Record<string, unknown> } | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) {
    return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(trimmed) ? { jws: trimmed, copies: {} } : undefined;
  }
  try {
    const value = JSON.parse(trimmed) as Record<string, unknown>;
    return typeof value.jws === 'string' ? { jws: value.jws, copies: value } : undefined;
  } catch {
    return undefined;
  }
}

/** The trusted checkpoint key of a JWS's kid, `undefined` when none is trusted; `malformed` without a kid. */
async function trustedKey(
  jws: string,
  trust: VerifierTrust,
): Promise<JWK | 'malformed' | undefined> {
  let header: { alg?: unknown; kid?: unknown };
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    return 'malformed';
  }
  if (typeof header.kid !== 'string') return 'malformed';
  if (trust === 'unanchored') return undefined;
  try {
    return await trust.checkpointKeys.resolveJwk({ alg: String(header.alg), kid: header.kid });
  } catch (error) {
    if (
      isGatewayError(error, 'APPROVAL_UNKNOWN_KEY') ||
      isGatewayError(error, 'APPROVAL_ALG_NOT_ALLOWED')
    ) {
      return undefined;
    }
    throw error;
  }
}

/**
 * Verifies every line of a witness file (blank lines skipped) and that the lines are append-consistent: sizes
 * never go back, and one size has one root.
 *
 * @returns the verified heads (file order) and the failures: `WITNESS_MALFORMED` (not a line, no kid, copies
 *   unlike the signed head, or no head at all), `WITNESS_KEY_UNTRUSTED` (no trusted key of its kid, or `trust` is
 *   `'unanchored'`: a witness proves nothing against keys its attacker could record), `WITNESS_SIGNATURE_INVALID`
 *   (does not verify with the trusted key of its kid), `WITNESS_INCONSISTENT`.
 * @throws GatewayError `KEY_SOURCE_UNAVAILABLE` / `CONFIG_INVALID` when a trust anchor cannot be read.
 */
export async function verifyWitnessHeads(
  text: string,
  trust: VerifierTrust,
): Promise<{ heads: WitnessHead[]; failures: WitnessFailure[] }> {
  const heads: WitnessHead[] = [];
  const failures: WitnessFailure[] = [];
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    if (raw.trim() === '') continue;
    const at = { witnessLine: index + 1, seq: 0 };
    const malformed = (why: string): void => {
      failures.push({
        code: 'WITNESS_MALFORMED',
        ...at,
        message: `Witness line ${index + 1}: ${why}`,
      });
    };
    const line = parseLine(raw);
    if (line === undefined) {
      malformed('not a witness line or a compact JWS');
      continue;
    }
    const key = await trustedKey(line.jws, trust);
    if (key === 'malformed') {
      malformed('its JWS names no kid');
      continue;
    }
    if (key === undefined) {
      const { kid } = decodeProtectedHeader(line.jws) as { kid: string };
      failures.push({
        code: 'WITNESS_KEY_UNTRUSTED',
        ...at,
        kid,
        message: `Witness line ${index + 1} is not signed by a trusted checkpoint key (kid ${kid})`,
      });
      continue;
    }
    const verified = await verifyTreeHead(line.jws, () => key);
    if (!verified.ok) {
      failures.push({
        code: 'WITNESS_SIGNATURE_INVALID',
        ...at,
        message: `Witness line ${index + 1} does not verify with the trusted key of its kid: forged, altered, or signed by another key`,
      });
      continue;
    }
    const signed: Record<string, unknown> = { ...verified.head, kid: verified.kid };
    const differs = COPIES.find((k) => k in line.copies && line.copies[k] !== signed[k]);
    if (differs) {
      malformed(`its ${differs} is not what was signed`);
      continue;
    }
    const head = { witnessLine: index + 1, ...verified.head, kid: verified.kid };
    const previous = heads.at(-1);
    if (
      previous &&
      (head.treeSize < previous.treeSize ||
        (head.treeSize === previous.treeSize && head.rootHash !== previous.rootHash))
    ) {
      failures.push({
        code: 'WITNESS_INCONSISTENT',
        ...at,
        seq: head.treeSize,
        treeSize: head.treeSize,
        message: `Witness line ${index + 1} (${head.treeSize} events) does not extend line ${previous.witnessLine} (${previous.treeSize} events)`,
      });
      continue;
    }
    heads.push({
      witnessLine: head.witnessLine,
      treeSize: head.treeSize,
      rootHash: head.rootHash,
      kid: head.kid,
    });
  }
  if (heads.length === 0 && failures.length === 0) {
    failures.push({
      code: 'WITNESS_MALFORMED',
      witnessLine: 0,
      seq: 0,
      message: 'The witness holds no tree head',
    });
  }
  return { heads, failures };
}

/**
 * Recomputes the lineage's Merkle root at each witnessed size, from the event hashes in `seq` order (fed with
 * {@link WitnessMatcher.push}), and compares it with the signed root.
 */
export class WitnessMatcher {
  readonly #heads: WitnessHead[];
  readonly #accumulator = new MerkleAccumulator();
  readonly failures: WitnessFailure[] = [];
  #next = 0;
  /** The seq of the first event whose hash could not be read: no root is computed from there. */
  #unreadableAt: number | undefined;

  constructor(heads: readonly WitnessHead[]) {
    this.#heads = [...heads].sort((a, b) => a.treeSize - b.treeSize);
  }

  /** The next event's `hash` (`undefined` or not a digest when the event could not be read). */
  push(eventHash: unknown): void {
    if (this.#unreadableAt !== undefined) return;
    if (typeof eventHash !== 'string' || !isDigest(eventHash)) {
      this.#unreadableAt = this.#accumulator.size + 1;
      return;
    }
    this.#accumulator.pushEventHash(eventHash);
    for (
      let h = this.#heads[this.#next];
      h?.treeSize === this.#accumulator.size;
      h = this.#heads[this.#next]
    ) {
      this.#next += 1;
      const found = `sha256:${hexOf(this.#accumulator.root())}`;
      if (found !== h.rootHash) this.#mismatch(h, found);
    }
  }

  #mismatch(h: WitnessHead, found: string): void {
    this.failures.push({
      code: 'WITNESS_ROOT_MISMATCH',
      witnessLine: h.witnessLine,
      seq: h.treeSize,
      treeSize: h.treeSize,
      expected: h.rootHash,
      found,
      message: `The first ${h.treeSize} events do not have the Merkle root witnessed at line ${h.witnessLine}: history was rewritten`,
    });
  }

  /** The failures, once every event was pushed: heads beyond the last event, or beyond an unreadable one. */
  finish(): WitnessFailure[] {
    const events = this.#accumulator.size;
    for (const h of this.#heads.slice(this.#next)) {
      if (h.treeSize === 0) continue;
      if (this.#unreadableAt !== undefined) {
        this.#mismatch(h, `unreadable event at seq ${this.#unreadableAt}`);
        continue;
      }
      this.failures.push({
        code: 'WITNESS_TREE_TRUNCATED',
        witnessLine: h.witnessLine,
        seq: events + 1,
        treeSize: h.treeSize,
        events,
        message: `Line ${h.witnessLine} witnessed ${h.treeSize} events but only ${events} exist: the tail was deleted or the database rolled back`,
      });
    }
    return this.failures.sort((a, b) => a.witnessLine - b.witnessLine);
  }
}
