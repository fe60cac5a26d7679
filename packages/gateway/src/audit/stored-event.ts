import { hash } from 'node:crypto';
import { hasEscapesOrControls, MEMBERS, SLOT, scanEventText } from './canonical-scan.js';
import type { EventColumns } from './lineage-source.js';

const DIGEST_PREFIX = 'sha256:'.length;
const DIGEST_LENGTH = DIGEST_PREFIX + 64;

/**
 * `sha256:` and 64 more characters: with the final comparison of `holds` (those 64 are the lower-case hex
 * SHA-256 computed there), the same as `isDigest`, without a loop over characters the comparison reads anyway.
 */
function isDigestShaped(value: string): boolean {
  return value.length === DIGEST_LENGTH && value.startsWith('sha256:');
}

/**
 * The fast check of one stored `lineage_events` row, without parsing its body: true when `text` is the RFC 8785
 * (JCS) form of an event (see `canonical-scan.ts` for the subset it recognises) whose `seq`, `hash`, `prevHash`,
 * `tenantId`, `planId`, `type`, `actor` and `occurredAt` are the row's columns, whose `data` and `refs` are
 * objects, whose `hash` is `sha256:<64 hex>`, and whose `hash` is SHA-256 over the text with its `"hash"` member
 * cut out.
 *
 * Sound because JCS sorts member names: the canonical form of the event without `hash` is exactly the stored text
 * without that member, so the hash checked here is the one `lineageEventHash(JSON.parse(text))` computes, and
 * every other check is the one the full path makes on the parsed event. False is never a verdict: the caller
 * parses the body and runs the full checks, which name the failure (or accept a canonical body this subset does
 * not cover, e.g. one with an escaped character).
 */
export class StoredEventCheck {
  readonly #spans = new Int32Array(2 * MEMBERS.length);
  #occurredText = '';
  #occurredMs = Number.NaN;

  /** Checks `text` against its row's `columns` (see the class comment). */
  holds(text: string, columns: EventColumns): boolean {
    if (hasEscapesOrControls(text) || !scanEventText(text, this.#spans)) return false;
    const spans = this.#spans;
    const hashStart = spans[2 * SLOT.hash] as number;
    const hashEnd = spans[2 * SLOT.hash + 1] as number;
    const actorStart = spans[2 * SLOT.actor] as number;
    if (
      actorStart < 0 ||
      hashStart < actorStart ||
      !this.#string(text, SLOT.hash, columns.hash) ||
      !isDigestShaped(columns.hash) ||
      !this.#string(text, SLOT.prevHash, columns.prevHash) ||
      !this.#string(text, SLOT.tenantId, columns.tenantId) ||
      !this.#string(text, SLOT.type, columns.type) ||
      !this.#planId(text, columns.planId) ||
      !this.#object(text, SLOT.data) ||
      !this.#object(text, SLOT.refs) ||
      !this.#actor(text, columns.actorType, columns.actorId) ||
      !this.#seq(text, columns.seq) ||
      !this.#occurredAt(text, columns.occurredAt)
    ) {
      return false;
    }
    // The member is `,"hash":"sha256:..."`: its comma, its name (6 code units) and its colon precede the value.
    // Its 64 characters after `sha256:` equal the lower-case hex digest computed here: a digest (`isDigest`).
    const member = hashStart - 8;
    const unsigned = text.slice(0, member) + text.slice(hashEnd);
    return text.startsWith(hash('sha256', unsigned, 'hex'), hashStart + 1 + DIGEST_PREFIX);
  }

  /** The member is a string equal to `expected` (a string column). */
  #string(text: string, slot: number, expected: unknown): boolean {
    const start = this.#spans[2 * slot] as number;
    const end = this.#spans[2 * slot + 1] as number;
    return (
      typeof expected === 'string' &&
      start >= 0 &&
      text.charCodeAt(start) === 34 &&
      end - start - 2 === expected.length &&
      text.startsWith(expected, start + 1)
    );
  }

  /** `planId` is absent and the column null, or a string equal to the column. */
  #planId(text: string, expected: string | null): boolean {
    if ((this.#spans[2 * SLOT.planId] as number) < 0) return expected === null;
    return this.#string(text, SLOT.planId, expected);
  }

  #object(text: string, slot: number): boolean {
    const start = this.#spans[2 * slot] as number;
    return start >= 0 && text.charCodeAt(start) === 123;
  }

  /** `actor` is exactly `{"id":<actor_id>,"type":<actor_type>}`. */
  #actor(text: string, type: unknown, id: unknown): boolean {
    const start = this.#spans[2 * SLOT.actor] as number;
    const end = this.#spans[2 * SLOT.actor + 1] as number;
    if (typeof type !== 'string' || typeof id !== 'string') return false;
    const typeAt = start + 7 + id.length;
    return (
      end - start === 19 + id.length + type.length &&
      text.startsWith('{"id":"', start) &&
      text.startsWith(id, start + 7) &&
      text.startsWith('","type":"', typeAt) &&
      text.startsWith(type, typeAt + 10) &&
      text.startsWith('"}', end - 2)
    );
  }

  /** `seq` is the integer in the column (the scanner accepted it as a canonical integer). */
  #seq(text: string, expected: number): boolean {
    const start = this.#spans[2 * SLOT.seq] as number;
    const end = this.#spans[2 * SLOT.seq + 1] as number;
    if (start < 0) return false;
    let value = 0;
    for (let i = start; i < end; i += 1) {
      const digit = text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return false;
      value = value * 10 + digit;
    }
    return value === expected;
  }

  /** `occurredAt` is a string that `Date.parse` maps to the column (as the full check compares them). */
  #occurredAt(text: string, expected: number): boolean {
    const start = this.#spans[2 * SLOT.occurredAt] as number;
    const end = this.#spans[2 * SLOT.occurredAt + 1] as number;
    if (start < 0 || text.charCodeAt(start) !== 34) return false;
    const value = text.slice(start + 1, end - 1);
    if (value !== this.#occurredText) {
      this.#occurredText = value;
      this.#occurredMs = Date.parse(value);
    }
    return this.#occurredMs === expected;
  }
}
