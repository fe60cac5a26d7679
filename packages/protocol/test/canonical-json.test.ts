import { describe, expect, test } from 'vitest';
import { canonicalJson } from '../src/index.js';

/**
 * RFC 8785 (JSON Canonicalization Scheme) published examples, https://www.rfc-editor.org/rfc/rfc8785.
 * The texts below are the RFC's JSON text verbatim (String.raw keeps every backslash as written there).
 */

/** A double from its IEEE-754 binary64 bit pattern, e.g. `0x4340000000000000` is 2^53. */
function fromIeee754(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('RFC 8785 section 3.2.2: sample input and its canonical form', () => {
  const input = String.raw`{
  "numbers": [333333333.33333329, 1E30, 4.50,
              2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`;
  const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;

  test('produces the RFC output byte for byte', () => {
    expect(canonicalJson(JSON.parse(input))).toBe(expected);
  });

  test('the same value written on one line, with members in another order, canonicalises identically', () => {
    const reordered = String.raw`{"literals":[null,true,false],"string":"\u20AC\u0024\u000f\nA'B\"\\\\\"/","numbers":[3.3333333333333329E8,1e30,4.5,0.002,1E-27]}`;
    expect(canonicalJson(JSON.parse(reordered))).toBe(expected);
  });

  test('the output is a fixed point: parsing and canonicalising it again changes nothing', () => {
    expect(canonicalJson(JSON.parse(expected))).toBe(expected);
  });

  test('the output is UTF-8 in the RFC: the euro sign is emitted raw (3 bytes), not escaped', () => {
    const bytes = new TextEncoder().encode(canonicalJson(JSON.parse(input)));
    // "string":" is followed by E2 82 AC (U+20AC) then 24 ($) then the 6 bytes of \u000f.
    const at = Buffer.from(bytes).indexOf('"string":"') + '"string":"'.length;
    expect([...bytes.subarray(at, at + 10)]).toEqual([
      0xe2, 0x82, 0xac, 0x24, 0x5c, 0x75, 0x30, 0x30, 0x30, 0x66,
    ]);
  });
});

describe('RFC 8785 section 3.2.3: members sorted by UTF-16 code units', () => {
  const input = String.raw`{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`;
  const sortedKeys = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'];

  test('keys come out in the RFC order', () => {
    const canonical = canonicalJson(JSON.parse(input));
    // Checked on the text: JSON.parse would move the integer-like key "1" first again.
    const positions = sortedKeys.map((key) => canonical.indexOf(`${JSON.stringify(key)}:`));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test('values follow their keys in the RFC order', () => {
    expect(canonicalJson(JSON.parse(input))).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  test('a surrogate pair sorts by its high surrogate (U+1F600 before U+FB33), not by code point', () => {
    expect(canonicalJson({ '\ufb33': 1, '\ud83d\ude00': 2 })).toBe('{"\ud83d\ude00":2,"\ufb33":1}');
  });

  test('nested objects are sorted too; arrays keep their order', () => {
    expect(canonicalJson({ b: [{ z: 1, a: 2 }, 3, 1], a: { y: null, x: true } })).toBe(
      '{"a":{"x":true,"y":null},"b":[{"a":2,"z":1},3,1]}',
    );
  });
});

describe('RFC 8785 Appendix B: number serialisation samples', () => {
  const samples: [ieee754: string, canonical: string][] = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];

  test.each(samples)('0x%s -> %s', (hex, canonical) => {
    const value = fromIeee754(hex);
    expect(canonicalJson(value)).toBe(canonical);
    expect(canonicalJson([value])).toBe(`[${canonical}]`);
    expect(canonicalJson({ n: value })).toBe(`{"n":${canonical}}`);
  });

  test('the bit patterns decode as expected (guards the DataView helper)', () => {
    expect(Object.is(fromIeee754('8000000000000000'), -0)).toBe(true);
    expect(fromIeee754('4340000000000000')).toBe(2 ** 53);
    expect(fromIeee754('0000000000000001')).toBe(Number.MIN_VALUE);
    expect(fromIeee754('7fefffffffffffff')).toBe(Number.MAX_VALUE);
  });

  test.each([
    ['7fffffffffffffff', 'NaN'],
    ['7ff0000000000000', 'Infinity'],
    ['fff0000000000000', '-Infinity'],
  ])('0x%s (%s) has no canonical form: TypeError', (hex) => {
    const value = fromIeee754(hex);
    expect(() => canonicalJson(value)).toThrow(TypeError);
    expect(() => canonicalJson({ deep: [1, { value }] })).toThrow(TypeError);
  });
});

describe('values with no JSON form', () => {
  test.each([
    ['a lone high surrogate in a string', { s: 'a\ud800b' }],
    ['a lone low surrogate in a string', ['\udc00']],
    ['a high surrogate at the end of a string', 'abc\ud83d'],
    ['a lone surrogate in a member name', { '\udfff': 1 }],
    ['a bigint', { amount: 1n }],
    ['a top-level bigint', 10n],
    ['undefined at the top level', undefined],
    ['a function at the top level', () => 1],
  ])('%s throws TypeError', (_label, value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
  });

  test('a circular reference throws TypeError (and does not hang)', () => {
    const node: Record<string, unknown> = { a: 1 };
    node.self = node;
    expect(() => canonicalJson(node)).toThrow(TypeError);
    const list: unknown[] = [1];
    list.push({ back: list });
    expect(() => canonicalJson(list)).toThrow(TypeError);
  });

  test('the TypeError keeps the underlying cause', () => {
    const error = (() => {
      try {
        canonicalJson({ n: Number.NaN });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).cause).toBeInstanceOf(Error);
  });

  test('a value shared twice (not circular) is serialised twice', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ b: shared, a: [shared] })).toBe('{"a":[{"x":1}],"b":{"x":1}}');
  });

  // `canonicalize` alone renders a nested function as `undefined` (`{"a":undefined}` is not JSON) and drops a
  // nested symbol as JSON.stringify does, so two different values could share a digest: canonicalJson refuses both.
  test.each([
    ['a function as an object member', { a: () => 1, b: 1 }],
    ['a function inside an array', [() => 1]],
    ['a function deep inside objects and arrays', { a: [{ b: [1, { c: () => 1 }] }] }],
    ['a method defined with method syntax', { m() {} }],
    ['a class (a function) as a member', { cls: class {} }],
    ['a symbol at the top level', Symbol('s')],
    ['a symbol as an object member', { s: Symbol('s') }],
    ['a symbol inside an array', [1, Symbol('s')]],
  ])('%s throws TypeError', (_label, value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
  });

  test('the TypeError for a nested function says what was found', () => {
    expect(() => canonicalJson({ a: [() => 1] })).toThrow(/function/);
    expect(() => canonicalJson({ a: [Symbol('s')] })).toThrow(/symbol/);
  });

  test('a function nested in a circular value throws TypeError (and does not hang)', () => {
    const node: Record<string, unknown> = { a: 1 };
    node.self = node;
    node.f = () => 1;
    expect(() => canonicalJson(node)).toThrow(TypeError);
  });

  test('a symbol-keyed member is not JSON data and is ignored, as JSON.stringify does', () => {
    expect(canonicalJson({ a: 1, [Symbol('s')]: () => 1 })).toBe('{"a":1}');
  });

  test('a Date has a JSON form (through its toJSON method) and is accepted', () => {
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
  });

  // `canonicalize` would render a hole as `[,1]` (not JSON); JSON.parse never makes holes, so a hole can only come
  // from code, and it is refused rather than guessed at.
  test('a sparse array is refused with TypeError', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point of the test
    expect(() => canonicalJson([, 1])).toThrow(TypeError);
  });

  test('a function returned by a toJSON method throws TypeError', () => {
    class Wrapper {
      toJSON() {
        return { f: () => 1 };
      }
    }
    expect(() => canonicalJson(new Wrapper())).toThrow(TypeError);
  });

  test('a well-formed surrogate pair is fine', () => {
    expect(canonicalJson('\ud83d\ude00')).toBe('"\ud83d\ude00"');
  });
});

describe('undefined members', () => {
  test('are dropped from objects, as JSON.stringify does', () => {
    expect(canonicalJson({ b: 1, a: undefined, c: { d: undefined } })).toBe('{"b":1,"c":{}}');
  });

  test('an object with an undefined member has the same form as one without it', () => {
    expect(canonicalJson({ x: 1, y: undefined })).toBe(canonicalJson({ x: 1 }));
  });

  test('become null inside arrays', () => {
    expect(canonicalJson([1, undefined, 2])).toBe('[1,null,2]');
  });
});

describe('literals and strings', () => {
  test('control characters use the RFC escapes: short forms where JSON has them, else lower-case \\u00xx', () => {
    expect(canonicalJson('\b\t\n\f\r\u0000\u001f"\\/')).toBe(
      String.raw`"\b\t\n\f\r\u0000\u001f\"\\/"`,
    );
  });

  test('no insignificant white space', () => {
    expect(canonicalJson(JSON.parse('{ "a" : [ 1 , 2 ] , "b" : { } }'))).toBe('{"a":[1,2],"b":{}}');
  });
});
