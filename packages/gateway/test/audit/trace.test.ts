import { asc, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditReader } from '../../src/audit/audit-reader.js';
import { traceLineage } from '../../src/audit/trace.js';
import { renderTrace } from '../../src/audit/trace-report.js';
import * as schema from '../../src/store/sqlite/schema.js';
import {
  autoApprovablePlan,
  expectGatewayError,
  OPTION_1,
  planIdOf,
  rows,
} from '../pipeline/helpers.js';
import { OTHER_TENANT, TENANT } from '../support/harness.js';
import { sqliteOf } from '../support/sqlite-of.js';
import { auditedHarness } from './support.js';

let setup: Awaited<ReturnType<typeof auditedHarness>>;
let reader: AuditReader;

beforeAll(async () => {
  setup = await auditedHarness();
  const { h } = setup;
  // A kill switch on the plans' workflow, and one on another workflow that must not show up.
  await h.gateway.pause(
    h.callers.operator.principal,
    { scopeType: 'workflow', scopeValue: 'term-deposit-q4' },
    'audit of the Q4 campaign',
  );
  await h.gateway.pause(
    h.callers.operator.principal,
    { scopeType: 'workflow', scopeValue: 'some-other-workflow' },
    'unrelated',
  );
  reader = new AuditReader(sqliteOf(h.runtime.store));
});
afterAll(async () => {
  await setup.h.close();
});

describe('AuditReader', () => {
  it('reads the rows drizzle reads, field for field, from its prepared statements', () => {
    const db = drizzle(sqliteOf(setup.h.runtime.store), { schema });
    const planId = setup.planIds.gated;
    const plan = db.select().from(schema.plans).where(eq(schema.plans.planId, planId)).get();
    expect(plan).toBeDefined();
    expect(reader.plan(TENANT, planId)).toEqual(plan);
    const approvals = db
      .select()
      .from(schema.approvals)
      .where(eq(schema.approvals.planId, planId))
      .all();
    expect(approvals.length).toBe(2);
    expect(reader.approvals(TENANT, planId)).toEqual(
      [...approvals].sort(
        (a, b) => a.receivedAt - b.receivedAt || a.approver.localeCompare(b.approver),
      ),
    );
    const ledger = db
      .select()
      .from(schema.budgetLedger)
      .where(eq(schema.budgetLedger.planId, planId))
      .orderBy(asc(schema.budgetLedger.id))
      .all();
    expect(ledger.length).toBeGreaterThan(0);
    expect(reader.ledger(TENANT, planId)).toEqual(ledger);
    const dispatches = db
      .select()
      .from(schema.dispatches)
      .where(eq(schema.dispatches.planId, planId))
      .orderBy(asc(schema.dispatches.actionIndex))
      .all();
    expect(dispatches.length).toBeGreaterThan(0);
    expect(reader.dispatches(TENANT, planId)).toEqual(dispatches);
    const policy = db.select().from(schema.policyVersions).get();
    expect(policy && reader.policy(policy.digest)).toEqual(policy);
  });
});

