import { createHash } from 'node:crypto';
import { canonicalJson, type LineageEvent, lineageEventHash } from '@handoff/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventColumns } from '../../src/audit/lineage-source.js';
import { StoredEventCheck } from '../../src/audit/stored-event.js';
import { chainEvents, EMPTY_HEAD, lineageColumns } from '../../src/store/lineage-chain.js';

/** One event as the store writes it, after 41 others, with `data` and `refs` as given. */
function stored(data: Record<string, unknown>, refs: Record<string, string> = {}) {
  const [event] = chainEvents({ ...EMPTY_HEAD, seq: 41 }, [
    {
      tenantId: 'acme-bank',
      planId: '019a8f2e-0000-7d3e-9a1f-000000000001',
      type: 'dispatch.succeeded',
      actor: { type: 'system', id: 'gateway' },
      occurredAt: Date.parse('2026-11-30T08:00:00.123Z'),
      refs,
      data,
    },
  ]);
  const e = event as LineageEvent;
  return { event: e, text: canonicalJson(e), columns: lineageColumns(e) };
}

/** What the full path accepts: the text parses, is canonical, hashes to its hash and matches its columns. */
function fullCheckHolds(text: string, columns: EventColumns): boolean {
  let e: LineageEvent;
  try {
    e = JSON.parse(text) as LineageEvent;
    if (canonicalJson(e) !== text || lineageEventHash(e) !== e.hash) return false;
    return canonicalJson(lineageColumns(e)) === canonicalJson(columns);
  } catch {
    return false;
  }
}

const DATA = {
  attempt: 1,
  lines: [{ amountMinor: 125_000, capId: 'tenant-month', ok: true, note: null }],
  nested: { a: [], b: {}, c: -42, 'Z-upper': 0 },
  status: 'accepted',
};
const REFS = { plan: `sha256:${'ab'.repeat(32)}`, receipt: `sha256:${'cd'.repeat(32)}` };

describe('StoredEventCheck: the stored bytes hashed as they are', () => {
  it('holds for what the store writes, with or without a plan id', () => {
    const check = new StoredEventCheck();
    const { text, columns, event } = stored(DATA, REFS);
    expect(check.holds(text, columns)).toBe(true);
    const { planId: _none, ...noPlan } = event;
    const unplanned = { ...noPlan, hash: lineageEventHash(noPlan) } as LineageEvent;
    expect(check.holds(canonicalJson(unplanned), lineageColumns(unplanned))).toBe(true);
  });

  it('refuses every column that differs from the body', () => {
    const check = new StoredEventCheck();
    const { text, columns } = stored(DATA, REFS);
    const changes: Partial<EventColumns>[] = [
      { seq: 43 },
      { tenantId: 'globex' },
      { planId: null },
      { planId: '019a8f2e-0000-7d3e-9a1f-000000000002' },
      { type: 'dispatch.failed' },
      { actorType: 'adapter' },
      { actorId: 'gatewaY' },
      { occurredAt: Date.parse('2026-11-30T08:00:00.124Z') },
      { prevHash: `sha256:${'1'.repeat(64)}` },
      { hash: `sha256:${'2'.repeat(64)}` },
    ];
    for (const change of changes) expect(check.holds(text, { ...columns, ...change })).toBe(false);
  });

  it('refuses a body edited without its hash, and non-canonical forms of a valid event', () => {
    const check = new StoredEventCheck();
    const { text, columns } = stored(DATA, REFS);
    const variants = [
      text.replace('"status":"accepted"', '"status":"rejected"'),
      text.replace('"attempt":1', '"attempt": 1'),
      text.replace('"attempt":1', '"attempt":1.0'),
      text.replace('"attempt":1', '"attempt":1e0'),
      text.replace('"c":-42', '"c":-042'),
      text.replace('"status":"accepted"', '"status":"\\u0061ccepted"'),
      text.replace('{"attempt":1,', '{"attempt":1,"attempt":1,'),
      text.replace('"a":[],"b":{}', '"b":{},"a":[]'),
      `${text} `,
      `${text}{}`,
      text.replace('"kind":"LineageEvent"', '"kind":"LineageEvent\n"'),
    ];
    for (const variant of variants) {
      expect(variant).not.toBe(text);
      expect(check.holds(variant, columns)).toBe(false);
    }
  });

  it('refuses a non-canonical body even when its hash was computed over its own bytes', () => {
    const check = new StoredEventCheck();
    const { text, columns } = stored(DATA, REFS);
    // `-0` and a leading zero parse to what the canonical `0` and `5` do: the full path recomputes another hash.
    for (const [from, to] of [
      ['"c":-42', '"c":-0'],
      ['"attempt":1', '"attempt":01'],
    ] as const) {
      const unsigned = text.replace(/,"hash":"sha256:[0-9a-f]{64}"/, '').replace(from, to);
      const hash = lineageHashOfText(unsigned);
      const forged = unsigned.replace(',"kind"', `,"hash":"${hash}","kind"`);
      expect(check.holds(forged, { ...columns, hash })).toBe(false);
    }
  });

  it('is never more lenient than the full path: random edits of a stored body (property)', () => {
    const check = new StoredEventCheck();
    const { text, columns } = stored(DATA, REFS);
    const alphabet = fc.constantFrom(...'{}[],:"-0123456789.e \\aZ\n\u00e9'.split(''));
    fc.assert(
      fc.property(fc.nat(text.length), fc.nat(3), alphabet, (at, cut, insert) => {
        const edited = text.slice(0, at) + insert + text.slice(at + cut);
        if (check.holds(edited, columns)) expect(fullCheckHolds(edited, columns)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('is sound on any data, and holds for every canonical event of integers and plain strings (property)', () => {
    const check = new StoredEventCheck();
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), (data) => {
        const { text, columns } = stored(data as Record<string, unknown>, REFS);
        if (check.holds(text, columns)) expect(fullCheckHolds(text, columns)).toBe(true);
      }),
      { numRuns: 300 },
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strings JCS would escape are left out here.
    const escaped = /["\\\u0000-\u001f\ud800-\udfff]/;
    const plain = fc.string().filter((s) => !escaped.test(s));
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        plain,
        fc.integer({ min: -(10 ** 15) + 1, max: 10 ** 15 - 1 }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value')),
        fc.dictionary(plain, tie('value')),
      ),
    }));
    fc.assert(
      fc.property(fc.dictionary(plain, value), (data) => {
        const { text, columns } = stored(data as Record<string, unknown>, REFS);
        expect(check.holds(text, columns)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

/** The hash a writer would have computed over these exact bytes (not the canonical form of what they parse to). */
function lineageHashOfText(unsigned: string): string {
  return `sha256:${createHash('sha256').update(unsigned).digest('hex')}`;
}
