import { describe, expect, test } from 'vitest';
import { contactKey, segmentKey } from '../../../src/policy/recipients.js';
import { basePlan, decideOne, EVALUATED_AT, ruleIssues } from '../helpers.js';
import { historyOf, type PastSend } from './pack-facts.js';

const NOW = Date.parse(EVALUATED_AT);
const HOUR = 3_600_000;
const rule = {
  type: 'frequency_cap',
  enforcement: 'hard_mandatory',
  maxSends: 2,
  windowHours: 24,
  channels: ['email', 'sms', 'push'],
};
const alice = contactKey({ email: 'client-0007@example.com' });

function decideWith(sends: PastSend[], index = 0, overrides: Record<string, unknown> = {}) {
  return decideOne(basePlan(), { ...rule, ...overrides }, index, {
    facts: { sends: historyOf(sends) },
  });
}

describe('frequency_cap', () => {
  test('allows a send that brings a contact exactly to maxSends in the window', () => {
    const decision = decideWith([{ key: alice, channels: ['email'], atMs: NOW - HOUR }]);
    expect(decision).toMatchObject({ decision: 'allow', reasonCode: 'WITHIN_FREQUENCY_CAP' });
  });

  test('denies a send that would take a contact over maxSends (threshold maxSends)', () => {
    const sends: PastSend[] = [
      { key: alice, channels: ['email'], atMs: NOW - HOUR },
      { key: alice, channels: ['sms'], atMs: NOW - 2 * HOUR },
    ];
    const decision = decideWith(sends);
    expect(decision).toMatchObject({
      decision: 'deny',
      reasonCode: 'FREQUENCY_CAP_EXCEEDED',
      path: '/options/0/actions/0',
    });
    expect(decision.message).toContain('1 contact(s)');
    expect(decision.message).not.toContain('client-0007');
  });

  test('counts a send at the start of the rolling window and not one just before it (threshold windowHours)', () => {
    const at = (atMs: number): PastSend[] => [
      { key: alice, channels: ['email'], atMs },
      { key: alice, channels: ['email'], atMs: NOW - HOUR },
    ];
    expect(decideWith(at(NOW - 24 * HOUR)).reasonCode).toBe('FREQUENCY_CAP_EXCEEDED');
    expect(decideWith(at(NOW - 24 * HOUR - 1)).reasonCode).toBe('WITHIN_FREQUENCY_CAP');
  });

  test('counts only sends on the channel group', () => {
    const sends: PastSend[] = [
      { key: alice, channels: ['phone'], atMs: NOW - HOUR },
      { key: alice, channels: ['phone'], atMs: NOW - HOUR },
    ];
    expect(decideWith(sends).reasonCode).toBe('WITHIN_FREQUENCY_CAP');
  });

  test('an option on no channel of the group is not counted', () => {
    const decision = decideWith([], 0, { channels: ['sms'] });
    expect(decision).toMatchObject({ decision: 'allow', reasonCode: 'NO_CHANNEL_IN_GROUP' });
  });

  test('caps a segment send by its segment', () => {
    const key = segmentKey('never-contacted');
    const sends: PastSend[] = [{ key, channels: ['email'], atMs: NOW - HOUR }];
    expect(decideWith(sends, 1, { maxSends: 1 }).reasonCode).toBe('FREQUENCY_CAP_EXCEEDED');
    expect(decideWith(sends, 1, { maxSends: 2 }).reasonCode).toBe('WITHIN_FREQUENCY_CAP');
  });

  test('without send history it denies (fails closed)', () => {
    const decision = decideOne(basePlan(), rule);
    expect(decision).toMatchObject({ decision: 'deny', reasonCode: 'RULE_EVALUATION_FAILED' });
  });

  test('rejects an invalid configuration', () => {
    expect(ruleIssues({ ...rule, maxSends: 0 })).toEqual(['/rules/0/maxSends TOO_SMALL']);
    expect(ruleIssues({ ...rule, windowHours: 8785 })).toEqual(['/rules/0/windowHours TOO_BIG']);
    expect(ruleIssues({ ...rule, channels: ['email', 'email'] })).toEqual([
      '/rules/0/channels/1 DUPLICATE_ITEM',
    ]);
  });
});
