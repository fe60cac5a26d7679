import { afterEach, describe, expect, test } from 'vitest';
import { AuditReader } from '../../src/audit/audit-reader.js';
import { traceLineage } from '../../src/audit/trace.js';
import { ledgerOf } from '../dispatch/dispatch-support.js';
import {
  createHarness,
  defaultCaps,
  fixturePlan,
  type Harness,
  OTHER_TENANT,
  TENANT,
} from '../support/harness.js';
import { sqliteOf } from '../support/sqlite-of.js';
import { approveByBoth } from './helpers.js';

/**
 * Plan ids are scoped per tenant (store key `(tenant_id, plan_id)`, migration 0006): the same plan id in two
 * tenants is two plans, each with its own state, approvals, ledger and lineage, and no tenant's use of an id is
 * visible to another (no existence oracle). The HTTP view of the same: test/reliability/trust-tenancy.test.ts.
 */

let h: Harness;
afterEach(async () => {
  await h?.close();
});

function bothTenantsCaps(): unknown[] {
  const acme = defaultCaps()[0] as Record<string, unknown>;
  return [
    ...defaultCaps(),
    { ...acme, tenantId: OTHER_TENANT, scope: { type: 'tenant', value: OTHER_TENANT } },
  ];
}

function globexTwin() {
  const plan = fixturePlan();
  plan.tenantId = OTHER_TENANT;
  return plan;
}

describe('plan ids per tenant', () => {
  test('the same plan id in two tenants is two plans: submitted, read, approved and cancelled apart', async () => {
    h = await createHarness({ caps: bothTenantsCaps() });
    const { copilot, otherCopilot, operator, otherOperator, auditor, otherAuditor } = h.callers;
    const acme = await h.gateway.submitPlan(copilot.principal, fixturePlan());
    const globex = await h.gateway.submitPlan(otherCopilot.principal, globexTwin());
    expect(globex.planId).toBe(acme.planId);
    expect(globex).toMatchObject({ created: true, state: 'awaiting_approval' });
    expect(globex.digest).not.toBe(acme.digest);
    // Idempotent within each tenant.
    expect(await h.gateway.submitPlan(otherCopilot.principal, globexTwin())).toMatchObject({
      created: false,
      digest: globex.digest,
    });
    const planId = acme.planId;

    await approveByBoth(h, acme);
    await h.gateway.cancelPlan(otherOperator.principal, planId, 'not needed');
    expect(await h.gateway.getPlan(operator.principal, planId)).toMatchObject({
      state: 'approved',
      digest: acme.digest,
      approvals: [expect.anything(), expect.anything()],
    });
    expect(await h.gateway.getPlan(otherOperator.principal, planId)).toMatchObject({
      state: 'cancelled',
      digest: globex.digest,
      approvals: [],
    });
    expect(await ledgerOf(h, planId, TENANT)).toEqual([
      ['hubspot-month', 64_500, 'reserved'],
      ['tenant-month', 64_500, 'reserved'],
    ]);
    expect(await ledgerOf(h, planId, OTHER_TENANT)).toEqual([['tenant-month', 64_500, 'released']]);

    const eventsOf = async (who: typeof auditor) =>
      (await h.gateway.queryLineage(who.principal, { planId, limit: 500 })).items;
    const acmeEvents = await eventsOf(auditor);
    const globexEvents = await eventsOf(otherAuditor);
    expect(acmeEvents.every((e) => e.tenantId === TENANT)).toBe(true);
    expect(globexEvents.every((e) => e.tenantId === OTHER_TENANT)).toBe(true);
    expect(globexEvents.map((e) => e.type)).toContain('plan.received');
    expect(acmeEvents.filter((e) => e.type === 'approval.accepted')).toHaveLength(2);
    expect(globexEvents.filter((e) => e.type === 'approval.accepted')).toHaveLength(0);
  });

  test("a workflow filter on the lineage matches a tenant's own plan, not a same-id plan of another tenant", async () => {
    h = await createHarness({ caps: bothTenantsCaps() });
    const { copilot, otherCopilot, auditor } = h.callers;
    await h.gateway.submitPlan(copilot.principal, fixturePlan());
    const other = globexTwin();
    other.workflow.workflowId = 'globex-only-workflow';
    await h.gateway.submitPlan(otherCopilot.principal, other);
    const page = await h.gateway.queryLineage(auditor.principal, {
      workflowId: 'globex-only-workflow',
      limit: 500,
    });
    expect(page.items).toEqual([]);
  });
  test('an offline trace of a plan id two tenants use asks for the tenant, and traces each apart', async () => {
    h = await createHarness({ caps: bothTenantsCaps() });
    const acme = await h.gateway.submitPlan(h.callers.copilot.principal, fixturePlan());
    const globex = await h.gateway.submitPlan(h.callers.otherCopilot.principal, globexTwin());
    const reader = new AuditReader(sqliteOf(h.runtime.store));
    const planId = acme.planId;
    const ambiguous = (() => {
      try {
        traceLineage(reader, { planId }, undefined);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(ambiguous).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: '/tenantId' }] });
    expect(traceLineage(reader, { planId }, TENANT).plan).toMatchObject({
      tenantId: TENANT,
      digest: acme.digest,
    });
    const other = traceLineage(reader, { planId }, OTHER_TENANT);
    expect(other.plan).toMatchObject({ tenantId: OTHER_TENANT, digest: globex.digest });
    // Globex has one cap, acme two: each trace carries its own tenant's ledger.
    expect(other.budget.ledger.map((l) => l.capId)).toEqual(['tenant-month']);
    expect(traceLineage(reader, { planId }, TENANT).budget.ledger).toHaveLength(2);
  });
});
