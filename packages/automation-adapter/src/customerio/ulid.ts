import { createHash } from 'node:crypto';

/**
 * ULIDs (https://github.com/ulid/spec): 128 bits, a 48-bit big-endian timestamp in Unix milliseconds followed by
 * 80 bits of entropy, written as 26 characters of Crockford base32 (`0-9A-Z` without `I L O U`). 26 characters
 * carry 130 bits, so the first character is at most `7`.
 *
 * Customer.io's Track API deduplicates events on a ULID in the event's `id`: "If an event repeats a value we've
 * already received, we ignore the duplicate"
 * (https://docs.customer.io/integrations/api/track/tag/track-events/track/).
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const MAX_TIME = 2 ** 48 - 1;
const ENTROPY_BYTES = 10;

/** Domain separation for {@link eventIdFromKey}: a new version changes every derived id. */
const EVENT_ID_DOMAIN = 'handoff/customerio/event-id/v1\n';

/** True when `value` is a canonical ULID (26 upper-case Crockford base32 characters, first at most `7`). */
export function isUlid(value: string): boolean {
  return ULID_PATTERN.test(value);
}

/**
 * Encodes a ULID from its timestamp (integer Unix milliseconds, 0 to 2^48 - 1) and 10 bytes of entropy.
 * @throws RangeError on a timestamp out of range or entropy of another length.
 */
export function encodeUlid(timeMs: number, entropy: Uint8Array): string {
  if (!Number.isInteger(timeMs) || timeMs < 0 || timeMs > MAX_TIME) {
    throw new RangeError(`ULID time ${timeMs} is not an integer in [0, 2^48 - 1]`);
  }
  if (entropy.length !== ENTROPY_BYTES)
    throw new RangeError(`ULID entropy must be ${ENTROPY_BYTES} bytes`);
  let value = BigInt(timeMs);
  for (const byte of entropy) value = (value << 8n) | BigInt(byte);
  let text = '';
  for (let i = 0; i < 26; i += 1) {
    text = CROCKFORD.charAt(Number(value & 31n)) + text;
    value >>= 5n;
  }
  return text;
}

/** The timestamp (Unix milliseconds) of a ULID. @throws RangeError when `ulid` is not a ULID. */
export function ulidTime(ulid: string): number {
  if (!isUlid(ulid)) throw new RangeError(`${ulid} is not a ULID`);
  let time = 0;
  for (const char of ulid.slice(0, 10)) time = time * 32 + CROCKFORD.indexOf(char);
  return time;
}

/**
 * A fresh ULID: `nowMs` (the injected clock) and 80 random bits from `crypto.getRandomValues`. Used by the fake
 * for the ids the platform itself assigns.
 */
export function newUlid(nowMs: number): string {
  return encodeUlid(Math.floor(nowMs), crypto.getRandomValues(new Uint8Array(ENTROPY_BYTES)));
}

/**
 * The Customer.io event id for an action, derived deterministically from its idempotency key, so every retry (and
 * a replay after a restart) sends the same id and Customer.io drops the duplicate:
 * - the 48-bit time part is `timeMs`: the action's own `occurredAt` when it names one, else 0 (the Unix epoch),
 *   because nothing else about the action is fixed in time (the clock at dispatch differs between attempts);
 * - the 80-bit entropy part is the first 10 bytes of SHA-256 over a domain tag and the UTF-8 key.
 * The result is a valid ULID. Two actions share an id only if their keys collide in 80 bits of SHA-256 (and their
 * times agree), which is negligible.
 */
export function eventIdFromKey(idempotencyKey: string, timeMs = 0): string {
  const digest = createHash('sha256')
    .update(EVENT_ID_DOMAIN + idempotencyKey, 'utf8')
    .digest();
  return encodeUlid(timeMs, new Uint8Array(digest.subarray(0, ENTROPY_BYTES)));
}
