import { describe, expect, test } from 'vitest';
import { loadPolicySet, type PolicySet, policyVersion } from '../../src/policy/policy-set.js';

const text = JSON.stringify({
  id: 'acme',
  version: '1',
  rules: [
    {
      id: 'spend',
      type: 'approval_threshold',
      enforcement: 'hard_mandatory',
      spendAtLeast: [{ amountMinor: 50_000, currency: 'EUR' }],
      approval: { roles: ['finance'], quorum: 1, distinctRoles: false },
    },
    { id: 'risk', type: 'max_risk', enforcement: 'soft_mandatory', limits: { ai_led: 0.3 } },
  ],
});

function load(edit: (document: Record<string, unknown>) => void = () => {}): PolicySet {
  const document = JSON.parse(text);
  edit(document);
  return loadPolicySet(JSON.stringify(document));
}

/** Rebuilds every object with its keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  );
}

describe('policyVersion', () => {
  test('is a sha256 digest of the canonical document', () => {
    expect(policyVersion(load())).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('does not change with key order or formatting', () => {
    const set = load();
    const reordered = loadPolicySet(JSON.stringify(reverseKeys(JSON.parse(text)), null, 4));
    expect(policyVersion(reordered)).toBe(policyVersion(set));
    expect(policyVersion(loadPolicySet(`# comment\n${text}`, 'yaml'))).toBe(policyVersion(set));
  });

  test('changes when any rule changes', () => {
    const base = policyVersion(load());
    const edits: ((d: { rules: Record<string, unknown>[] }) => void)[] = [
      (d) => {
        d.rules[0] = { ...d.rules[0], spendAtLeast: [{ amountMinor: 50_001, currency: 'EUR' }] };
      },
      (d) => {
        d.rules[1] = { ...d.rules[1], enforcement: 'hard_mandatory' };
      },
      (d) => {
        d.rules[1] = { ...d.rules[1], limits: { ai_led: 0.31 } };
      },
      (d) => {
        d.rules[1] = { ...d.rules[1], description: 'now documented' };
      },
      (d) => {
        d.rules.reverse();
      },
      (d) => {
        d.rules.pop();
      },
    ];
    const versions = edits.map((edit) =>
      policyVersion(load((d) => edit(d as { rules: Record<string, unknown>[] }))),
    );
    for (const version of versions) expect(version).not.toBe(base);
    expect(new Set(versions).size).toBe(edits.length);
  });

  test('changes with the label and the approval window, which are part of the set', () => {
    const base = policyVersion(load());
    expect(policyVersion(load((d) => Object.assign(d, { version: '2' })))).not.toBe(base);
    expect(policyVersion(load((d) => Object.assign(d, { approvalTtlSeconds: 3600 })))).not.toBe(
      base,
    );
  });
});
