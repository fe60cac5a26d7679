import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadPolicySet } from '../../../src/policy/policy-set.js';
import { issuesOf } from '../helpers.js';

const DIR = join(import.meta.dirname, '../fixtures/pack');
const files = readdirSync(DIR).filter((name) => name.endsWith('.yaml'));
const RULE_TYPES = [
  'frequency_cap',
  'send_window',
  'min_audience',
  'suppression',
  'brand_safety',
  'budget_warning',
];

describe('policy pack config fixtures', () => {
  test('every pack rule type has a valid and an invalid fixture', () => {
    for (const type of RULE_TYPES) {
      expect(files).toContain(`${type}.valid.yaml`);
      expect(files).toContain(`${type}.invalid.yaml`);
    }
  });

  test.each(files.filter((name) => name.endsWith('.valid.yaml')))('%s loads', (name) => {
    const set = loadPolicySet(readFileSync(join(DIR, name), 'utf8'));
    expect(set.rules[0]?.type).toBe(name.replace('.valid.yaml', ''));
  });

  test.each(files.filter((name) => name.endsWith('.invalid.yaml')))(
    '%s is refused with the issues it expects',
    (name) => {
      const text = readFileSync(join(DIR, name), 'utf8');
      const expected = [...text.matchAll(/^# expect: (\S+) (\S+)$/gm)].map(
        (m) => `${m[1]} ${m[2]}`,
      );
      expect(expected.length).toBeGreaterThan(0);
      const found = issuesOf(text).map((issue) => `${issue.path} ${issue.code}`);
      expect(found.sort()).toEqual(expected.sort());
    },
  );
});
