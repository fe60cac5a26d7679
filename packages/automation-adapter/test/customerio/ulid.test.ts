import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeUlid,
  eventIdFromKey,
  isUlid,
  newUlid,
  ulidTime,
} from '../../src/customerio/ulid.js';

const CROCKFORD_26 = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

describe('ULIDs', () => {
  it('encodes the spec example boundaries', () => {
    expect(encodeUlid(0, new Uint8Array(10))).toBe('00000000000000000000000000');
    expect(encodeUlid(2 ** 48 - 1, new Uint8Array(10).fill(255))).toBe(
      '7ZZZZZZZZZZZZZZZZZZZZZZZZZ',
    );
  });

  it('puts the time in the first 10 characters', () => {
    const ms = Date.UTC(2026, 2, 1, 8, 0, 0);
    expect(ulidTime(encodeUlid(ms, new Uint8Array(10)))).toBe(ms);
  });

  it('refuses out-of-range times and wrong entropy lengths', () => {
    expect(() => encodeUlid(-1, new Uint8Array(10))).toThrow(RangeError);
    expect(() => encodeUlid(2 ** 48, new Uint8Array(10))).toThrow(RangeError);
    expect(() => encodeUlid(1.5, new Uint8Array(10))).toThrow(RangeError);
    expect(() => encodeUlid(0, new Uint8Array(9))).toThrow(RangeError);
  });

  it('recognises canonical ULIDs only', () => {
    expect(isUlid('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(true);
    expect(isUlid('01arz3ndektsv4rrffq69g5fav')).toBe(false);
    expect(isUlid('81ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(false);
    expect(isUlid('01ARZ3NDEKTSV4RRFFQ69G5FAI')).toBe(false);
    expect(isUlid('01ARZ3NDEKTSV4RRFFQ69G5FA')).toBe(false);
  });

  it('makes fresh ULIDs on the injected clock', () => {
    const ms = Date.UTC(2026, 0, 1);
    const a = newUlid(ms);
    expect(isUlid(a)).toBe(true);
    expect(ulidTime(a)).toBe(ms);
    expect(newUlid(ms)).not.toBe(a);
  });
});

describe('eventIdFromKey', () => {
  it('derives the same id from the same key (a retry sends the same id)', () => {
    const a = eventIdFromKey('sha256:abc/option-1/0', 1_000);
    expect(eventIdFromKey('sha256:abc/option-1/0', 1_000)).toBe(a);
    expect(a).toMatch(CROCKFORD_26);
    expect(a).toHaveLength(26);
    expect(ulidTime(a)).toBe(1_000);
  });

  it('derives different ids from different keys', () => {
    expect(eventIdFromKey('key-a')).not.toBe(eventIdFromKey('key-b'));
  });

  it('is a valid 26-character Crockford ULID for any key and time (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 2 ** 48 - 1 }), (key, ms) => {
        const id = eventIdFromKey(key, ms);
        return CROCKFORD_26.test(id) && ulidTime(id) === ms && eventIdFromKey(key, ms) === id;
      }),
    );
  });

  it('defaults the time part to the epoch', () => {
    expect(eventIdFromKey('k').slice(0, 10)).toBe('0000000000');
  });
});
