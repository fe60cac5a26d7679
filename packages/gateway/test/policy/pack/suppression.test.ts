import { describe, expect, test } from 'vitest';
import { contactHashes, sha256Hex } from '../../../src/policy/recipients.js';
import { basePlan, decideOne, ruleIssues } from '../helpers.js';
import { listsOf } from './pack-facts.js';

const rule = { type: 'suppression', enforcement: 'hard_mandatory', lists: ['unsubscribed'] };
const suppressed = sha256Hex('client-0042@example.com');

describe('suppression', () => {
  test('hashes the normalised email (trimmed, lower case)', () => {
    expect(contactHashes({ email: ' Client-0042@Example.COM ' })).toEqual([suppressed]);
    expect(contactHashes({ externalId: 'crm-1' })).toEqual([sha256Hex('crm-1')]);
  });

  test('denies an option naming a suppressed contact, at its pointer, without naming it', () => {
    const facts = { suppression: listsOf({ unsubscribed: [suppressed] }) };
    const decision = decideOne(basePlan(), rule, 0, { facts });
    expect(decision).toMatchObject({
      decision: 'deny',
      reasonCode: 'CONTACT_SUPPRESSED',
      path: '/options/0/actions/0/params/contacts/1',
    });
    expect(decision.message).toContain('unsubscribed');
    expect(decision.message).not.toContain('client-0042');
  });

  test('matches a suppressed external id', () => {
    const plan = basePlan();
    const action = plan.options[0]?.actions[0];
    if (action?.type !== 'enroll_in_workflow') throw new Error('fixture changed');
    action.params.contacts = [{ externalId: 'crm-1' }];
    const facts = { suppression: listsOf({ unsubscribed: [sha256Hex('crm-1')] }) };
    expect(decideOne(plan, rule, 0, { facts }).reasonCode).toBe('CONTACT_SUPPRESSED');
  });

  test('allows when no contact is listed', () => {
    const facts = { suppression: listsOf({ unsubscribed: [sha256Hex('someone@else.com')] }) };
    const decision = decideOne(basePlan(), rule, 0, { facts });
    expect(decision).toMatchObject({ decision: 'allow', reasonCode: 'NO_SUPPRESSED_CONTACT' });
  });

  test('a list that is not configured denies (fails closed)', () => {
    const facts = { suppression: listsOf({ other: [] }) };
    expect(decideOne(basePlan(), rule, 0, { facts }).reasonCode).toBe('RULE_EVALUATION_FAILED');
    expect(decideOne(basePlan(), rule).reasonCode).toBe('RULE_EVALUATION_FAILED');
  });

  test('rejects an invalid configuration', () => {
    expect(ruleIssues({ ...rule, lists: [] })).toEqual(['/rules/0/lists TOO_SMALL']);
    expect(ruleIssues({ ...rule, lists: ['a', 'a'] })).toEqual(['/rules/0/lists/1 DUPLICATE_ITEM']);
  });
});
