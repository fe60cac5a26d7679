import type { LineageEvent } from '@handoff/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import type { LineageQuery } from '../../src/gateway-pages.js';
import { expectGatewayError } from '../pipeline/helpers.js';
import type { Harness } from '../support/harness.js';
import { sqliteOf } from '../support/sqlite-of.js';
import { auditedHarness } from './support.js';

let h: Harness;
let planIds: { gated: string; cancelled: string };

beforeAll(async () => {
  ({ h, planIds } = await auditedHarness());
});
afterAll(async () => {
  await h.close();
});

/** Every page of a query as the auditor, following the cursor. */
async function allPages(gateway: Gateway, query: LineageQuery): Promise<LineageEvent[]> {
  const out: LineageEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await gateway.queryLineage(h.callers.auditor.principal, {
      ...query,
      ...(cursor ? { cursor } : {}),
    });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

describe('auditor queries and traces through the gateway', () => {
  it('pages through the lineage in insertion (id) order, stable across page sizes', async () => {
    const whole = await allPages(h.gateway, { limit: 500 });
    const paged = await allPages(h.gateway, { limit: 3 });
    expect(paged.map((e) => e.hash)).toEqual(whole.map((e) => e.hash));
    // seq counts per chain (format 2): the order across chains is the store's insertion order.
    const stored = sqliteOf(h.runtime.store)
      .prepare("select hash from lineage_events where tenant_id = 'acme-bank' order by id")
      .pluck()
      .all();
    expect(whole.map((e) => e.hash)).toEqual(stored);
    expect(whole.every((e) => e.tenantId === 'acme-bank')).toBe(true);
  });

  it('filters by workflow, adapter, actor type, event type and time range', async () => {
    const whole = await allPages(h.gateway, { limit: 500 });
    const workflow = await allPages(h.gateway, { workflowId: 'term-deposit-q4', limit: 500 });
    expect(workflow.length).toBeGreaterThan(0);
    expect(workflow).toEqual(whole.filter((e) => e.planId !== undefined));
    expect(await allPages(h.gateway, { workflowId: 'no-such-workflow', limit: 500 })).toEqual([]);

    const hubspot = await allPages(h.gateway, { adapter: 'hubspot', limit: 500 });
    expect(new Set(hubspot.map((e) => e.planId))).toEqual(new Set([planIds.gated]));
    const customerio = await allPages(h.gateway, { adapter: 'customerio', limit: 500 });
    expect(customerio.some((e) => e.planId === planIds.gated)).toBe(false);

    const approvers = await allPages(h.gateway, { actorType: 'approver', limit: 500 });
    expect(approvers.length).toBeGreaterThan(0);
    expect(approvers.every((e) => e.actor.type === 'approver')).toBe(true);
    expect(approvers).toEqual(whole.filter((e) => e.actor.type === 'approver'));

    const accepted = await allPages(h.gateway, { types: ['approval.accepted'], limit: 500 });
    expect(accepted.map((e) => e.data.approver).sort()).toEqual(['fiona.finance', 'mark.lead']);

    const middle = whole.find((e) => e.occurredAt > (whole[0]?.occurredAt ?? ''));
    const late = await allPages(h.gateway, { from: middle?.occurredAt ?? '', limit: 500 });
    expect(late).toEqual(whole.filter((e) => e.occurredAt >= (middle?.occurredAt ?? '')));
  });

  it('traces a plan for an auditor; refuses a copilot; hides other tenants behind NOT_FOUND', async () => {
    const trace = await h.gateway.traceLineage(h.callers.auditor.principal, {
      planId: planIds.gated,
    });
    expect(trace.approvals.accepted).toHaveLength(2);
    await expectGatewayError(
      h.gateway.traceLineage(h.callers.copilot.principal, { planId: planIds.gated }),
      'FORBIDDEN',
    );
    await expectGatewayError(
      h.gateway.traceLineage(h.callers.otherAuditor.principal, { planId: planIds.gated }),
      'NOT_FOUND',
    );
  });
});
