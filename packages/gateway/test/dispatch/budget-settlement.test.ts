import type { LineageEvent } from '@handoff/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { expectGatewayError, planVariant } from '../pipeline/helpers.js';
import { createHarness, fixturePlan, type Harness } from '../support/harness.js';
import { sqliteOf } from '../support/sqlite-of.js';
import { approvedPlan, ledgerOf } from './dispatch-support.js';
import { scriptedAdapter, unavailable } from './scripted-adapter.js';

/**
 * What a dispatching plan holds and commits: its reservation outlives its expiry, a pause (even one that releases
 * budget) and a change of period; settling books the spend where it was reserved and re-checks the caps.
 */

let h: Harness;
afterEach(async () => h?.close());

const DAY = 86_400_000;

/** Reserved and committed minor units per cap and period, from the ledger. */
function usage(harness: Harness): Record<string, { reserved: number; committed: number }> {
  const rows = sqliteOf(harness.runtime.store)
    .prepare(
      `SELECT cap_id AS capId, period_key AS periodKey, status, SUM(amount_minor) AS total FROM budget_ledger
        WHERE status IN ('reserved', 'committed') GROUP BY 1, 2, 3`,
    )
    .all() as {
    capId: string;
    periodKey: string;
    status: 'reserved' | 'committed';
    total: number;
  }[];
  const out: Record<string, { reserved: number; committed: number }> = {};
  for (const r of rows) {
    const key = `${r.capId} ${r.periodKey}`;
    out[key] ??= { reserved: 0, committed: 0 };
    out[key][r.status] = r.total;
  }
  return out;
}

async function committedEvent(harness: Harness, planId: string): Promise<LineageEvent | undefined> {
  const page = await harness.gateway.queryLineage(harness.callers.auditor.principal, {
    planId,
    types: ['plan.settled'],
    limit: 10,
  });
  return page.items[0];
}

describe('budget through dispatch', () => {
  test('a plan settling in the next month commits in the month it reserved in: the new month stays whole', async () => {
    const hubspot = scriptedAdapter('hubspot', { steps: [unavailable()] });
    h = await createHarness({
      adapters: [hubspot.adapter],
      dispatch: { initialDelayMs: 3_600_000, maxDelayMs: DAY, maxAttempts: 5 },
    });
    const p1 = await approvedPlan(h);
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ retryScheduled: 1 });
    // Eleven days on: December, past P1's own expiry (28 November). P1 is still dispatching.
    h.clock.advance(11 * DAY);
    expect(await h.gateway.expireDue()).toBe(0);
    const p2 = await h.gateway.submitPlan(
      h.callers.copilot.principal,
      planVariant(2, (p) => {
        p.createdAt = '2026-12-02T09:00:00Z';
        p.expiresAt = '2026-12-09T09:00:00Z';
      }),
    );
    expect(p2.state).toBe('awaiting_approval');
    await h.runtime.dispatcher.runDue();
    expect((await h.gateway.getPlan(h.callers.auditor.principal, p1.planId)).state).toBe(
      'dispatched',
    );
    expect(usage(h)).toEqual({
      'hubspot-month month:2026-11': { reserved: 0, committed: 64_500 },
      'tenant-month month:2026-11': { reserved: 0, committed: 64_500 },
      'hubspot-month month:2026-12': { reserved: 64_500, committed: 0 },
      'tenant-month month:2026-12': { reserved: 64_500, committed: 0 },
    });
  });

  test('a platform charging above the reservation is committed as reported, its cap flagged and then closed', async () => {
    const hubspot = scriptedAdapter('hubspot', {
      steps: [
        { ok: { status: 'succeeded', actualCost: { amountMinor: 80_000, currency: 'EUR' } } },
      ],
    });
    h = await createHarness({ adapters: [hubspot.adapter] });
    const p1 = await approvedPlan(h);
    await h.runtime.dispatcher.runDue();
    expect(await ledgerOf(h, p1.planId)).toEqual([
      ['hubspot-month', 80_000, 'committed'],
      ['hubspot-month', 64_500, 'released'],
      ['tenant-month', 80_000, 'committed'],
      ['tenant-month', 64_500, 'released'],
    ]);
    expect((await committedEvent(h, p1.planId))?.data.overCap).toEqual([
      {
        capId: 'hubspot-month',
        periodKey: 'month:2026-11',
        limitMinor: 70_000,
        usedMinor: 0,
        committedMinor: 80_000,
      },
    ]);
    // The overspent cap refuses new reservations until its period ends.
    const next = await h.gateway.submitPlan(h.callers.copilot.principal, planVariant(3));
    expect(next).toMatchObject({ state: 'rejected', reasonCode: 'BUDGET_EXCEEDED' });
  });

  test('paused mid-dispatch with onPause release, a plan keeps its budget, cannot be cancelled, and settles once resumed', async () => {
    const hubspot = scriptedAdapter('hubspot', { steps: [unavailable()] });
    h = await createHarness({
      onPause: 'release',
      adapters: [hubspot.adapter],
      dispatch: { initialDelayMs: 1_000, maxDelayMs: 1_000 },
    });
    const p1 = await approvedPlan(h, fixturePlan());
    await h.runtime.dispatcher.runDue();
    const target = { scopeType: 'adapter' as const, scopeValue: 'hubspot' };
    const [paused] = await h.gateway.pause(h.callers.operator.principal, target, 'incident');
    expect(paused).toMatchObject({ state: 'paused', pausedFrom: 'dispatching' });
    expect(await ledgerOf(h, p1.planId)).toEqual([
      ['hubspot-month', 64_500, 'reserved'],
      ['tenant-month', 64_500, 'reserved'],
    ]);
    await expectGatewayError(
      h.gateway.cancelPlan(h.callers.operator.principal, p1.planId, 'give up'),
      'ILLEGAL_TRANSITION',
    );
    await h.gateway.resume(h.callers.operator.principal, target);
    h.clock.advance(1_000);
    await h.runtime.dispatcher.runDue();
    expect(await ledgerOf(h, p1.planId)).toEqual([
      ['hubspot-month', 64_500, 'committed'],
      ['hubspot-month', 64_500, 'released'],
      ['tenant-month', 64_500, 'committed'],
      ['tenant-month', 64_500, 'released'],
    ]);
  });
});
