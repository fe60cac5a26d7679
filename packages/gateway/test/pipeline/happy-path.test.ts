import { GENESIS_HASH, lineageEventHash } from '@handoff/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { createHarness, fixturePlan, type Harness } from '../support/harness.js';

let h: Harness;
afterEach(async () => h?.close());

describe('a plan gated on two signed approvals', () => {
  test('submit -> awaiting_approval -> finance + marketing lead -> approved, with a chained lineage', async () => {
    h = await createHarness();
    const { copilot, approver, auditor } = h.callers;
    const submitted = await h.gateway.submitPlan(copilot.principal, fixturePlan());
    expect(submitted.state).toBe('awaiting_approval');
    expect(submitted.created).toBe(true);
    expect(submitted.gates).toHaveLength(1);
    expect(submitted.gates[0]).toMatchObject({ quorum: 2, distinctRoles: true, satisfied: false });
    expect(submitted.budget.map((b) => [b.capId, b.amountMinor, b.status])).toEqual(
      expect.arrayContaining([
        ['tenant-month', 64_500, 'reserved'],
        ['hubspot-month', 64_500, 'reserved'],
      ]),
    );

    const first = await h.gateway.submitApproval(
      approver.principal,
      await h.sign(submitted, { key: h.keys.finance, sub: 'fiona.finance', role: 'finance' }),
    );
    expect(first).toMatchObject({ state: 'awaiting_approval', decisive: false });
    const second = await h.gateway.submitApproval(
      approver.principal,
      await h.sign(submitted, { key: h.keys.marketing, sub: 'mark.lead', role: 'marketing_lead' }),
    );
    expect(second).toMatchObject({
      state: 'approved',
      decisive: true,
      selectedOptionId: 'call-prior-successes',
    });

    const again = await h.gateway.submitPlan(copilot.principal, fixturePlan());
    expect(again).toMatchObject({ created: false, state: 'approved' });

    const page = await h.gateway.queryLineage(auditor.principal, {
      planId: submitted.planId,
      limit: 500,
    });
    const types = page.items.map((e) => e.type);
    // One event per transition: arrival (decision, reservations), then each approval (the second queues).
    expect(types).toEqual(['plan.received', 'approval.accepted', 'approval.accepted']);
    const [received, firstApproval, last] = page.items;
    expect(received?.data).toMatchObject({ state: 'awaiting_approval' });
    expect(received?.data.reservations).not.toEqual([]);
    expect(firstApproval?.data).toMatchObject({ state: 'awaiting_approval' });
    expect(last?.data).toMatchObject({ state: 'approved' });
    expect(last?.data.queued).not.toEqual([]);
    const all = await h.gateway.queryLineage(auditor.principal, { limit: 500 });
    // Lineage format 2: each event links to the previous event of its own chain (its plan's, or its tenant's).
    const heads = new Map<string, string>();
    for (const event of all.items) {
      const chain =
        event.planId === undefined ? `tenant:${event.tenantId}` : `plan:${event.planId}`;
      expect(event.chain).toBe(event.planId === undefined ? 'tenant' : 'plan');
      expect(event.prevHash).toBe(heads.get(chain) ?? GENESIS_HASH);
      expect(lineageEventHash(event)).toBe(event.hash);
      heads.set(chain, event.hash);
    }
    expect(heads.get(`plan:${submitted.planId}`)).toBe(last?.hash);
  });
});
