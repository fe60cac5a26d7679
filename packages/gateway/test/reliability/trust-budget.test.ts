import { AdapterError } from '@handoff/automation-adapter';
import type { HandoffPlan } from '@handoff/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { scriptedAdapter } from '../dispatch/scripted-adapter.js';
import { type HttpGateway, rawCall, startHttpGateway } from '../http/http-fixture.js';
import { planVariant } from '../pipeline/helpers.js';
import { TENANT } from '../support/harness.js';
import { sqliteOf } from '../support/sqlite-of.js';
import { tally } from './tally.js';
import { call, dailyRaise, monthCap } from './trust-support.js';

/**
 * Issue 13, budget: observations 5, 9 and 10 against a real gateway over HTTP (`startHttpGateway` + `rawCall`),
 * approvals signed by the registered approver identities (finance key -> `fiona.finance`, marketing key ->
 * `mark.lead`), time moved on the gateway's manual clock, dispatch driven by the runtime's own dispatcher.
 */

const T0 = Date.parse('2026-11-21T09:30:00Z');
const SECOND = 1_000;

const TENANT_CAP = monthCap('tenant-month', { type: 'tenant', value: TENANT }, 100_000);

let gw: HttpGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const submit = (g: HttpGateway, plan: HandoffPlan) =>
  call<PlanView>(g, 'plans.submit', 'mutation', { plan }, g.callers.acme.copilot.apiKey);
const approve = (g: HttpGateway, token: string) =>
  call<PlanView>(g, 'approvals.submit', 'mutation', { token }, g.callers.acme.approver.apiKey);
const getPlan = (g: HttpGateway, planId: string) =>
  call<PlanView>(g, 'plans.get', 'query', { planId }, g.callers.acme.operator.apiKey);

/** Both approvals option `optionId` of the plan asks for, signed by the registered finance and marketing keys. */
async function approveByBoth(g: HttpGateway, view: PlanView) {
  const finance = await approve(
    g,
    await g.sign(view, { key: g.keys.finance, sub: 'fiona.finance', role: 'finance' }),
  );
  const marketing = await approve(
    g,
    await g.sign(view, { key: g.keys.marketing, sub: 'mark.lead', role: 'marketing_lead' }),
  );
  return { finance, marketing };
}

/** Committed + reserved minor units per cap and period, read from the gateway's database. */
function capUsage(g: HttpGateway): Record<string, { committed: number; reserved: number }> {
  const rows = sqliteOf(g.store)
    .prepare(
      `SELECT cap_id AS capId, period_key AS periodKey, status, SUM(amount_minor) AS total
         FROM budget_ledger WHERE status IN ('committed', 'reserved') GROUP BY 1, 2, 3`,
    )
    .all() as {
    capId: string;
    periodKey: string;
    status: 'committed' | 'reserved';
    total: number;
  }[];
  const usage: Record<string, { committed: number; reserved: number }> = {};
  for (const row of rows) {
    const key = `${row.capId} ${row.periodKey}`;
    usage[key] ??= { committed: 0, reserved: 0 };
    usage[key][row.status] = row.total;
  }
  return usage;
}

/** Option 1 of the fixture plan (one hubspot action) at `amountMinor`, valid until `expiresAt`. */
function fullCapPlan(n: number, amountMinor: number, expiresAt?: string): HandoffPlan {
  return planVariant(n, (p) => {
    const option = p.options[0];
    if (!option?.actions[0]) throw new Error('fixture changed');
    option.actions[0].estimatedCost = { amountMinor, currency: 'EUR' };
    option.budget.amount = { amountMinor, currency: 'EUR' };
    if (expiresAt) p.expiresAt = expiresAt;
  });
}

