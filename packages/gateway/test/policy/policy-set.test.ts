import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import {
  approvalWindowSeconds,
  DEFAULT_APPROVAL_TTL_SECONDS,
  loadPolicySet,
  MAX_POLICY_SET_BYTES,
} from '../../src/policy/policy-set.js';
import { issuesOf } from './helpers.js';

const FIXTURE = readFileSync(new URL('./fixtures/marketing-default.yaml', import.meta.url), 'utf8');
const consent = { id: 'consent', type: 'consent', enforcement: 'hard_mandatory' };
const minimal = { id: 'p', version: '1', rules: [consent] };
const codes = (document: unknown, format?: 'json' | 'yaml') =>
  issuesOf(document, format).map((issue) => `${issue.path} ${issue.code}`);

describe('loadPolicySet: formats', () => {
  test('loads the YAML example with every rule type', () => {
    const set = loadPolicySet(FIXTURE, 'yaml');
    expect(set.id).toBe('acme-marketing-default');
    expect(set.version).toBe('3');
    expect(approvalWindowSeconds(set)).toBe(172_800);
    expect(new Set(set.rules.map((rule) => rule.type)).size).toBe(8);
  });

  test('JSON and YAML of the same document load to the same set', () => {
    const fromYaml = loadPolicySet(FIXTURE);
    expect(loadPolicySet(JSON.stringify(fromYaml), 'json')).toEqual(fromYaml);
    expect(loadPolicySet(JSON.stringify(fromYaml, null, 2))).toEqual(fromYaml);
    expect(loadPolicySet(stringify(fromYaml), 'yaml')).toEqual(fromYaml);
  });

  test('without approvalTtlSeconds the window is the default, and the set is unchanged', () => {
    const set = loadPolicySet(JSON.stringify(minimal));
    expect(set).toEqual(minimal);
    expect(approvalWindowSeconds(set)).toBe(DEFAULT_APPROVAL_TTL_SECONDS);
  });

  test('text that does not parse is rejected at the document root', () => {
    expect(codes('{"id": ', 'json')).toEqual([' INVALID_JSON']);
    expect(codes('id: [unclosed', 'yaml')).toEqual([' INVALID_YAML']);
    expect(codes('id: a\nid: b\n', 'yaml')).toEqual([' INVALID_YAML']);
    expect(codes('id: a\n---\nid: b\n', 'yaml')).toEqual([' INVALID_YAML']);
    expect(codes('', 'yaml')).toEqual([' INVALID_TYPE']);
  });

  test('oversized text is rejected before parsing', () => {
    const text = `# ${'x'.repeat(MAX_POLICY_SET_BYTES)}\n${stringify(minimal)}`;
    expect(codes(text, 'yaml')).toEqual([' DOCUMENT_TOO_LARGE']);
  });
});

describe('loadPolicySet: path-precise errors', () => {
  test('an unknown rule type', () => {
    const document = {
      ...minimal,
      rules: [consent, { id: 'x', type: 'vibe_check', enforcement: 'advisory' }],
    };
    expect(codes(document)).toEqual(['/rules/1/type UNKNOWN_RULE_TYPE']);
    const [issue] = issuesOf(document);
    expect(issue?.message).toContain('approval_threshold');
  });

  test('a duplicate rule id, at the second use', () => {
    const document = { ...minimal, rules: [consent, { ...consent, enforcement: 'advisory' }] };
    expect(codes(document)).toEqual(['/rules/1/id DUPLICATE_RULE_ID']);
    expect(issuesOf(document)[0]?.message).toContain('/rules/0');
  });

  test('a threshold in a currency without minor units (XAU), in YAML', () => {
    const yaml = FIXTURE.replace('currency: GBP', 'currency: XAU');
    expect(codes(yaml, 'yaml')).toEqual(['/rules/3/spendAtLeast/2/currency UNKNOWN_CURRENCY']);
  });

  test('the top level is strict and bounded', () => {
    expect(codes({ ...minimal, owner: 'me' })).toEqual(['/owner UNRECOGNIZED_KEY']);
    expect(codes({ ...minimal, rules: [] })).toEqual(['/rules TOO_SMALL']);
    expect(codes({ ...minimal, version: 3 })).toEqual(['/version INVALID_TYPE']);
    expect(codes({ ...minimal, id: undefined })).toEqual(['/id REQUIRED']);
    expect(codes({ ...minimal, approvalTtlSeconds: 59 })).toEqual([
      '/approvalTtlSeconds TOO_SMALL',
    ]);
    expect(codes({ ...minimal, approvalTtlSeconds: 2_592_001 })).toEqual([
      '/approvalTtlSeconds TOO_BIG',
    ]);
    expect(codes({ ...minimal, approvalTtlSeconds: 3600.5 })).toEqual([
      '/approvalTtlSeconds NOT_INTEGER',
    ]);
  });

  test('common rule fields: enforcement level, override roles only on soft rules', () => {
    expect(codes({ ...minimal, rules: [{ ...consent, enforcement: 'mandatory' }] })).toEqual([
      '/rules/0/enforcement INVALID_VALUE',
    ]);
    const hard = { ...consent, overrideRoles: ['operator'] };
    expect(codes({ ...minimal, rules: [hard] })).toEqual([
      '/rules/0/overrideRoles OVERRIDE_ROLES_NOT_APPLICABLE',
    ]);
    const soft = { ...hard, enforcement: 'soft_mandatory' };
    expect(loadPolicySet(JSON.stringify({ ...minimal, rules: [soft] })).rules[0]).toEqual(soft);
  });

  test('the error is VALIDATION_FAILED with a readable summary', () => {
    try {
      loadPolicySet(JSON.stringify({ ...minimal, owner: 'me' }));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', httpStatus: 400 });
      expect((error as Error).message).toContain('/owner');
    }
  });
});
