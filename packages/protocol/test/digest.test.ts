import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  canonicalJson,
  documentDigest,
  GENESIS_HASH,
  type HandoffPlan,
  type LineageEvent,
  lineageEventHash,
  parseDocument,
  planDigest,
  safeParseDocument,
  sha256Digest,
} from '../src/index.js';

const fixtureText = readFileSync(
  new URL('../conformance/v1/HandoffPlan/valid/term-deposit-two-options.json', import.meta.url),
  'utf8',
);
const base: HandoffPlan = JSON.parse(fixtureText);
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Sets the value at a JSON Pointer (no escapes needed here) in a document. */
function setAt(doc: unknown, pointer: string, value: unknown): void {
  const keys = pointer.split('/').slice(1);
  const last = keys.pop() as string;
  let node = doc as Record<string, unknown>;
  for (const key of keys) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** A deep copy whose object members are inserted in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  );
}

describe('sha256Digest', () => {
  // FIPS 180-2 / NIST CSVS published SHA-256 test vectors.
  test.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    ],
  ])('published vector %j', (text, hex) => {
    expect(sha256Digest(text)).toBe(`sha256:${hex}`);
    expect(sha256Digest(new TextEncoder().encode(text))).toBe(`sha256:${hex}`);
  });

  test('hashes strings as UTF-8', () => {
    const text = 'Zürich €5 😀';
    expect(sha256Digest(text)).toBe(sha256Digest(Buffer.from(text, 'utf8')));
    expect(sha256Digest(text)).not.toBe(sha256Digest(Buffer.from(text, 'latin1')));
  });
});

describe('planDigest and documentDigest', () => {
  test('render sha256: and 64 lower-case hex digits', () => {
    expect(planDigest(base)).toMatch(DIGEST);
    expect(documentDigest({ any: ['json', 1, null] })).toMatch(DIGEST);
  });

  test('are SHA-256 of the canonical JSON', () => {
    const expected = createHash('sha256').update(canonicalJson(base), 'utf8').digest('hex');
    expect(planDigest(base)).toBe(`sha256:${expected}`);
    expect(documentDigest(base)).toBe(planDigest(base));
    expect(documentDigest([1, 'a'])).toBe(sha256Digest('[1,"a"]'));
  });

  test('do not change the plan', () => {
    const plan = structuredClone(base);
    planDigest(plan);
    expect(plan).toEqual(base);
  });

  test('ignore formatting, member order and number spelling of the JSON text', () => {
    const texts = [
      fixtureText,
      JSON.stringify(base),
      JSON.stringify(base, null, 2),
      JSON.stringify(base, null, '\t'),
      JSON.stringify(reverseKeys(base), null, 1),
      JSON.stringify(base)
        .replace('"p50":0.64', '"p50":6.40e-1')
        .replace('"p10":120', '"p10":120.0'),
    ];
    const digests = new Set(texts.map((text) => planDigest(JSON.parse(text))));
    expect(texts[5]).toContain('6.40e-1');
    expect(digests).toEqual(new Set([planDigest(base)]));
  });

  test('the validated plan has the digest of its input', () => {
    expect(planDigest(parseDocument('HandoffPlan', base))).toBe(planDigest(base));
  });

  test('change when any single value changes', () => {
    const edits: [pointer: string, value: unknown][] = [
      ['/tenantId', 'acme-bank-2'],
      ['/planId', '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6f71'],
      ['/createdAt', '2026-11-21T09:00:01Z'],
      ['/copilot/promptVersion', 'term-deposit-v4'],
      ['/copilot/promptHash', `sha256:${'a'.repeat(64)}`],
      ['/workflow/aiMode', 'ai_led'],
      ['/objective/target', 0.150001],
      ['/inputs/0/personalData', false],
      ['/inputs/0/description', undefined],
      ['/options/0/budget/amount/amountMinor', 64501],
      ['/options/0/budget/amount/currency', 'USD'],
      ['/options/0/forecast/p50', 0.65],
      ['/options/0/channels', ['email', 'phone']],
      ['/options/0/audience/criteria/0/value', 'Success'],
      ['/options/0/actions/0/params/contacts/1/email', 'client-0043@example.com'],
      ['/options/1/audience/criteria/0/value', '-1'],
      ['/options/1/actions/0/params/data/offer', 'term-deposit-q1'],
      ['/options/1/risk/factors', [{ code: 'new', weight: 0 }]],
      ['/recommendedOptionId', 'nurture-broadcast'],
      ['/extra', null],
    ];
    const seen = new Map<string, string>([[planDigest(base), '(base)']]);
    for (const [pointer, value] of edits) {
      const plan = structuredClone(base);
      setAt(plan, pointer, value);
      expect(plan, pointer).not.toEqual(base);
      const digest = planDigest(plan);
      expect(digest, pointer).toMatch(DIGEST);
      expect(seen.get(digest), `${pointer} collides`).toBeUndefined();
      seen.set(digest, pointer);
    }
    expect(seen.size).toBe(edits.length + 1);
  });

  test('swapping the two options changes the digest (array order is significant)', () => {
    const plan = structuredClone(base);
    plan.options.reverse();
    expect(planDigest(plan)).not.toBe(planDigest(base));
  });

  test('throw TypeError for a value with no JSON form', () => {
    const plan = structuredClone(base);
    setAt(plan, '/objective/target', Number.NaN);
    expect(() => planDigest(plan)).toThrow(TypeError);
    expect(() => documentDigest({ n: 1n })).toThrow(TypeError);
  });

  test('throw TypeError for a function or symbol nested in a plan, instead of digesting the plan without it', () => {
    for (const value of [() => 1, Symbol('s')]) {
      const member = structuredClone(base);
      setAt(member, '/options/0/actions/0/params/data', value);
      expect(() => planDigest(member)).toThrow(TypeError);
      const item = structuredClone(base);
      setAt(item, '/options/0/channels', ['email', value]);
      expect(() => planDigest(item)).toThrow(TypeError);
    }
  });
});

