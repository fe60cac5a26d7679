import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { canonicalJson } from '../src/index.js';

/**
 * The official RFC 8785 test vectors of the reference implementation (cyberphone/json-canonicalization,
 * `testdata/`), read from `../shared/standards/rfc8785/` beside the repository root and never copied into it
 * (provenance in that folder's `SOURCE.md`). A missing folder fails the run: the vectors are the point.
 */
const standards = fileURLToPath(new URL('../../../../shared/standards/rfc8785/', import.meta.url));

function standardsFile(relative: string): string {
  const path = `${standards}${relative}`;
  if (!existsSync(path)) {
    throw new Error(
      `RFC 8785 vectors not found at ${path}: clone the shared standards beside the repository`,
    );
  }
  return path;
}

/** A double from its IEEE-754 binary64 bit pattern in hex (leading zeros may be omitted, e.g. `0`). */
function fromIeee754(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('RFC 8785 official vectors: testdata/input -> testdata/output, byte for byte', () => {
  const names = readdirSync(standardsFile('input')).filter((name) => name.endsWith('.json'));

  test('all six published pairs are present', () => {
    expect(names.sort()).toEqual([
      'arrays.json',
      'french.json',
      'structures.json',
      'unicode.json',
      'values.json',
      'weird.json',
    ]);
  });

  test.each(names)('%s', (name) => {
    const input = readFileSync(standardsFile(`input/${name}`), 'utf8');
    const expected = readFileSync(standardsFile(`output/${name}`));
    const actual = Buffer.from(canonicalJson(JSON.parse(input)), 'utf8');
    // Compared as text first for a readable diff, then as bytes (UTF-8, no BOM, no trailing newline).
    expect(actual.toString('utf8')).toBe(expected.toString('utf8'));
    expect(actual.equals(expected)).toBe(true);
  });
});

describe('RFC 8785 official ES6 number samples (hex IEEE-754 -> expected text)', () => {
  const samples = readFileSync(standardsFile('es6-number-samples.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const [hex, text, ...rest] = line.split(',');
      if (
        hex === undefined ||
        text === undefined ||
        rest.length > 0 ||
        !/^[0-9a-f]{1,16}$/.test(hex)
      ) {
        throw new Error(`unexpected sample line: ${line}`);
      }
      return [hex, text] as const;
    });

  test('the sample file is read (not silently empty)', () => {
    expect(samples.length).toBeGreaterThanOrEqual(7);
  });

  test.each(samples)('0x%s -> %s', (hex, text) => {
    const value = fromIeee754(hex);
    expect(canonicalJson(value)).toBe(text);
    expect(canonicalJson({ n: [value] })).toBe(`{"n":[${text}]}`);
  });
});
