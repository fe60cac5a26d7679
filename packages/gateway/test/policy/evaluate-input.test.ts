import { canonicalJson, planDigest } from '@handoff/protocol';
import { describe, expect, test } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { policyVersion } from '../../src/policy/policy-set.js';
import { basePlan, EVALUATED_AT, policyWith } from './helpers.js';

const set = policyWith({ id: 'consent', type: 'consent', enforcement: 'hard_mandatory' });

function input() {
  const plan = basePlan();
  return {
    plan,
    planDigest: planDigest(plan),
    policySet: set,
    policyVersion: policyVersion(set),
    evaluatedAt: EVALUATED_AT,
  };
}

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError && error.code === 'VALIDATION_FAILED') {
      return error.issues.map((issue) => `${issue.path} ${issue.code}`);
    }
    throw error;
  }
  throw new Error('Expected VALIDATION_FAILED');
}

describe('evaluatePolicy: its own input', () => {
  test('rejects a malformed digest, timestamp or policy version with precise issues', () => {
    expect(issuesOf(() => evaluatePolicy({ ...input(), planDigest: 'md5:abc' }))).toEqual([
      '/planDigest INVALID_FORMAT',
    ]);
    expect(issuesOf(() => evaluatePolicy({ ...input(), evaluatedAt: '21/11/2026' }))).toEqual([
      '/evaluatedAt INVALID_FORMAT',
    ]);
    expect(issuesOf(() => evaluatePolicy({ ...input(), policyVersion: '' }))).toEqual([
      '/policyVersion INVALID_VALUE',
    ]);
    const long = 'v'.repeat(201);
    expect(issuesOf(() => evaluatePolicy({ ...input(), policyVersion: long }))).toEqual([
      '/policyVersion INVALID_VALUE',
    ]);
    const both = { ...input(), planDigest: '', evaluatedAt: '' };
    expect(issuesOf(() => evaluatePolicy(both))).toEqual([
      '/planDigest INVALID_FORMAT',
      '/evaluatedAt INVALID_FORMAT',
    ]);
  });

  test('options is a null-prototype record that serialises canonically', () => {
    const evaluation = evaluatePolicy(input());
    expect(Object.getPrototypeOf(evaluation.options)).toBeNull();
    expect(evaluation.options.toString).toBeUndefined();
    const json = JSON.parse(canonicalJson(evaluation));
    expect(Object.keys(json.options)).toEqual(['call-prior-successes', 'nurture-broadcast']);
  });

  test('a policy version label other than the digest is recorded as given', () => {
    const evaluation = evaluatePolicy({ ...input(), policyVersion: 'v3-staging' });
    expect(evaluation.policyVersion).toBe('v3-staging');
    expect(evaluation.options['nurture-broadcast']?.decisions[0]?.policyVersion).toBe('v3-staging');
  });
});