describe('trust: budget', () => {
  test('observation 5: a lapsed reservation cannot let a cap be spent twice', async ({ task }) => {
    const t = tally(task, 'trust: budget');
    t.tried();
    const down = new AdapterError('PLATFORM_UNAVAILABLE', '503 from the platform', {
      retryable: true,
      platform: { status: 503 },
    });
    const hubspot = scriptedAdapter('hubspot', { steps: [{ fail: down }] });
    gw = await startHttpGateway({
      caps: [TENANT_CAP],
      adapters: [hubspot.adapter],
      dispatch: { initialDelayMs: 60 * SECOND, maxDelayMs: 60 * SECOND, maxAttempts: 5 },
    });
    const g = gw;
    // P1 reserves the whole cap and may run for 20 seconds.
    const p1 = await submit(g, fullCapPlan(51, 100_000, new Date(T0 + 20 * SECOND).toISOString()));
    expect(p1.data.state).toBe('awaiting_approval');
    expect((await approveByBoth(g, p1.data)).marketing.data.state).toBe('approved');
    // The platform answers 503: P1 is dispatching, its request to be retried a minute later.
    expect(await g.runtime.dispatcher.runDue()).toMatchObject({ attempted: 1, retryScheduled: 1 });
    expect((await getPlan(g, p1.data.planId)).data.state).toBe('dispatching');

    // 20 s past P1's expiry, after an expiry sweep, P1 still holds the cap: a new full-cap plan is refused.
    g.clock.advance(40 * SECOND);
    await g.gateway.expireDue();
    expect((await getPlan(g, p1.data.planId)).data.state).toBe('dispatching');
    expect(capUsage(g)['tenant-month month:2026-11']).toEqual({ committed: 0, reserved: 100_000 });
    const p3 = await submit(g, fullCapPlan(53, 100_000));
    expect(p3.status).toBe(200);
    expect(p3.data).toMatchObject({ state: 'rejected', reasonCode: 'BUDGET_EXCEEDED' });
    const late = await approveByBoth(g, p3.data);
    expect(late.finance.code).toBe('PLAN_NOT_AWAITING_APPROVAL');

    // P1's retry succeeds; it settles and commits the cap once. P3 never reaches the platform.
    g.clock.advance(60 * SECOND);
    await g.runtime.dispatcher.runDue();
    expect((await getPlan(g, p1.data.planId)).data.state).toBe('dispatched');
    expect(hubspot.calls).toHaveLength(2);
    expect(new Set(hubspot.calls.map((c) => c.idempotencyKey)).size).toBe(1);
    const usage = capUsage(g)['tenant-month month:2026-11'];
    expect(usage).toEqual({ committed: 100_000, reserved: 0 });
    t.held();
  });

  test('observation 9: a budget raise declared at zero cost is refused, and an honest one reserves its computed cost', async ({
    task,
  }) => {
    const t = tally(task, 'trust: budget');
    t.tried();
    gw = await startHttpGateway({ caps: [TENANT_CAP] });
    const g = gw;
    // The example ad campaign aimed at retirees: EUR 400.00 a day, raised by 20 % to EUR 480.00.
    const adsPlan = (n: number, declared: number) =>
      planVariant(n, (p) => {
        const option = p.options[0];
        if (!option) throw new Error('fixture changed');
        option.channels = ['paid_search'];
        option.actions = [dailyRaise(declared)];
        option.budget.amount = { amountMinor: declared, currency: 'EUR' };
      });
    const before = {
      plans: sqliteOf(g.store).prepare('SELECT COUNT(*) AS n FROM plans').get(),
      ledger: sqliteOf(g.store).prepare('SELECT COUNT(*) AS n FROM budget_ledger').get(),
      lineage: sqliteOf(g.store).prepare('SELECT COUNT(*) AS n FROM lineage_events').get(),
    };
    const understated = await rawCall(g.url, 'plans.submit', {
      type: 'mutation',
      input: { plan: adsPlan(91, 0) },
      credential: g.callers.acme.copilot.apiKey,
    });
    // +EUR 80.00 a day on 21..28 November (the plan's validity, in the cap's Lisbon time): EUR 640.00.
    expect(understated.status).toBe(422);
    expect(understated.envelope?.code).toBe('BUDGET_COST_UNDERSTATED');
    expect(understated.envelope?.issues).toEqual([
      expect.objectContaining({
        path: '/options/0/actions/0/estimatedCost',
        code: 'BUDGET_COST_UNDERSTATED',
        message: expect.stringContaining(
          'declares 0 EUR minor units; the gateway computes 64000 EUR minor units',
        ),
      }),
    ]);
    expect({
      plans: sqliteOf(g.store).prepare('SELECT COUNT(*) AS n FROM plans').get(),
      ledger: sqliteOf(g.store).prepare('SELECT COUNT(*) AS n FROM budget_ledger').get(),
      lineage: sqliteOf(g.store).prepare('SELECT COUNT(*) AS n FROM lineage_events').get(),
    }).toEqual(before);
    // Declaring the computed cost is accepted, and the cap holds exactly that.
    const honest = await submit(g, adsPlan(92, 64_000));
    expect(honest.data.state).toBe('awaiting_approval');
    expect(honest.data.budget.map((b) => [b.capId, b.amountMinor, b.status])).toEqual([
      ['tenant-month', 64_000, 'reserved'],
    ]);
    t.held();
  });

  test('observation 10: an approval the cap cannot hold is refused unused, and the same approver decides again once there is headroom', async ({
    task,
  }) => {
    const t = tally(task, 'trust: budget');
    t.tried();
    const customerio = monthCap(
      'customerio-month',
      { type: 'adapter', value: 'customerio' },
      10_000,
    );
    gw = await startHttpGateway({ caps: [TENANT_CAP, customerio] });
    const g = gw;
    const submitted = await submit(g, planVariant(101));
    expect(submitted.data.state).toBe('awaiting_approval');
    const view = submitted.data;
    // The marketing lead overrides to option 2 (EUR 185.25 on customerio), which its EUR 100.00 cap cannot hold.
    const token = await g.sign(
      { ...view, recommendedOptionId: 'nurture-broadcast' },
      { key: g.keys.marketing, sub: 'mark.lead', role: 'marketing_lead' },
    );
    const refused = await approve(g, token);
    expect(refused.status).toBe(409);
    expect(refused.code).toBe('BUDGET_EXCEEDED');
    expect(refused.message).toContain(
      'Cap "customerio-month" (month:2026-11) has 0 of 10000 minor units used; 18525 more would exceed it',
    );
    const waiting = (await getPlan(g, view.planId)).data;
    expect(waiting).toMatchObject({
      state: 'awaiting_approval',
      reasonCode: 'BUDGET_EXCEEDED',
      approvals: [],
    });
    expect(waiting.budget.filter((b) => b.status === 'reserved').map((b) => b.amountMinor)).toEqual(
      [64_500],
    );
    expect(sqliteOf(g.store).prepare('SELECT COUNT(*) AS n FROM used_tokens').get()).toEqual({
      n: 0,
    });

    // An operator raises the customerio cap; the same approver presents the same token again: approved.
    const raised = await call(
      g,
      'budget.setCaps',
      'mutation',
      { caps: [TENANT_CAP, { ...customerio, limit: { amountMinor: 20_000, currency: 'EUR' } }] },
      g.callers.acme.operator.apiKey,
    );
    expect(raised.status).toBe(200);
    const approved = await approve(g, token);
    expect(approved.status).toBe(200);
    expect(approved.data).toMatchObject({
      state: 'approved',
      selectedOptionId: 'nurture-broadcast',
      reasonCode: null,
    });
    expect(
      approved.data.budget
        .filter((b) => b.status === 'reserved')
        .map((b) => [b.capId, b.amountMinor]),
    ).toEqual([
      ['customerio-month', 18_525],
      ['tenant-month', 18_525],
    ]);
    t.held();
  });
});
