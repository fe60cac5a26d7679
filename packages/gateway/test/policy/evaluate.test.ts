import { HANDOFF_PROTOCOL_VERSION, type HandoffPlan, planDigest } from '@handoff/protocol';
import { describe, expect, test } from 'vitest';
import { policyVersion } from '../../src/policy/policy-set.js';
import { basePlan, EVALUATED_AT, optionAt, policyWith, run } from './helpers.js';

const maxRisk = (id: string, enforcement: string, limit: number, extra = {}) => ({
  id,
  type: 'max_risk',
  enforcement,
  limits: { ai_assisted: limit },
  ...extra,
});
const spendApproval = (id: string, enforcement: string) => ({
  id,
  type: 'approval_threshold',
  enforcement,
  spendAtLeast: [{ amountMinor: 50_000, currency: 'EUR' }],
  approval: { roles: ['marketing_lead', 'finance'], quorum: 2, distinctRoles: true },
});

function optionOf(plan: HandoffPlan, ...rules: unknown[]) {
  const evaluation = run(plan, policyWith(...rules));
  const option = evaluation.options['call-prior-successes'];
  if (option === undefined) throw new Error('no evaluation for option 0');
  return option;
}

describe('evaluatePolicy: combining decisions', () => {
  test('advisory decisions are recorded but never block', () => {
    const option = optionOf(
      basePlan(),
      maxRisk('watch', 'advisory', 0),
      spendApproval('spend', 'advisory'),
    );
    expect(option.outcome).toBe('allow');
    expect(option.gates).toEqual([]);
    expect(option.decisions.map((d) => [d.ruleId, d.decision, d.enforcement])).toEqual([
      ['watch', 'deny', 'advisory'],
      ['spend', 'require_approval', 'advisory'],
    ]);
  });

  test('a soft_mandatory deny becomes require_approval with an override gate', () => {
    const option = optionOf(basePlan(), maxRisk('risk', 'soft_mandatory', 0));
    expect(option.outcome).toBe('require_approval');
    const override = { roles: ['operator'], quorum: 1, distinctRoles: false };
    expect(option.gates).toEqual([
      { gateId: 'risk', reasonCode: 'RISK_ABOVE_MAXIMUM', ...override },
    ]);
    expect(option.decisions[0]).toMatchObject({ decision: 'deny', approval: override });
    const named = optionOf(
      basePlan(),
      maxRisk('risk', 'soft_mandatory', 0, { overrideRoles: ['cmo', 'risk_officer'] }),
    );
    expect(named.gates[0]?.roles).toEqual(['cmo', 'risk_officer']);
  });

  test('require_approval from a mandatory rule opens a gate with its requirement', () => {
    for (const enforcement of ['soft_mandatory', 'hard_mandatory']) {
      const option = optionOf(basePlan(), spendApproval('spend', enforcement));
      expect(option.outcome).toBe('require_approval');
      expect(option.gates).toEqual([
        {
          gateId: 'spend',
          roles: ['marketing_lead', 'finance'],
          quorum: 2,
          distinctRoles: true,
          reasonCode: 'SPEND_AT_OR_ABOVE_THRESHOLD',
        },
      ]);
    }
  });

  test('gates from several rules add up, in rule order', () => {
    const option = optionOf(
      basePlan(),
      spendApproval('spend', 'hard_mandatory'),
      maxRisk('risk', 'soft_mandatory', 0),
    );
    expect(option.gates.map((g) => g.gateId)).toEqual(['spend', 'risk']);
  });

  test('a hard_mandatory deny wins over soft denials and approvals, and drops the gates', () => {
    const option = optionOf(
      basePlan(),
      spendApproval('spend', 'hard_mandatory'),
      maxRisk('soft', 'soft_mandatory', 0),
      maxRisk('hard', 'hard_mandatory', 0),
    );
    expect(option.outcome).toBe('deny');
    expect(option.gates).toEqual([]);
    expect(option.decisions).toHaveLength(3);
  });

  test('options are judged independently', () => {
    const evaluation = run(basePlan(), policyWith(maxRisk('risk', 'hard_mandatory', 0.3)));
    expect(evaluation.options['call-prior-successes']?.outcome).toBe('allow');
    expect(evaluation.options['nurture-broadcast']?.outcome).toBe('deny');
  });
});

