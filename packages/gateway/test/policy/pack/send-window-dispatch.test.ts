import { afterEach, describe, expect, test } from 'vitest';
import { nextOpening } from '../../../src/dispatch/send-window-check.js';
import { SendWindowRuleSchema } from '../../../src/policy/rules/send-window.js';
import { eventTypes, outboxOf } from '../../dispatch/dispatch-support.js';
import { scriptedAdapter } from '../../dispatch/scripted-adapter.js';
import { createHarness, fixturePlan, type Harness, TENANT } from '../../support/harness.js';
import { policyWith } from '../helpers.js';

let h: Harness;
afterEach(async () => h?.close());

/** Office hours in Berlin (CET, UTC+1 in November): 09:00-17:00 local is 08:00-16:00Z. */
const officeHours = {
  id: 'office-hours',
  type: 'send_window',
  enforcement: 'hard_mandatory',
  window: { start: '09:00', end: '17:00' },
  defaultTimeZone: 'Europe/Berlin',
};

const bigCap = {
  capId: 'tenant-month',
  tenantId: TENANT,
  scope: { type: 'tenant', value: TENANT },
  period: 'month',
  limit: { amountMinor: 1_000_000, currency: 'EUR' },
};

/** Submits the fixture plan (its recommended option enrols contacts: a triggered send) at 09:30Z, 10:30 Berlin. */
async function approvedTriggeredSend() {
  const hubspot = scriptedAdapter('hubspot');
  h = await createHarness({
    policy: policyWith(officeHours),
    caps: [bigCap],
    adapters: [hubspot.adapter],
  });
  const view = await h.gateway.submitPlan(h.callers.copilot.principal, fixturePlan());
  expect(view.state).toBe('approved');
  return { hubspot, view };
}

describe('send windows at dispatch (triggered sends)', () => {
  test('a triggered send dispatched inside the window goes out at once', async () => {
    const { hubspot, view } = await approvedTriggeredSend();
    h.clock.set('2026-11-21T15:59:00Z');
    const summary = await h.runtime.dispatcher.runDue();
    expect(summary).toMatchObject({ attempted: 1 });
    expect(hubspot.calls).toHaveLength(1);
    expect(await eventTypes(h, view.planId)).not.toContain('dispatch.retry_scheduled');
  });

  test('a triggered send dispatched in quiet hours is held until the window opens, not counted as an attempt', async () => {
    const { hubspot, view } = await approvedTriggeredSend();
    h.clock.set('2026-11-21T16:00:00Z'); // 17:00 Berlin: the window has just closed
    const held = await h.runtime.dispatcher.runDue();
    expect(held).toMatchObject({ attempted: 0, held: 1 });
    expect(hubspot.calls).toHaveLength(0);
    const [row] = await outboxOf(h, view.planId);
    expect(row).toMatchObject({
      status: 'pending',
      attempts: 0,
      nextAttemptAt: Date.parse('2026-11-22T08:00:00Z'),
    });
    const page = await h.gateway.queryLineage(h.callers.auditor.principal, {
      planId: view.planId,
      types: ['dispatch.retry_scheduled'],
      limit: 10,
    });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]?.data).toMatchObject({
      code: 'OUTSIDE_SEND_WINDOW',
      held: true,
      attempts: 0,
      rules: ['office-hours'],
      nextAttemptAt: '2026-11-22T08:00:00.000Z',
    });

    h.clock.set('2026-11-22T07:59:00Z'); // still quiet: nothing is due
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 0 });
    h.clock.set('2026-11-22T08:00:00Z'); // 09:00 Berlin: the window opens
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 1 });
    expect(hubspot.calls).toHaveLength(1);
    const [sent] = await outboxOf(h, view.planId);
    expect(sent).toMatchObject({ attempts: 1 });
  });
});

describe('nextOpening', () => {
  const rule = (start: string, end: string, zone: string) =>
    SendWindowRuleSchema.parse({ ...officeHours, window: { start, end }, defaultTimeZone: zone });

  test('is the earliest opening that suits every zone', () => {
    const at = Date.parse('2026-11-21T16:00:00Z');
    const checks = [
      { rule: rule('09:00', '17:00', 'Europe/Berlin'), zones: ['Europe/Berlin', 'Europe/London'] },
    ];
    // London opens at 09:00Z, when Berlin (10:00) is open too; Berlin's own 08:00Z is London's 08:00, closed.
    expect(nextOpening(checks, at)).toBe(Date.parse('2026-11-22T09:00:00Z'));
  });

  test('is undefined when no instant suits every zone (the row is dead-lettered)', () => {
    const at = Date.parse('2026-11-21T16:00:00Z');
    const checks = [{ rule: rule('09:00', '10:00', 'UTC'), zones: ['UTC', 'Asia/Tokyo'] }];
    expect(nextOpening(checks, at)).toBeUndefined();
  });
});
