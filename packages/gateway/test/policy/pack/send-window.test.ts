import type { HandoffPlan } from '@handoff/protocol';
import { describe, expect, test } from 'vitest';
import { basePlan, decideOne, optionAt, ruleIssues } from '../helpers.js';

// EVALUATED_AT is 2026-11-21T10:00:00Z, a Saturday: 10:00 in Lisbon, 05:00 in New York.
const rule = {
  type: 'send_window',
  enforcement: 'hard_mandatory',
  window: { start: '09:00', end: '20:00' },
  defaultTimeZone: 'Europe/Lisbon',
};

/** Option 1 of the base plan as a scheduled send to its segment at `sendAt`. */
function scheduledAt(sendAt: string, data?: Record<string, string>): HandoffPlan {
  const plan = basePlan();
  const option = optionAt(plan, 1);
  option.actions = [
    {
      type: 'schedule_message',
      actionId: 'nurture-scheduled',
      adapter: 'customerio',
      estimatedCost: { amountMinor: 100, currency: 'EUR' },
      params: { campaignId: 'c1', sendAt, segmentId: 'never-contacted', ...(data ? { data } : {}) },
    },
  ];
  return plan;
}

describe('send_window', () => {
  test('a triggered send is judged at the evaluation time in the default zone', () => {
    expect(decideOne(basePlan(), rule)).toMatchObject({
      decision: 'allow',
      reasonCode: 'INSIDE_SEND_WINDOW',
    });
    const ny = { ...rule, defaultTimeZone: 'America/New_York' };
    expect(decideOne(basePlan(), ny)).toMatchObject({
      decision: 'deny',
      reasonCode: 'OUTSIDE_SEND_WINDOW',
      path: '/options/0/actions/0',
    });
  });

  test('window start is inside and window end outside (thresholds start and end)', () => {
    const at = (time: string) => decideOne(scheduledAt(`2026-11-23T${time}Z`), rule, 1).reasonCode;
    expect(at('08:59:59')).toBe('OUTSIDE_SEND_WINDOW');
    expect(at('09:00:00')).toBe('INSIDE_SEND_WINDOW');
    expect(at('19:59:59')).toBe('INSIDE_SEND_WINDOW');
    expect(at('20:00:00')).toBe('OUTSIDE_SEND_WINDOW');
  });

  test('a scheduled send is judged at sendAt in the zone its data gives', () => {
    const plan = scheduledAt('2026-11-23T12:00:00Z', { timeZone: 'Asia/Tokyo' });
    const decision = decideOne(plan, rule, 1);
    expect(decision).toMatchObject({
      reasonCode: 'OUTSIDE_SEND_WINDOW',
      path: '/options/1/actions/0/params/sendAt',
    });
    expect(decision.message).toContain('Asia/Tokyo');
    expect(decision.message).toContain('21:00');
  });

  test('a window that wraps midnight (quiet hours by day)', () => {
    const night = { ...rule, window: { start: '20:00', end: '08:00' } };
    expect(decideOne(scheduledAt('2026-11-23T23:30:00Z'), night, 1).reasonCode).toBe(
      'INSIDE_SEND_WINDOW',
    );
    expect(decideOne(scheduledAt('2026-11-23T12:00:00Z'), night, 1).reasonCode).toBe(
      'OUTSIDE_SEND_WINDOW',
    );
  });

  test('days close the window on other weekdays (threshold days)', () => {
    const weekdays = { ...rule, days: ['mon', 'tue', 'wed', 'thu', 'fri'] };
    expect(decideOne(basePlan(), weekdays).reasonCode).toBe('OUTSIDE_SEND_WINDOW');
    expect(decideOne(scheduledAt('2026-11-23T10:00:00Z'), weekdays, 1).reasonCode).toBe(
      'INSIDE_SEND_WINDOW',
    );
  });

  test("a named contact's zone comes from an upsert of the same option", () => {
    const plan = basePlan();
    optionAt(plan, 0).actions.push({
      type: 'upsert_contacts',
      actionId: 'zones',
      adapter: 'hubspot',
      estimatedCost: { amountMinor: 0, currency: 'EUR' },
      params: {
        contacts: [
          { email: 'client-0042@example.com', properties: { timeZone: 'America/Chicago' } },
        ],
      },
    });
    const decision = decideOne(plan, rule);
    expect(decision.reasonCode).toBe('OUTSIDE_SEND_WINDOW');
    expect(decision.message).toContain('America/Chicago');
  });

  test('rejects an invalid configuration', () => {
    expect(ruleIssues({ ...rule, window: { start: '9:00', end: '20:00' } })).toEqual([
      '/rules/0/window/start INVALID_FORMAT',
    ]);
    expect(ruleIssues({ ...rule, window: { start: '09:00', end: '09:00' } })).toEqual([
      '/rules/0/window/end INVALID_VALUE',
    ]);
    expect(ruleIssues({ ...rule, defaultTimeZone: 'Mars/Olympus' })).toEqual([
      '/rules/0/defaultTimeZone UNKNOWN_TIME_ZONE',
    ]);
  });
});
