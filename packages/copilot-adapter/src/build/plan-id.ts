import { webcrypto } from 'node:crypto';
import { type Clock, systemClock } from './time.js';

/** Fills a new array with `length` cryptographically random bytes. */
export type RandomBytes = (length: number) => Uint8Array;

/** Random bytes from the platform CSPRNG (`crypto.getRandomValues`). */
export const cryptoRandomBytes: RandomBytes = (length) =>
  webcrypto.getRandomValues(new Uint8Array(length));

/** Options of {@link planId}. */
export interface PlanIdOptions {
  /** Source of the 48-bit millisecond timestamp. Default: {@link systemClock}. */
  clock?: Clock;
  /** Source of the 74 random bits (10 bytes are drawn). Default: {@link cryptoRandomBytes}. */
  randomBytes?: RandomBytes;
}

/** 2^48: the first millisecond a UUID v7 cannot encode (year 10889). */
const MAX_UNIX_TS_MS = 2 ** 48;

/**
 * A new plan id: a UUID version 7 (RFC 9562 section 5.7), lower-case hex in the 8-4-4-4-12 form, which is what the
 * contract's `PlanId` accepts. Layout, most significant bit first:
 * - `unix_ts_ms` (48 bits): milliseconds since the Unix epoch, big-endian, from `clock.now()`;
 * - `ver` (4 bits): `0111`;
 * - `rand_a` (12 bits) and, after the `var` bits `10`, `rand_b` (62 bits): random, from `randomBytes`.
 *
 * Ids sort by creation millisecond; within one millisecond their order is random (the optional monotonic counter of
 * RFC 9562 section 6.2 is not used: a plan id only needs to be unique, and 74 random bits make a collision within
 * one millisecond negligible).
 *
 * @returns e.g. `019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6f70`.
 * @throws RangeError when the clock is before the epoch or past 2^48 - 1 ms, or not an integer; when
 *   `randomBytes` returns fewer than 10 bytes.
 */
export function planId(options: PlanIdOptions = {}): string {
  const ms = (options.clock ?? systemClock).now();
  if (!Number.isSafeInteger(ms) || ms < 0 || ms >= MAX_UNIX_TS_MS) {
    throw new RangeError(`A UUID v7 timestamp is 0..2^48-1 ms; the clock says ${ms}`);
  }
  const random = (options.randomBytes ?? cryptoRandomBytes)(10);
  if (random.length < 10) throw new RangeError('randomBytes must return at least 10 bytes');
  const bytes = new Uint8Array(16);
  let rest = ms;
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  bytes.set(random.subarray(0, 10), 6);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The creation millisecond a UUID v7 carries (its first 48 bits), or `undefined` when `id` is not a UUID v7.
 * Useful to check that a model kept the id it was given rather than inventing one.
 */
export function planIdTime(id: string): number | undefined {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)) {
    return undefined;
  }
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
