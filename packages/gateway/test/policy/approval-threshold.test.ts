import { describe, expect, test } from 'vitest';
import { basePlan, decide, decideOne, optionAt, ruleIssues } from './helpers.js';

const approval = { roles: ['marketing_lead', 'finance'], quorum: 2, distinctRoles: true };
const base = { type: 'approval_threshold', enforcement: 'hard_mandatory', approval };
const eur = (amountMinor: number) => [{ amountMinor, currency: 'EUR' }];

describe('approval_threshold: spend', () => {
  test('spend at or above the threshold in the option currency requires approval', () => {
    const [first, second] = decide(basePlan(), { ...base, spendAtLeast: eur(50_000) });
    expect(first).toMatchObject({
      decision: 'require_approval',
      reasonCode: 'SPEND_AT_OR_ABOVE_THRESHOLD',
      path: '/options/0/actions',
      approval,
    });
    expect(first?.message).toContain('EUR 645.00');
    expect(second).toMatchObject({ decision: 'allow', reasonCode: 'BELOW_APPROVAL_THRESHOLDS' });
    expect(second?.approval).toBeUndefined();
  });

  test('spend exactly at the threshold matches; one minor unit above it does not', () => {
    const at = decideOne(basePlan(), { ...base, spendAtLeast: eur(64_500) });
    expect(at.decision).toBe('require_approval');
    const above = decideOne(basePlan(), { ...base, spendAtLeast: eur(64_501) });
    expect(above).toMatchObject({ decision: 'allow', reasonCode: 'BELOW_APPROVAL_THRESHOLDS' });
  });

  test('spend is the exact sum of every action cost', () => {
    const plan = basePlan();
    const option = optionAt(plan, 1);
    const [broadcast] = option.actions;
    if (broadcast === undefined) throw new Error('no action');
    broadcast.estimatedCost.amountMinor = 10_000;
    option.actions.push({
      ...structuredClone(broadcast),
      actionId: 'second',
      estimatedCost: { amountMinor: 8_525, currency: 'EUR' },
    });
    const rule = { ...base, spendAtLeast: eur(18_525) };
    expect(decideOne(plan, rule, 1).decision).toBe('require_approval');
    expect(decideOne(plan, { ...rule, spendAtLeast: eur(18_526) }, 1).decision).toBe('allow');
  });

  test('no threshold in the option currency: the rule cannot evaluate and denies', () => {
    const rule = { ...base, spendAtLeast: [{ amountMinor: 1, currency: 'USD' }], riskAtLeast: 0.1 };
    const decision = decideOne(basePlan(), rule);
    expect(decision).toMatchObject({
      decision: 'deny',
      reasonCode: 'THRESHOLD_CURRENCY_NOT_CONFIGURED',
      path: '/options/0/budget/amount/currency',
    });
    expect(decision.message).toContain('USD');
  });
});

describe('approval_threshold: risk, AI mode and content kind', () => {
  test('risk at or above the threshold requires approval; just below does not', () => {
    const at = decideOne(basePlan(), { ...base, riskAtLeast: 0.2 });
    expect(at).toMatchObject({
      reasonCode: 'RISK_AT_OR_ABOVE_THRESHOLD',
      path: '/options/0/risk/score',
    });
    const [below, other] = decide(basePlan(), { ...base, riskAtLeast: 0.21 });
    expect(below?.decision).toBe('allow');
    expect(other?.reasonCode).toBe('RISK_AT_OR_ABOVE_THRESHOLD');
  });

  test('a listed AI mode requires approval for every option', () => {
    const plan = basePlan();
    plan.workflow.aiMode = 'human_only';
    const decisions = decide(plan, { ...base, aiModes: ['human_only'] });
    for (const decision of decisions) {
      expect(decision).toMatchObject({
        reasonCode: 'HUMAN_ONLY_WORKFLOW',
        path: '/workflow/aiMode',
      });
    }
    const assisted = decideOne(basePlan(), { ...base, aiModes: ['ai_assisted'] });
    expect(assisted.reasonCode).toBe('AI_MODE_REQUIRES_APPROVAL');
    expect(decideOne(basePlan(), { ...base, aiModes: ['ai_led'] }).decision).toBe('allow');
  });

  test('a listed content kind requires approval; other or no content does not', () => {
    const plan = basePlan();
    const [script, email] = decide(plan, { ...base, contentKinds: ['sales_script'] });
    expect(script).toMatchObject({
      reasonCode: 'CONTENT_KIND_REQUIRES_APPROVAL',
      path: '/options/0/contentKind',
    });
    expect(email?.decision).toBe('allow');
    delete optionAt(plan, 0).contentKind;
    expect(decideOne(plan, { ...base, contentKinds: ['sales_script'] }).decision).toBe('allow');
  });

  test('several matches give one require_approval with the first reason and a message naming all', () => {
    const rule = {
      ...base,
      spendAtLeast: eur(1),
      riskAtLeast: 0.1,
      contentKinds: ['sales_script'],
    };
    const decision = decideOne(basePlan(), rule);
    expect(decision).toMatchObject({
      decision: 'require_approval',
      reasonCode: 'SPEND_AT_OR_ABOVE_THRESHOLD',
      path: '/options/0/actions',
    });
    expect(decision.message).toMatch(/spend of EUR 645\.00.*risk score 0\.2.*sales_script/);
  });
});

describe('approval_threshold: settings', () => {
  test('needs at least one condition', () => {
    expect(ruleIssues(base)).toEqual(['/rules/0 MISSING_ONE_OF']);
  });

  test('a distinct-role quorum larger than the role list is unreachable', () => {
    const rule = { ...base, riskAtLeast: 0.5, approval: { ...approval, quorum: 3 } };
    expect(ruleIssues(rule)).toEqual(['/rules/0/approval/quorum QUORUM_UNREACHABLE']);
  });

  test('one threshold per currency, known currencies only', () => {
    const twice = { ...base, spendAtLeast: [...eur(1), ...eur(2)] };
    expect(ruleIssues(twice)).toEqual(['/rules/0/spendAtLeast/1/currency DUPLICATE_CURRENCY']);
    const gold = { ...base, spendAtLeast: [{ amountMinor: 1, currency: 'XAU' }] };
    expect(ruleIssues(gold)).toEqual(['/rules/0/spendAtLeast/0/currency UNKNOWN_CURRENCY']);
    const float = { ...base, spendAtLeast: [{ amountMinor: 1.5, currency: 'EUR' }] };
    expect(ruleIssues(float)).toEqual(['/rules/0/spendAtLeast/0/amountMinor NOT_INTEGER']);
  });
});
