import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  ACTION_REVERSIBILITY,
  ACTION_TYPES,
  type ActionType,
  reversibilityOf,
} from '../src/index.js';

describe('the contract says, per action type, whether and how it is reversed', () => {
  test('every action type has exactly one row (a missing type is a type error)', () => {
    expectTypeOf<keyof typeof ACTION_REVERSIBILITY>().toEqualTypeOf<ActionType>();
    expect(Object.keys(ACTION_REVERSIBILITY).sort()).toEqual([...ACTION_TYPES].sort());
  });

  test('a budget move goes back to the amount read at dispatch', () => {
    const row = reversibilityOf('set_campaign_budget');
    expect(row).toMatchObject({ reversible: true, method: 'restore_budget', condition: 'none' });
    expect(row.captures).toEqual(['previousBudget']);
  });

  test('a pause or a resume goes back to the status read at dispatch', () => {
    for (const type of ['pause_campaign', 'resume_campaign'] as const) {
      expect(reversibilityOf(type), type).toMatchObject({
        reversible: true,
        method: 'restore_status',
        captures: ['previousStatus'],
      });
    }
  });

  test('an enrolment is undone by unenrolment; a scheduled message is cancelled before its send time', () => {
    expect(reversibilityOf('enroll_in_workflow').method).toBe('unenroll');
    expect(reversibilityOf('schedule_message')).toMatchObject({
      reversible: true,
      method: 'cancel_scheduled',
      condition: 'before_send_time',
    });
  });

  test('sent messages, events and webhooks are not reversible', () => {
    for (const type of [
      'trigger_broadcast',
      'send_transactional',
      'track_event',
      'call_webhook',
      'upsert_contacts',
    ] as const) {
      expect(reversibilityOf(type), type).toMatchObject({ reversible: false, method: 'none' });
    }
  });

  test('a reversible row names a method, an irreversible one none', () => {
    for (const type of ACTION_TYPES) {
      const row = reversibilityOf(type);
      expect(row.method === 'none', type).toBe(!row.reversible);
    }
  });
});
