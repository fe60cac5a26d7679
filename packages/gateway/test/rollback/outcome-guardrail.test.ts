import { afterEach, describe, expect, test } from 'vitest';
import { guardrailThreshold } from '../../src/rollback/outcome-guardrail.js';
import { scriptedAdapter } from '../dispatch/scripted-adapter.js';
import { outcomeReport } from '../outcomes/outcome-support.js';
import { createHarness, fixturePlan, type Harness } from '../support/harness.js';
import { BUDGET_MOVE, eventsOf, rollbackPlan, submitApproved } from './rollback-support.js';

let h: Harness;
afterEach(async () => h?.close());

const DAY_MS = 86_400_000;
/** The fixture forecast (conversion_rate p10 0.55, p90 0.72) less half its width: 0.465. */
const THRESHOLD = 0.465;

/** A harness with the guardrail, and the budget-move plan dispatched to a reversible ad platform. */
async function dispatched(action: 'pause_workflow' | 'open_rollback') {
  const ads = scriptedAdapter('google-ads', { dedupes: true, reversible: ['set_campaign_budget'] });
  h = await createHarness({
    adapters: [ads.adapter],
    outcomeGuardrail: { belowP10By: 0.5, action },
  });
  const plan = await submitApproved(h, rollbackPlan([BUDGET_MOVE]));
  await h.runtime.dispatcher.runDue();
  return { ads, plan };
}

/** Reports an interim outcome `value` of the fixture plan, observed an hour after dispatch. */
function interim(reportId: string, value: number) {
  return h.gateway.reportOutcome(
    h.callers.operator.principal,
    outcomeReport({
      reportId,
      interim: true,
      observedAt: new Date(h.clock.now() + 3_600_000).toISOString(),
      observed: { unit: 'ratio', kpi: 'conversion_rate', value },
    }),
  );
}

describe('the outcome guardrail', () => {
  test('its threshold is p10 less the margin, as a share of the p10-p90 width', () => {
    const forecast = fixturePlan().options[0]?.forecast;
    if (!forecast) throw new Error('fixture changed');
    expect(guardrailThreshold(forecast, 0.5)).toBeCloseTo(THRESHOLD, 10);
    expect(guardrailThreshold(forecast, 0)).toBe(forecast.p10);
  });

  test('open_rollback: an interim outcome far below p10 opens a rollback that waits for an operator', async () => {
    const { ads, plan } = await dispatched('open_rollback');
    h.clock.advance(2 * 3_600_000);
    await interim('day-1', 0.5); // below p10, within the margin
    expect((await eventsOf(h, plan.planId)).map((e) => e.type)).not.toContain('rollback.requested');

    await interim('day-2', 0.4);
    const requested = (await eventsOf(h, plan.planId)).find((e) => e.type === 'rollback.requested');
    expect(requested?.actor).toEqual({ type: 'system', id: 'outcome-guardrail' });
    expect(requested?.data).toMatchObject({
      rule: 'outcome_guardrail',
      reportId: 'day-2',
      observed: 0.4,
      p10: 0.55,
    });
    expect(requested?.data.threshold).toBeCloseTo(THRESHOLD, 10);
    // Opened for approval only: nothing is undone yet.
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ attempted: 0 });
    expect(ads.reverseCalls).toHaveLength(0);
    // A second low report does not open another one.
    await interim('day-3', 0.3);
    const opened = (await eventsOf(h, plan.planId)).filter((e) => e.type === 'rollback.requested');
    expect(opened).toHaveLength(1);

    const answer = await h.gateway.rollbackPlan(
      h.callers.operator.principal,
      plan.planId,
      'agreed',
    );
    expect(answer).toMatchObject({
      status: 'queued',
      requestedBy: 'outcome-guardrail',
      approvals: { required: 1, approvedBy: ['operator-1'] },
    });
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ succeeded: 1 });
    expect(ads.reverseCalls).toHaveLength(1);
  });

  test('pause_workflow: the kill switch pauses the workflow, and its next plan is held on arrival', async () => {
    const { plan } = await dispatched('pause_workflow');
    h.clock.advance(2 * 3_600_000);
    await interim('day-1', 0.47); // just above the threshold
    expect(await h.gateway.listControls(h.callers.operator.principal)).toEqual([]);

    await interim('day-2', 0.2);
    const controls = await h.gateway.listControls(h.callers.operator.principal);
    expect(controls).toEqual([
      expect.objectContaining({
        scopeType: 'workflow',
        scopeValue: fixturePlan().workflow.workflowId,
        pausedBy: 'outcome-guardrail',
      }),
    ]);
    const paused = await h.runtime.store.queryLineage({ types: ['control.paused'], limit: 10 });
    expect(paused[0]?.data).toMatchObject({ rule: 'outcome_guardrail', reportId: 'day-2' });

    const next = rollbackPlan([BUDGET_MOVE]);
    next.planId = '019a8f2e-5c4b-7d3e-9a1f-0000000000ab';
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, next);
    expect(view.state).toBe('paused');
    expect((await eventsOf(h, plan.planId)).map((e) => e.type)).not.toContain('rollback.requested');
  });

  test('a final report, however low, and a guardrail not configured, do nothing', async () => {
    await dispatched('pause_workflow');
    h.clock.advance(31 * DAY_MS);
    await h.gateway.reportOutcome(
      h.callers.operator.principal,
      outcomeReport({
        observedAt: new Date(h.clock.now()).toISOString(),
        observed: { unit: 'ratio', kpi: 'conversion_rate', value: 0.1 },
      }),
    );
    expect(await h.gateway.listControls(h.callers.operator.principal)).toEqual([]);
    await h.close();

    const ads = scriptedAdapter('google-ads', {
      dedupes: true,
      reversible: ['set_campaign_budget'],
    });
    h = await createHarness({ adapters: [ads.adapter] });
    const plan = await submitApproved(h, rollbackPlan([BUDGET_MOVE]));
    await h.runtime.dispatcher.runDue();
    await interim('day-1', 0.1);
    expect(await h.gateway.listControls(h.callers.operator.principal)).toEqual([]);
    const types = (await eventsOf(h, plan.planId)).map((e) => e.type);
    expect(types).toContain('outcome.reported');
    expect(types).not.toContain('rollback.requested');
  });
});
