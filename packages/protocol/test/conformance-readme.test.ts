import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  DOCUMENT_KINDS,
  JSON_SCHEMA_UNEXPRESSED_CODES,
  PROTOCOL_ISSUE_CODES,
} from '../src/index.js';

/**
 * conformance/README.md is what a vendor in another language implements from: it must name the codes the
 * validator reports and the fixtures the corpus holds (it once said duplicate inputs were `DUPLICATE_ITEM`).
 */
const readme = readFileSync(new URL('../conformance/README.md', import.meta.url), 'utf8');
const section = (title: string): string => {
  const start = readme.indexOf(`## ${title}`);
  expect(start, title).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
};
/** The codes of the first column of a section's table. */
const tableCodes = (text: string): string[] =>
  [...text.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1] ?? '');

describe('conformance/README.md matches the code', () => {
  test('its table of rules JSON Schema cannot state lists exactly JSON_SCHEMA_UNEXPRESSED_CODES', () => {
    const listed = tableCodes(section('Rules JSON Schema cannot state'));
    expect([...listed].sort()).toEqual([...JSON_SCHEMA_UNEXPRESSED_CODES].sort());
  });

  test('every code it names is a pinned issue code', () => {
    const named = [...readme.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)].map((m) => m[1]);
    // Besides codes it names two constants (`PROTOCOL_ISSUE_CODES`, ...) and the `UPPER_SNAKE` format.
    const known = new Set<string>([...PROTOCOL_ISSUE_CODES, 'UPPER_SNAKE']);
    const unknown = named.filter((c) => c !== undefined && !known.has(c) && !c.endsWith('_CODES'));
    expect(unknown).toEqual([]);
  });

  test('every fixture file it names exists in the corpus', () => {
    const files = [...readme.matchAll(/`(?:[A-Za-z]+\/)?(?:invalid\/)?([a-z0-9-]+\.json)`/g)]
      .map((m) => m[0].slice(1, -1))
      .filter((f) => !f.endsWith('digests.json'));
    expect(files.length).toBeGreaterThan(0);
    const missing = files.filter((file) => {
      const name = file.split('/').at(-1) ?? file;
      return !DOCUMENT_KINDS.some(
        (kind) =>
          existsSync(new URL(`../conformance/v1/${kind}/invalid/${name}`, import.meta.url)) ||
          existsSync(new URL(`../conformance/v1/${kind}/valid/${name}`, import.meta.url)),
      );
    });
    expect(missing).toEqual([]);
  });
});
