import { afterEach, expect, test } from 'vitest';
import { planVariant } from '../pipeline/helpers.js';
import { createHarness, defaultCaps, type Harness, TENANT } from '../support/harness.js';
import { createTestDatabase, describePostgres } from '../support/postgres.js';

/**
 * pg 8 queues a query sent on a connection that is still running one, and warns that this is deprecated (pg 9
 * removes it): "Calling client.query() when the client is already executing a query". A store transaction holds
 * one connection, and the pipeline runs some of a transaction's reads at once (`Promise.all` over a page of plan
 * views, a plan's approvals, the caps' usage, a trace's receipts). This runs each of those paths on PostgreSQL
 * and fails when the driver warned. The warning is raised once per process, so this file runs alone in its own.
 */
const DRIVER_QUEUE = /already executing a query/;
const warnings: Error[] = [];
process.on('warning', (warning) => warnings.push(warning));

let opened: { h: Harness; drop(): Promise<void> } | undefined;
afterEach(async () => {
  await opened?.h.close();
  await opened?.drop();
  opened = undefined;
});

describePostgres('a transaction on PostgreSQL sends one query at a time', () => {
  test('plan pages, approvals, caps, a pause and a trace: the driver never queues a query', async () => {
    // Deprecation warnings must be on, or this would pass whatever the code does.
    expect(process.noDeprecation).not.toBe(true);
    const database = await createTestDatabase();
    // Caps with room for every plan: each waits for approval.
    const caps = defaultCaps().map((cap) => ({
      ...(cap as object),
      limit: { amountMinor: 100_000_000, currency: 'EUR' },
    }));
    const h = await createHarness({ caps, config: { database: { url: database.url } } });
    opened = { h, drop: database.drop };
    const { copilot, approver, operator, auditor } = h.callers;
    const views = [];
    for (let n = 1; n <= 4; n++)
      views.push(await h.gateway.submitPlan(copilot.principal, planVariant(n)));
    const waiting = views.filter((view) => view.state === 'awaiting_approval');
    expect(waiting).toHaveLength(4);
    for (const view of waiting) {
      const token = await h.sign(view, {
        key: h.keys.finance,
        sub: 'fiona.finance',
        role: 'finance',
      });
      await h.gateway.submitApproval(approver.principal, token);
    }

    const page = await h.gateway.listPlans(operator.principal, { limit: 10 });
    expect(page.items.map((item) => item.planId).sort()).toEqual(views.map((v) => v.planId).sort());
    expect(page.items.filter((item) => item.approvals.length === 1)).toHaveLength(waiting.length);
    const usage = await h.gateway.getCaps(operator.principal);
    expect(usage).toHaveLength(caps.length);
    const paused = await h.gateway.pause(
      operator.principal,
      { scopeType: 'tenant', scopeValue: TENANT },
      'drill',
    );
    expect(paused).toHaveLength(4);
    expect(await h.gateway.listControls(operator.principal)).toHaveLength(1);
    await h.gateway.resume(operator.principal, { scopeType: 'tenant', scopeValue: TENANT });
    const trace = await h.gateway.traceLineage(auditor.principal, {
      planId: views[0]?.planId ?? '',
    });
    expect(trace.events.length).toBeGreaterThan(1);

    expect(warnings.filter((w) => DRIVER_QUEUE.test(w.message)).map((w) => w.message)).toEqual([]);
  });
});
