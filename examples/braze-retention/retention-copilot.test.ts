/** The retention copilot: Braze-ready recipients, a reminder three days out, and the denied SMS plan's channel. */
import { validatePlan } from '@handoff/copilot-adapter';
import { ManualClock } from '@handoff/gateway';
import { describe, expect, it } from 'vitest';
import { loadBankData } from '../shared/bank-data.js';
import { rankClients } from '../shared/ranked-clients.js';
import { retentionPlans, WINBACK_SIZE } from './copilot.js';

const data = loadBankData();
const clock = new ManualClock('2026-11-21T09:30:00Z');
const plans = retentionPlans(data, rankClients(data), clock);

describe('the retention copilot', () => {
  it('targets only clients whose previous campaign failed, the best ranked first', () => {
    expect(plans.atRisk.clients.every((s) => s.client.poutcome === 'failure')).toBe(true);
    expect(plans.atRisk.clients).toHaveLength(490);
    expect(plans.top.clients.map((s) => s.rank)).toEqual(
      plans.atRisk.clients.slice(0, WINBACK_SIZE).map((s) => s.rank),
    );
  });

  it('names Braze users by external id, at most 50 per request, and schedules the reminder 3 days on', () => {
    expect(validatePlan(plans.winback)).toMatchObject({ ok: true });
    const [canvas, reminder] = plans.winback.options[0]?.actions ?? [];
    if (canvas?.type !== 'enroll_in_workflow' || reminder?.type !== 'schedule_message') {
      throw new Error('expected a Canvas and a scheduled reminder');
    }
    expect(canvas.params.contacts).toHaveLength(WINBACK_SIZE);
    expect(canvas.params.contacts.every((c) => c.externalId?.startsWith('client-'))).toBe(true);
    expect(Date.parse(reminder.params.sendAt) - clock.now()).toBe(3 * 86_400_000);
  });

  it('makes the SMS blast an SMS plan, for the policy to refuse', () => {
    expect(plans.smsBlast.options.every((o) => o.channels.includes('sms'))).toBe(true);
  });
});
