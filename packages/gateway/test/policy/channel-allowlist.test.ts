import { describe, expect, test } from 'vitest';
import { basePlan, decide, decideOne, optionAt, policyWith, ruleIssues, run } from './helpers.js';

const base = { type: 'channel_allowlist', enforcement: 'hard_mandatory' };

describe('channel_allowlist', () => {
  test('allows options whose every channel is listed', () => {
    for (const decision of decide(basePlan(), { ...base, channels: ['email', 'phone'] })) {
      expect(decision).toMatchObject({ decision: 'allow', reasonCode: 'CHANNELS_ALLOWED' });
    }
  });

  test('denies at the first channel outside the list', () => {
    const [calls, email] = decide(basePlan(), { ...base, channels: ['email'] });
    expect(calls).toMatchObject({
      decision: 'deny',
      reasonCode: 'CHANNEL_NOT_ALLOWED',
      path: '/options/0/channels/0',
    });
    expect(calls?.message).toContain('phone');
    expect(email?.decision).toBe('allow');
  });

  test('the message names every offending channel; the path the first', () => {
    const plan = basePlan();
    optionAt(plan, 0).channels = ['email', 'sms', 'whatsapp', 'push'];
    const decision = decideOne(plan, { ...base, channels: ['email', 'push'] });
    expect(decision.path).toBe('/options/0/channels/1');
    expect(decision.message).toMatch(/sms and whatsapp/);
  });

  test('an option with only disallowed channels is denied under hard enforcement', () => {
    const evaluation = run(basePlan(), policyWith({ id: 'c', ...base, channels: ['sms'] }));
    expect(evaluation.options['call-prior-successes']?.outcome).toBe('deny');
    expect(evaluation.options['nurture-broadcast']?.outcome).toBe('deny');
  });

  test('as a soft rule a denial can be overridden by the named roles', () => {
    const rule = { id: 'c', ...base, enforcement: 'soft_mandatory', channels: ['email'] };
    const option = run(basePlan(), policyWith({ ...rule, overrideRoles: ['channel_owner'] }))
      .options['call-prior-successes'];
    expect(option?.outcome).toBe('require_approval');
    expect(option?.gates).toEqual([
      {
        gateId: 'c',
        roles: ['channel_owner'],
        quorum: 1,
        distinctRoles: false,
        reasonCode: 'CHANNEL_NOT_ALLOWED',
      },
    ]);
  });

  test('does not apply outside its appliesTo', () => {
    const rule = { ...base, channels: ['sms'], appliesTo: { workflowIds: ['other-workflow'] } };
    for (const decision of decide(basePlan(), rule)) {
      expect(decision).toMatchObject({ decision: 'allow', reasonCode: 'NOT_APPLICABLE' });
    }
  });

  test('settings: a non-empty list of known, distinct channels', () => {
    expect(ruleIssues({ ...base, channels: [] })).toEqual(['/rules/0/channels TOO_SMALL']);
    expect(ruleIssues({ ...base, channels: ['fax'] })).toEqual([
      '/rules/0/channels/0 INVALID_VALUE',
    ]);
    expect(ruleIssues({ ...base, channels: ['sms', 'sms'] })).toEqual([
      '/rules/0/channels/1 DUPLICATE_ITEM',
    ]);
  });
});