describe('evaluatePolicy: deny by default', () => {
  test('a rule that throws yields a hard_mandatory RULE_EVALUATION_FAILED deny; the others still run', () => {
    const plan = basePlan();
    Reflect.deleteProperty(optionAt(plan, 0), 'risk');
    const evaluation = run(
      plan,
      policyWith(maxRisk('risk', 'advisory', 0.9), {
        id: 'consent',
        type: 'consent',
        enforcement: 'advisory',
      }),
      true,
    );
    const option = evaluation.options['call-prior-successes'];
    expect(option?.outcome).toBe('deny');
    expect(option?.decisions[0]).toMatchObject({
      ruleId: 'risk',
      decision: 'deny',
      enforcement: 'hard_mandatory',
      reasonCode: 'RULE_EVALUATION_FAILED',
      path: '/options/0',
    });
    expect(option?.decisions[1]?.reasonCode).toBe('CONSENT_BASIS_PRESENT');
    expect(evaluation.options['nurture-broadcast']?.outcome).toBe('allow');
  });

  test('a plan that skipped validation (mixed currencies) fails closed', () => {
    const plan = basePlan();
    const [action] = optionAt(plan, 0).actions;
    if (action === undefined) throw new Error('no action');
    action.estimatedCost.currency = 'USD';
    const option = run(plan, policyWith(spendApproval('spend', 'soft_mandatory')), true).options[
      'call-prior-successes'
    ];
    expect(option?.decisions[0]?.reasonCode).toBe('RULE_EVALUATION_FAILED');
    expect(option?.outcome).toBe('deny');
  });
});

describe('evaluatePolicy: documents and purity', () => {
  test('every rule gives every option a complete PolicyDecision', () => {
    const plan = basePlan();
    const set = policyWith(maxRisk('a', 'advisory', 1), spendApproval('b', 'hard_mandatory'));
    const evaluation = run(plan, set);
    expect(evaluation.policySetId).toBe('test-policy');
    expect(evaluation.policyVersion).toBe(policyVersion(set));
    expect(Object.keys(evaluation.options)).toEqual(['call-prior-successes', 'nurture-broadcast']);
    for (const [optionId, option] of Object.entries(evaluation.options)) {
      expect(option.optionId).toBe(optionId);
      expect(option.decisions.map((d) => d.ruleId)).toEqual(['a', 'b']);
      for (const decision of option.decisions) {
        expect(decision).toMatchObject({
          protocolVersion: HANDOFF_PROTOCOL_VERSION,
          kind: 'PolicyDecision',
          planId: plan.planId,
          planDigest: planDigest(plan),
          optionId,
          policyVersion: policyVersion(set),
          evaluatedAt: EVALUATED_AT,
        });
      }
    }
  });

  test('does not mutate its input and is deterministic', () => {
    const plan = basePlan();
    const set = policyWith(
      spendApproval('spend', 'hard_mandatory'),
      maxRisk('risk', 'soft_mandatory', 0),
    );
    const before = structuredClone({ plan, set });
    const first = run(plan, set);
    expect({ plan, set }).toEqual(before);
    expect(run(plan, set)).toEqual(first);
  });

  test('long messages are cut to the protocol limit and stay valid', () => {
    const plan = basePlan();
    const option = optionAt(plan, 1);
    const [action] = option.actions;
    if (action === undefined) throw new Error('no action');
    for (let i = 0; i < 40; i += 1) {
      const adapter = `adapter-${i}-${'x'.repeat(110)}`;
      option.actions.push({
        ...structuredClone(action),
        actionId: `a-${i}`,
        adapter,
        estimatedCost: { amountMinor: 0, currency: 'EUR' },
      });
    }
    const rule = {
      id: 'adapters',
      type: 'adapter_allowlist',
      enforcement: 'hard_mandatory',
      adapters: ['customerio'],
    };
    const decision = run(plan, policyWith(rule)).options['nurture-broadcast']?.decisions[0];
    expect(decision?.message.length).toBe(4_000);
    expect(decision?.message.endsWith('…')).toBe(true);
  });
});
