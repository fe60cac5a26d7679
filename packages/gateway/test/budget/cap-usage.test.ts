import { afterEach, describe, expect, test } from 'vitest';
import { approveByBoth, OPTION_1_COST, planVariant } from '../pipeline/helpers.js';
import { createHarness, type Harness } from '../support/harness.js';

let h: Harness;
afterEach(async () => h?.close());

/** The usage of one cap as `budget.getCaps` answers it to `caller`. */
async function usageOf(caller: Harness['callers'][keyof Harness['callers']], capId: string) {
  const caps = await h.gateway.getCaps(caller.principal);
  const cap = caps.find((c) => c.capId === capId);
  if (!cap) throw new Error(`no cap ${capId}`);
  return cap.usage;
}

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

describe('budget.getCaps usage (limit, reserved, committed, headroom per cap and current period)', () => {
  test('an empty period has all its limit as headroom, with the period named and bounded in the cap zone', async () => {
    h = await createHarness();
    expect(await usageOf(h.callers.operator, 'tenant-month')).toEqual({
      periodKey: 'month:2026-11',
      periodStart: '2026-11-01T00:00:00.000Z',
      periodEnd: '2026-12-01T00:00:00.000Z',
      limit: eur(100_000),
      reserved: eur(0),
      committed: eur(0),
      headroom: eur(100_000),
    });
  });

  test('a plan awaiting approval is reserved on each cap it touches, and headroom shrinks by as much', async () => {
    h = await createHarness();
    await h.gateway.submitPlan(h.callers.copilot.principal, planVariant(1));
    const tenant = await usageOf(h.callers.copilot, 'tenant-month');
    expect(tenant.reserved).toEqual(eur(OPTION_1_COST));
    expect(tenant.committed).toEqual(eur(0));
    expect(tenant.headroom).toEqual(eur(100_000 - OPTION_1_COST));
    const hubspot = await usageOf(h.callers.copilot, 'hubspot-month');
    expect(hubspot.headroom).toEqual(eur(70_000 - OPTION_1_COST));
  });

  test('the next period starts with the whole limit again', async () => {
    h = await createHarness();
    await h.gateway.submitPlan(h.callers.copilot.principal, planVariant(1));
    h.clock.set('2026-12-02T09:00:00Z');
    const next = await usageOf(h.callers.copilot, 'tenant-month');
    expect(next.periodKey).toBe('month:2026-12');
    expect(next.reserved).toEqual(eur(0));
    expect(next.headroom).toEqual(eur(100_000));
  });

  test('an approved plan still holds its reservation until dispatch commits or releases it', async () => {
    h = await createHarness();
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, planVariant(2));
    await approveByBoth(h, view);
    const usage = await usageOf(h.callers.auditor, 'tenant-month');
    expect(usage.reserved.amountMinor + usage.committed.amountMinor).toBe(OPTION_1_COST);
    expect(usage.headroom).toEqual(eur(100_000 - OPTION_1_COST));
  });

  test('a copilot and an approver read their own tenant caps only (the plan page shows headroom); a reporter may not read them', async () => {
    h = await createHarness();
    const own = await h.gateway.getCaps(h.callers.copilot.principal);
    expect(own.map((c) => c.capId).sort()).toEqual(['hubspot-month', 'tenant-month']);
    // The harness gives globex no caps: its copilot sees none of acme-bank's.
    expect(await h.gateway.getCaps(h.callers.otherCopilot.principal)).toEqual([]);
    const approverView = await h.gateway.getCaps(h.callers.approver.principal);
    expect(approverView.map((c) => c.capId).sort()).toEqual(['hubspot-month', 'tenant-month']);
    await expect(h.gateway.getCaps(h.callers.reporter.principal)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