describe('traceLineage', () => {
  it('traces a plan from its data and copilot to policy, budget, approvals, dispatches and controls', () => {
    const planId = setup.planIds.gated;
    const trace = traceLineage(reader, { planId }, TENANT);
    const [record] = rows<{ digest: string; policy_version: string }>(
      setup.h,
      'select digest, policy_version from plans where plan_id = ?',
      planId,
    );
    expect(trace.plan).toMatchObject({
      planId,
      digest: record?.digest,
      selectedOptionId: OPTION_1,
    });
    expect(trace.copilot).toEqual({
      vendor: 'Example Copilot Co',
      model: 'example-planner',
      modelVersion: '2026-10-01',
      promptVersion: 'term-deposit-v3',
    });
    expect(trace.inputs).toContainEqual(
      expect.objectContaining({
        inputId: 'bank-marketing',
        sha256: 'sha256:dc8d576e9bda0f41ee891251bd84bab9a39ce576cba715aac08adc2374a01fde',
      }),
    );
    expect(trace.policy.version).toBe(record?.policy_version);
    expect(trace.policy.evaluations.map((e) => e.data.optionId).sort()).toEqual(
      trace.options.map((o) => o.optionId).sort(),
    );
    expect(trace.policy.evaluations[0]?.data.rules).toEqual(expect.any(Array));
    // The reservation is recorded by the arrival's event (lineage format 2).
    const reserving = trace.budget.events.find((e) => e.type === 'plan.received');
    expect(reserving?.data.reservations).toEqual(expect.arrayContaining([expect.anything()]));
    expect(trace.budget.ledger.length).toBeGreaterThan(0);
    expect(
      trace.approvals.accepted.map((a) => [a.approver, a.role, a.kid, a.decision]).sort(),
    ).toEqual([
      ['fiona.finance', 'finance', setup.h.keys.finance.kid, 'approve'],
      ['mark.lead', 'marketing_lead', setup.h.keys.marketing.kid, 'approve'],
    ]);
    const actions = trace.options.find((o) => o.optionId === OPTION_1)?.actions ?? [];
    expect(trace.dispatches.map((d) => d.actionId)).toEqual(actions.map((a) => a.actionId));
    for (const d of trace.dispatches) {
      // Queued by the approval that completed the quorum; every dispatch event names the row.
      expect(d.events.map((e) => e.type)).toContain('approval.accepted');
      expect(
        d.events
          .filter((e) => e.type.startsWith('dispatch.'))
          .every((e) => e.data.idempotencyKey === d.idempotencyKey),
      ).toBe(true);
    }
    const controls = trace.controls.filter((e) => e.type === 'control.paused');
    expect(controls.map((e) => e.data.scopeValue)).toEqual(['term-deposit-q4']);
    const seqs = trace.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('traces one dispatch by idempotency key, or by action id, back to its plan', () => {
    const full = traceLineage(reader, { planId: setup.planIds.gated }, TENANT);
    const first = full.dispatches[0];
    const byKey = traceLineage(reader, { idempotencyKey: first?.idempotencyKey ?? '' }, TENANT);
    expect(byKey.plan.planId).toBe(setup.planIds.gated);
    expect(byKey.dispatches).toEqual([first]);
    const byAction = traceLineage(reader, { actionId: first?.actionId ?? '' }, TENANT);
    expect(byAction.dispatches.map((d) => d.idempotencyKey)).toContain(first?.idempotencyKey);
  });

  it('an action id shared by plans traces the latest plan with it, or the plan named, in the tenant only', async () => {
    const { h } = setup;
    const first = planIdOf(1);
    h.clock.advance(60_000);
    const later = await h.gateway.submitPlan(h.callers.copilot.principal, autoApprovablePlan(4));
    const latest = traceLineage(reader, { actionId: 'nurture-broadcast' }, TENANT);
    expect(latest.plan.planId).toBe(later.planId);
    expect(latest.dispatches.map((d) => d.actionId)).toEqual(['nurture-broadcast']);
    const named = traceLineage(reader, { actionId: 'nurture-broadcast', planId: first }, TENANT);
    expect(named.plan.planId).toBe(first);
    expect(named.dispatches).toHaveLength(1);
    await expectGatewayError(
      () => traceLineage(reader, { actionId: 'nurture-broadcast' }, OTHER_TENANT),
      'NOT_FOUND',
    );
  });

  it('records cancellation by an operator among the controls', () => {
    const trace = traceLineage(reader, { planId: setup.planIds.cancelled }, TENANT);
    expect(trace.plan.state).toBe('cancelled');
    expect(trace.controls).toContainEqual(
      expect.objectContaining({
        type: 'plan.state_changed',
        data: expect.objectContaining({ to: 'cancelled' }),
      }),
    );
  });

  it('answers NOT_FOUND for an unknown target and for another tenant alike', async () => {
    await expectGatewayError(
      () => traceLineage(reader, { planId: setup.planIds.gated }, OTHER_TENANT),
      'NOT_FOUND',
    );
    await expectGatewayError(
      () => traceLineage(reader, { idempotencyKey: 'nope' }, TENANT),
      'NOT_FOUND',
    );
    await expectGatewayError(() => traceLineage(reader, { actionId: 'nope' }, TENANT), 'NOT_FOUND');
  });

  it('renders a readable report citing seqs, key ids and digests, never a token', () => {
    const trace = traceLineage(reader, { planId: setup.planIds.gated }, TENANT);
    const text = renderTrace(trace);
    expect(text).toContain(`Plan ${setup.planIds.gated}`);
    expect(text).toContain('example-planner 2026-10-01; prompt term-deposit-v3');
    expect(text).toContain(`as finance for ${OPTION_1}`);
    expect(text).toContain(`key ${setup.h.keys.finance.kid}`);
    expect(text).toMatch(/#\d+ \S+ plan\.received by \S+ decision optionId=/);
    expect(text).toMatch(/#\d+ \S+ approval\.accepted by approver:\S+ state=approved/);
    const tokens = rows<{ body: string }>(
      setup.h,
      "select body from payloads where kind = 'ApprovalJws'",
    );
    expect(tokens.length).toBe(2);
    for (const t of tokens) expect(text).not.toContain(t.body.split('.')[2]);
  });
});
