import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { loadPolicySet } from '../../src/policy/policy-set.js';
import { basePlan, optionAt, run } from './helpers.js';

const policy = loadPolicySet(
  readFileSync(new URL('./fixtures/marketing-default.yaml', import.meta.url), 'utf8'),
);

describe('the marketing-default example policy on the term-deposit plan', () => {
  test('the larger option needs two-role approval for its spend', () => {
    const option = run(basePlan(), policy).options['call-prior-successes'];
    expect(option?.outcome).toBe('require_approval');
    expect(option?.gates).toEqual([
      {
        gateId: 'spend-risk-approval',
        roles: ['marketing_lead', 'finance'],
        quorum: 2,
        distinctRoles: true,
        reasonCode: 'SPEND_AT_OR_ABOVE_THRESHOLD',
      },
    ]);
    expect(option?.decisions).toHaveLength(policy.rules.length);
  });

  test('the nurture option lacks dataset evidence (override gate) and trips the advisory risk watch', () => {
    const option = run(basePlan(), policy).options['nurture-broadcast'];
    expect(option?.outcome).toBe('require_approval');
    expect(option?.gates).toEqual([
      {
        gateId: 'evidence-for-assisted-content',
        roles: ['marketing_lead'],
        quorum: 1,
        distinctRoles: false,
        reasonCode: 'EVIDENCE_BAR_NOT_MET',
      },
    ]);
    const watch = option?.decisions.find((d) => d.ruleId === 'risk-watch');
    expect(watch).toMatchObject({ decision: 'deny', enforcement: 'advisory' });
  });

  test('an AI-led case study is denied outright', () => {
    const plan = basePlan();
    plan.workflow.aiMode = 'ai_led';
    optionAt(plan, 1).contentKind = 'case_study';
    const option = run(plan, policy).options['nurture-broadcast'];
    expect(option?.outcome).toBe('deny');
    expect(option?.gates).toEqual([]);
    const denied = option?.decisions.filter((d) => d.decision === 'deny').map((d) => d.ruleId);
    expect(denied).toEqual(['no-ai-led-claims', 'risk-ceiling']);
  });

  test('dispatching to an unapproved platform is denied', () => {
    const plan = basePlan();
    const [action] = optionAt(plan, 0).actions;
    if (action === undefined) throw new Error('no action');
    action.adapter = 'webhook';
    const option = run(plan, policy).options['call-prior-successes'];
    expect(option?.outcome).toBe('deny');
    const adapters = option?.decisions.find((d) => d.ruleId === 'approved-adapters');
    expect(adapters?.path).toBe('/options/0/actions/0/adapter');
  });
});
