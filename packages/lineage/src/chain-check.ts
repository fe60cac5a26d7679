import { GENESIS_HASH, type LineageEvent } from '@handoff/protocol';
import { chainKey, eventHash } from './event-hash.js';
import { isDigest } from './merkle-hash.js';
import type { VerificationFailure } from './verification-failure.js';

/**
 * The per-chain checks of the verifier, one event at a time, one plain path: the event is `JSON.parse`d, its
 * `hash` recomputed ({@link eventHash}: RFC 8785, then `node:crypto` SHA-256) and its link checked against the
 * previous event OF ITS CHAIN. The same code runs on the main thread and on the worker threads of
 * `verifyChainsInWorkers`, each worker over whole chains.
 *
 * Chains: a format-2 event (with `chain`) belongs to its plan's chain (`plan:<tenantId>/<planId>`) or its tenant's
 * (`tenant:<tenantId>`); a format-1 event (no `chain`) to the one global chain. A migrated lineage holds
 * format-1 events first and format-2 events after them: a format-1 event after a format-2 one is refused.
 */

/** Where an event sits, for the failure: its 1-based export line, if any. */
export interface EventAt {
  line?: number;
}

/** The last event checked on one chain. */
interface Head {
  seq: number;
  hash: string;
}

/**
 * Parses one stored or exported event: JSON text (or an already parsed value) that has the members the checks
 * read (`seq`, `hash`, `prevHash` digests, `tenantId`, `refs`, `data`).
 *
 * @returns the event, or `undefined` when it is not one (the caller reports `BODY_MALFORMED`).
 */
export function parseEvent(text: string | unknown): LineageEvent | undefined {
  let body: unknown = text;
  if (typeof text === 'string') {
    try {
      body = JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const e = body as Partial<LineageEvent>;
  const ok =
    Number.isSafeInteger(e.seq) &&
    typeof e.hash === 'string' &&
    isDigest(e.hash) &&
    typeof e.prevHash === 'string' &&
    typeof e.tenantId === 'string' &&
    (e.chain === undefined || e.chain === 'plan' || e.chain === 'tenant') &&
    (e.chain !== 'plan' || typeof e.planId === 'string') &&
    typeof e.refs === 'object' &&
    e.refs !== null &&
    typeof e.data === 'object' &&
    e.data !== null;
  return ok ? (body as LineageEvent) : undefined;
}

/**
 * The chain state of a verification: the head of every chain seen so far. {@link check} takes the events of
 * each chain in chain order (any interleaving of chains).
 */
export class ChainCheck {
  readonly #heads = new Map<string, Head>();
  #format2Seen = false;

  /**
   * @param mode - `complete`: every event of every chain, so each `seq` is the next; `subset` (a filtered
   *   export): `seq` only grows, and links are checked between consecutive `seq`s.
   */
  constructor(private readonly mode: 'complete' | 'subset' = 'complete') {}

  /** Chains seen so far. */
  get chains(): number {
    return this.#heads.size;
  }

  /**
   * Checks one parsed event: its `seq` follows its chain's head (`SEQ_GAP`), its `hash` is {@link eventHash}
   * of it (`HASH_MISMATCH`, or `BODY_MALFORMED` when it has no RFC 8785 form), its `prevHash` is the head's
   * `hash` (`CHAIN_BROKEN`; `GENESIS_HASH` at seq 1), and no format-1 event follows a format-2 one
   * (`CHAIN_BROKEN`). The event becomes its chain's head when it holds.
   *
   * @returns the first failure, or `undefined` when the event holds.
   */
  check(event: LineageEvent, at: EventAt = {}): VerificationFailure | undefined {
    const key = chainKey(event);
    const where = {
      seq: event.seq,
      ...(key === 'global' ? {} : { chain: key }),
      ...(at.line ? { line: at.line } : {}),
    };
    if (key === 'global' && this.#format2Seen) {
      return {
        code: 'CHAIN_BROKEN',
        ...where,
        expected: 'a format-2 event (with chain)',
        found: 'a format-1 event',
        message: `Event ${event.seq} of the global chain follows per-chain events`,
      };
    }
    const head = this.#heads.get(key) ?? { seq: 0, hash: GENESIS_HASH };
    const of = key === 'global' ? '' : ` of ${key}`;
    const next = head.seq + 1;
    if (this.mode === 'complete' ? event.seq !== next : event.seq <= head.seq) {
      return {
        code: 'SEQ_GAP',
        ...where,
        seq: next,
        expectedSeq: next,
        foundSeq: event.seq,
        message: `Expected seq ${this.mode === 'complete' ? next : `> ${head.seq}`}${of}, found ${event.seq}`,
      };
    }
    let recomputed: string;
    try {
      recomputed = eventHash(event);
    } catch {
      return { code: 'BODY_MALFORMED', ...where, message: 'The event has no JSON form' };
    }
    if (recomputed !== event.hash) {
      return {
        code: 'HASH_MISMATCH',
        ...where,
        expected: recomputed,
        found: event.hash,
        message: `Event ${event.seq}${of} was changed: its content does not hash to its hash`,
      };
    }
    if (event.seq === next && event.prevHash !== head.hash) {
      return {
        code: 'CHAIN_BROKEN',
        ...where,
        expected: head.hash,
        found: event.prevHash,
        message: `Event ${event.seq}${of} does not link to event ${head.seq}`,
      };
    }
    if (key !== 'global') this.#format2Seen = true;
    this.#heads.set(key, { seq: event.seq, hash: event.hash });
    return undefined;
  }
}