describe('lineageEventHash', () => {
  const first: Omit<LineageEvent, 'hash'> = {
    protocolVersion: '1.0',
    kind: 'LineageEvent',
    seq: 1,
    occurredAt: '2026-11-21T09:00:01Z',
    tenantId: 'acme-bank',
    planId: base.planId,
    type: 'plan.received',
    actor: { type: 'copilot', id: 'example-planner' },
    refs: { plan: planDigest(base) },
    data: { state: 'received' },
    prevHash: GENESIS_HASH,
  };

  /** A chain of events, each hashed and linked to the previous one. */
  function chain(length: number): LineageEvent[] {
    const events: LineageEvent[] = [];
    for (let seq = 1; seq <= length; seq++) {
      const prevHash = events.at(-1)?.hash ?? GENESIS_HASH;
      const body = { ...first, seq, prevHash, data: { step: seq } };
      events.push({ ...body, hash: lineageEventHash(body) });
    }
    return events;
  }

  test('is the digest of the event without its hash member', () => {
    const hash = lineageEventHash(first);
    expect(hash).toMatch(DIGEST);
    expect(hash).toBe(documentDigest(first));
  });

  test('ignores the hash member, whatever it holds', () => {
    const hash = lineageEventHash(first);
    expect(lineageEventHash({ ...first, hash })).toBe(hash);
    expect(lineageEventHash({ ...first, hash: GENESIS_HASH })).toBe(hash);
    expect(lineageEventHash({ ...first, hash: `sha256:${'f'.repeat(64)}` })).toBe(hash);
  });

  test('changes with prevHash and with every other member', () => {
    const hash = lineageEventHash(first);
    const variants: Omit<LineageEvent, 'hash'>[] = [
      { ...first, prevHash: `sha256:${'0'.repeat(63)}1` },
      { ...first, seq: 2 },
      { ...first, occurredAt: '2026-11-21T09:00:02Z' },
      { ...first, type: 'plan.rejected' },
      { ...first, actor: { type: 'system', id: 'example-planner' } },
      { ...first, refs: {} },
      { ...first, data: { state: 'rejected' } },
    ];
    const hashes = variants.map(lineageEventHash);
    expect(hashes).not.toContain(hash);
    expect(new Set(hashes).size).toBe(variants.length);
  });

  test('a hashed event is a valid LineageEvent document', () => {
    const [event] = chain(1);
    expect(safeParseDocument('LineageEvent', event).success).toBe(true);
  });

  test('a verifier detects an edited event and a broken link', () => {
    const events = chain(3);
    const verify = (list: LineageEvent[]) =>
      list.every(
        (event, i) =>
          event.hash === lineageEventHash(event) &&
          event.prevHash === (i === 0 ? GENESIS_HASH : list[i - 1]?.hash),
      );
    expect(verify(events)).toBe(true);
    const edited = structuredClone(events);
    setAt(edited, '/1/data/step', 99);
    expect(verify(edited)).toBe(false);
    expect(verify([events[0], events[2]] as LineageEvent[])).toBe(false);
    expect(verify([events[1], events[0], events[2]] as LineageEvent[])).toBe(false);
  });
});
