import { describe, expect, test } from 'vitest';
import { basePlan, decide, decideOne, optionAt, policyWith, ruleIssues, run } from './helpers.js';

const base = { type: 'adapter_allowlist', enforcement: 'hard_mandatory' };

describe('adapter_allowlist', () => {
  test('allows options whose every action uses a listed adapter', () => {
    const decisions = decide(basePlan(), { ...base, adapters: ['hubspot', 'customerio'] });
    for (const decision of decisions) {
      expect(decision).toMatchObject({ decision: 'allow', reasonCode: 'ADAPTERS_ALLOWED' });
    }
  });

  test('denies at the adapter of the first action that is not listed', () => {
    const [hubspot, customerio] = decide(basePlan(), { ...base, adapters: ['hubspot'] });
    expect(hubspot?.decision).toBe('allow');
    expect(customerio).toMatchObject({
      decision: 'deny',
      reasonCode: 'ADAPTER_NOT_ALLOWED',
      path: '/options/1/actions/0/adapter',
    });
    expect(customerio?.message).toContain('nurture-broadcast (customerio)');
  });

  test('points at the first offending action and names them all', () => {
    const plan = basePlan();
    const option = optionAt(plan, 0);
    const [enrol] = option.actions;
    if (enrol === undefined) throw new Error('no action');
    enrol.estimatedCost.amountMinor = 20_000;
    option.actions.push(
      { ...structuredClone(enrol), actionId: 'via-braze', adapter: 'braze' },
      { ...structuredClone(enrol), actionId: 'via-webhook', adapter: 'webhook' },
    );
    const decision = decideOne(plan, { ...base, adapters: ['hubspot'] });
    expect(decision.path).toBe('/options/0/actions/1/adapter');
    expect(decision.message).toMatch(/via-braze \(braze\) and via-webhook \(webhook\)/);
    expect(decision.actionPaths).toEqual([
      '/options/0/actions/1/adapter',
      '/options/0/actions/2/adapter',
    ]);
  });

  test('adapter ids are compared exactly', () => {
    const decision = decideOne(basePlan(), { ...base, adapters: ['HubSpot'] });
    expect(decision.reasonCode).toBe('ADAPTER_NOT_ALLOWED');
  });

  test('as an advisory rule it records the denial but never blocks', () => {
    const rule = { id: 'a', ...base, enforcement: 'advisory', adapters: ['hubspot'] };
    const option = run(basePlan(), policyWith(rule)).options['nurture-broadcast'];
    expect(option?.outcome).toBe('allow');
    expect(option?.decisions[0]).toMatchObject({ decision: 'deny', enforcement: 'advisory' });
  });

  test('settings: a non-empty list of identifiers', () => {
    expect(ruleIssues({ ...base, adapters: [] })).toEqual(['/rules/0/adapters TOO_SMALL']);
    expect(ruleIssues({ ...base, adapters: ['no spaces'] })).toEqual([
      '/rules/0/adapters/0 INVALID_FORMAT',
    ]);
    expect(ruleIssues({ ...base })).toEqual(['/rules/0/adapters REQUIRED']);
  });
});
