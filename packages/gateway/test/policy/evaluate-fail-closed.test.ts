import { canonicalJson } from '@handoff/protocol';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { evaluateRule } from '../../src/policy/rule.js';
import type { RuleFinding } from '../../src/policy/rules/common.js';
import { basePlan, policyWith, run } from './helpers.js';

vi.mock('../../src/policy/rule.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/policy/rule.js')>();
  return { ...actual, evaluateRule: vi.fn(actual.evaluateRule) };
});

const mocked = vi.mocked(evaluateRule);
const advisory = { id: 'odd-rule', type: 'consent', enforcement: 'advisory' };
const soft = { ...advisory, enforcement: 'soft_mandatory' };

/** The first option's evaluation when the rule's check returns `finding` (or throws what `finding` throws). */
function outcomeWith(rule: Record<string, unknown>, finding: () => RuleFinding) {
  mocked.mockImplementation(finding);
  const option = run(basePlan(), policyWith(rule)).options['call-prior-successes'];
  if (option === undefined) throw new Error('no evaluation');
  return option;
}

const failed = {
  decision: 'deny',
  enforcement: 'hard_mandatory',
  reasonCode: 'RULE_EVALUATION_FAILED',
  path: '/options/0',
};

describe('evaluatePolicy fails closed on a misbehaving rule', () => {
  beforeEach(() => {
    mocked.mockReset();
  });

  test('a thrown non-Error value is still a denial', () => {
    const option = outcomeWith(advisory, () => {
      throw 'boom';
    });
    expect(option.outcome).toBe('deny');
    expect(option.decisions[0]).toMatchObject(failed);
    expect(option.decisions[0]?.message).toContain('boom');
  });

  test('require_approval without an approval requirement is a denial, not a pass', () => {
    const option = outcomeWith(soft, () => ({
      decision: 'require_approval',
      reasonCode: 'NEEDS_SOMEONE',
      path: '/options/0',
      message: 'Someone should look',
    }));
    expect(option.outcome).toBe('deny');
    expect(option.decisions[0]).toMatchObject(failed);
  });

  test('a malformed reason code or path is a denial', () => {
    const badCode = outcomeWith(soft, () => ({
      decision: 'allow',
      reasonCode: 'not upper snake',
      path: '/options/0',
      message: 'fine',
    }));
    expect(badCode.decisions[0]).toMatchObject(failed);
    const badPath = outcomeWith(soft, () => ({
      decision: 'allow',
      reasonCode: 'FINE',
      path: 'options.0',
      message: 'fine',
    }));
    expect(badPath.decisions[0]).toMatchObject(failed);
  });

  test('an empty message is replaced so the decision stays valid', () => {
    const option = outcomeWith(soft, () => ({
      decision: 'allow',
      reasonCode: 'FINE',
      path: '',
      message: '',
    }));
    expect(option.outcome).toBe('allow');
    expect(option.decisions[0]?.message).toBe('(no message)');
  });

  test('a long message is cut without splitting a surrogate pair', () => {
    const option = outcomeWith(soft, () => ({
      decision: 'allow',
      reasonCode: 'FINE',
      path: '',
      message: `${'x'.repeat(3_998)}${'😀'.repeat(10)}`,
    }));
    const message = option.decisions[0]?.message ?? '';
    expect(message).toBe(`${'x'.repeat(3_998)}…`);
    expect(() => canonicalJson(option)).not.toThrow();
  });
});
