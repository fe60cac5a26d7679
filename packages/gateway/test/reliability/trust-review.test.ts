import type { HandoffPlan } from '@handoff/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { createApprovalToken } from '../../src/approvals/create-approval.js';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { GATEWAY_ID, type HttpGateway, startHttpGateway } from '../http/http-fixture.js';
import { OPTION_2, planVariant } from '../pipeline/helpers.js';
import { TENANT } from '../support/harness.js';
import { tally } from './tally.js';
import { call, dailyRaise, monthCap } from './trust-support.js';

/**
 * Issue 13, a second look after the merge: attacks on the merged gateway tried against a real gateway over HTTP
 * (`startHttpGateway` + `rawCall`), one test per hole found.
 */

let gw: HttpGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const TENANT_MONTH_CAP = monthCap('tenant-month', { type: 'tenant', value: TENANT }, 100_000);

describe('trust: review', () => {
  test('an approval cannot make the gateway hold more than the plan declared and was policed for', async ({
    task,
  }) => {
    const t = tally(task, 'trust: review');
    t.tried();
    gw = await startHttpGateway({ caps: [TENANT_MONTH_CAP] });
    const g = gw;
    const copilot = g.callers.acme.copilot.apiKey;
    // 30 November, 22:00 in Lisbon: one day of November left. Option 2 raises a daily budget by EUR 80.00 and
    // declares one day of it (what the gateway computes now on the month cap), valid until 10 December. Policy
    // asks only the marketing lead's override for it (below the EUR 500.00 that takes finance and marketing).
    g.clock.set('2026-11-30T22:00:00Z');
    const raisePlan = (n: number, declared: number): HandoffPlan =>
      planVariant(n, (p) => {
        p.expiresAt = '2026-12-10T12:00:00Z';
        const option = p.options.find((o) => o.optionId === OPTION_2);
        if (!option) throw new Error('fixture changed');
        option.channels = ['paid_search'];
        option.actions = [dailyRaise(declared)];
        option.budget.amount = { amountMinor: declared, currency: 'EUR' };
      });
    const plan = raisePlan(1301, 8_000);
    const submitted = await call<PlanView>(g, 'plans.submit', 'mutation', { plan }, copilot);
    expect(submitted.data.state).toBe('awaiting_approval');

    // Half an hour into December the marketing lead overrides to option 2, alone. Allowing EUR 800.00 widens
    // what the plan declared, which is refused; within the declared EUR 80.00, the raise can now run ten days of
    // December's cap: the gateway would hold EUR 800.00 for a plan policed at EUR 80.00.
    g.clock.set('2026-12-01T00:30:00Z');
    const widened = await g.sign(
      { ...submitted.data, recommendedOptionId: OPTION_2 },
      {
        key: g.keys.marketing,
        sub: 'mark.lead',
        role: 'marketing_lead',
        maxSpend: { amountMinor: 80_000, currency: 'EUR' },
      },
    );
    const refusedWide = await call<PlanView>(
      g,
      'approvals.submit',
      'mutation',
      { token: widened },
      g.callers.acme.approver.apiKey,
    );
    expect(refusedWide.code).toBe('APPROVAL_SPEND_WIDENED');
    const token = await g.sign(
      { ...submitted.data, recommendedOptionId: OPTION_2 },
      {
        key: g.keys.marketing,
        sub: 'mark.lead',
        role: 'marketing_lead',
        maxSpend: { amountMinor: 8_000, currency: 'EUR' },
      },
    );
    const approved = await call<PlanView>(
      g,
      'approvals.submit',
      'mutation',
      { token },
      g.callers.acme.approver.apiKey,
    );
    expect(approved.status).toBe(422);
    expect(approved.code).toBe('BUDGET_COST_UNDERSTATED');
    expect(approved.message).toContain('charged 80000 minor units, more than the 8000 it declares');
    const after = await call<PlanView>(
      g,
      'plans.get',
      'query',
      { planId: plan.planId },
      g.callers.acme.operator.apiKey,
    );
    expect(after.data).toMatchObject({ state: 'awaiting_approval', approvals: [] });
    expect(after.data.budget.filter((b) => b.status === 'reserved')).toEqual([
      expect.objectContaining({ periodKey: 'month:2026-11', amountMinor: 64_500 }),
    ]);

    // A rejection of that option is never refused for it: it stops the plan.
    const rejection = await createApprovalToken(
      {
        iss: 'approvals-app',
        sub: 'mark.lead',
        aud: GATEWAY_ID,
        planId: plan.planId,
        planDigest: submitted.data.digest as `sha256:${string}`,
        optionId: OPTION_2,
        policyVersion: submitted.data.policyVersion,
        decision: 'reject',
        maxSpend: { amountMinor: 8_000, currency: 'EUR' },
        role: 'marketing_lead',
      },
      g.keys.marketing.privateJwk,
      { clock: g.clock },
    );
    const rejected = await call<PlanView>(
      g,
      'approvals.submit',
      'mutation',
      { token: rejection },
      g.callers.acme.approver.apiKey,
    );
    expect(rejected.data).toMatchObject({ state: 'rejected', reasonCode: 'APPROVAL_REJECTED' });

    // Resubmitted declaring what it now costs, the option is policed for EUR 800.00: finance must approve too.
    const honest = await call<PlanView>(
      g,
      'plans.submit',
      'mutation',
      { plan: raisePlan(1302, 80_000) },
      copilot,
    );
    expect(honest.data.state).toBe('awaiting_approval');
    const view = await call<{
      evaluation: { options: Record<string, { gates: { roles: string[] }[] }> };
    }>(g, 'plans.dryRun', 'mutation', { plan: raisePlan(1302, 80_000) }, copilot);
    expect(view.data.evaluation.options[OPTION_2]?.gates.flatMap((gate) => gate.roles)).toContain(
      'finance',
    );
    t.held();
  });
});
