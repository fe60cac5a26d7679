import { canonicalJson, planDigest, SUPPORTED_PROTOCOL_VERSIONS } from '@handoff/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { createHarness, fixturePlan, type Harness, OTHER_TENANT } from '../support/harness.js';
import {
  autoApprovablePlan,
  count,
  expectGatewayError,
  ledgerOf,
  lineage,
  OPTION_2,
  OPTION_2_COST,
  planVariant,
  rows,
  snapshot,
} from './helpers.js';

let h: Harness;
afterEach(async () => h?.close());

describe('refused submissions', () => {
  test('a malformed plan is VALIDATION_FAILED with the protocol issues (path and code)', async () => {
    h = await createHarness();
    const { copilot } = h.callers;
    const float = fixturePlan();
    (float.options[0]?.actions[0]?.estimatedCost as { amountMinor: number }).amountMinor = 12.5;
    const err = await expectGatewayError(
      h.gateway.submitPlan(copilot.principal, float),
      'VALIDATION_FAILED',
    );
    expect(err.issues).toContainEqual(
      expect.objectContaining({
        path: '/options/0/actions/0/estimatedCost/amountMinor',
        code: 'MONEY_NOT_INTEGER',
      }),
    );

    const { planId: _drop, ...noId } = fixturePlan();
    const missing = await expectGatewayError(
      h.gateway.submitPlan(copilot.principal, noId),
      'VALIDATION_FAILED',
    );
    expect(missing.issues).toContainEqual(
      expect.objectContaining({ path: '/planId', code: 'REQUIRED' }),
    );

    const badRecommendation = planVariant(1, (p) => {
      p.recommendedOptionId = 'no-such-option';
    });
    const rec = await expectGatewayError(
      h.gateway.submitPlan(copilot.principal, badRecommendation),
      'VALIDATION_FAILED',
    );
    expect(rec.issues).toContainEqual(
      expect.objectContaining({
        path: '/recommendedOptionId',
        code: 'RECOMMENDED_OPTION_NOT_FOUND',
      }),
    );
    await expectGatewayError(
      h.gateway.submitPlan(copilot.principal, 'not a plan'),
      'VALIDATION_FAILED',
    );
  });

  test('an unsupported protocol version is UNSUPPORTED_VERSION with details.supportedVersions', async () => {
    h = await createHarness();
    const plan = { ...fixturePlan(), protocolVersion: '2.0' };
    const err = await expectGatewayError(
      h.gateway.submitPlan(h.callers.copilot.principal, plan),
      'UNSUPPORTED_VERSION',
    );
    expect(err.details).toEqual({ supportedVersions: [...SUPPORTED_PROTOCOL_VERSIONS] });
    expect(err.issues).toContainEqual(expect.objectContaining({ path: '/protocolVersion' }));
  });

  test("another tenant's plan is FORBIDDEN, whichever side submits it", async () => {
    h = await createHarness();
    const foreign = planVariant(1, (p) => {
      p.tenantId = OTHER_TENANT;
    });
    await expectGatewayError(
      h.gateway.submitPlan(h.callers.copilot.principal, foreign),
      'FORBIDDEN',
    );
    await expectGatewayError(
      h.gateway.submitPlan(h.callers.otherCopilot.principal, fixturePlan()),
      'FORBIDDEN',
    );
    // Only copilots submit.
    await expectGatewayError(
      h.gateway.submitPlan(h.callers.operator.principal, fixturePlan()),
      'FORBIDDEN',
    );
  });

  test('an already expired plan is VALIDATION_FAILED (PLAN_ALREADY_EXPIRED at /expiresAt)', async () => {
    h = await createHarness();
    const expiresNow = planVariant(1, (p) => {
      p.expiresAt = '2026-11-21T09:30:00Z';
    });
    const err = await expectGatewayError(
      h.gateway.submitPlan(h.callers.copilot.principal, expiresNow),
      'VALIDATION_FAILED',
    );
    expect(err.issues).toEqual([
      expect.objectContaining({ path: '/expiresAt', code: 'PLAN_ALREADY_EXPIRED' }),
    ]);

    h.clock.set(Date.parse(fixturePlan().expiresAt) + 1);
    await expectGatewayError(
      h.gateway.submitPlan(h.callers.copilot.principal, fixturePlan()),
      'VALIDATION_FAILED',
    );
  });

  test('BAD INPUT CHANGES NOTHING: no lineage, plan, ledger, payload or outbox row after any refusal', async () => {
    h = await createHarness();
    const { copilot, otherCopilot, approver } = h.callers;
    const accepted = await h.gateway.submitPlan(copilot.principal, fixturePlan());
    const conflicting = fixturePlan();
    conflicting.objective.target = 0.2;
    const refused: [unknown, string, Parameters<typeof expectGatewayError>[1]][] = [
      [{ ...fixturePlan(), options: [] }, 'copilot', 'VALIDATION_FAILED'],
      [{ ...planVariant(2), protocolVersion: '9.9' }, 'copilot', 'UNSUPPORTED_VERSION'],
      [
        planVariant(3, (p) => {
          p.tenantId = OTHER_TENANT;
        }),
        'copilot',
        'FORBIDDEN',
      ],
      [planVariant(4), 'otherCopilot', 'FORBIDDEN'],
      [planVariant(5), 'approver', 'FORBIDDEN'],
      [
        planVariant(6, (p) => {
          p.expiresAt = '2026-11-21T09:00:01Z';
        }),
        'copilot',
        'VALIDATION_FAILED',
      ],
      [conflicting, 'copilot', 'PLAN_CONFLICT'],
    ];
    const principals = { copilot, otherCopilot, approver };
    for (const [plan, who, code] of refused) {
      const before = snapshot(h);
      await expectGatewayError(
        h.gateway.submitPlan(principals[who as keyof typeof principals].principal, plan),
        code,
      );
      expect(snapshot(h), code).toEqual(before);
    }
    expect(count(h, 'plans')).toBe(1);
    expect((await h.gateway.getPlan(copilot.principal, accepted.planId)).digest).toBe(
      accepted.digest,
    );
  });
});

describe('accepted submissions', () => {
  test('resubmitting the same plan is idempotent: created false, no new lineage, ledger or payload', async () => {
    h = await createHarness();
    const { copilot } = h.callers;
    const first = await h.gateway.submitPlan(copilot.principal, fixturePlan());
    expect(first).toMatchObject({
      created: true,
      state: 'awaiting_approval',
      digest: planDigest(fixturePlan()),
    });
    const before = snapshot(h);
    const again = await h.gateway.submitPlan(copilot.principal, fixturePlan());
    // Same document with its keys in another order: the same RFC 8785 digest.
    const reversed = Object.fromEntries(Object.entries(fixturePlan()).reverse());
    expect(canonicalJson(reversed)).toBe(canonicalJson(fixturePlan()));
    expect(JSON.stringify(reversed)).not.toBe(JSON.stringify(fixturePlan()));
    const third = await h.gateway.submitPlan(copilot.principal, reversed);
    for (const view of [again, third]) {
      expect(view).toMatchObject({ created: false, state: first.state, digest: first.digest });
      expect(view.budget).toEqual(first.budget);
    }
    expect(snapshot(h)).toEqual(before);
  });

  test('the same plan id with another digest is PLAN_CONFLICT and keeps the first plan', async () => {
    h = await createHarness();
    const { copilot } = h.callers;
    const first = await h.gateway.submitPlan(copilot.principal, fixturePlan());
    const changed = fixturePlan();
    (changed.options[0]?.actions[0]?.estimatedCost as { amountMinor: number }).amountMinor = 1;
    const err = await expectGatewayError(
      h.gateway.submitPlan(copilot.principal, changed),
      'PLAN_CONFLICT',
    );
    expect(err.details).toEqual({ planId: first.planId });
    const stored = await h.gateway.getPlan(copilot.principal, first.planId);
    expect(stored.digest).toBe(first.digest);
    expect(stored.budget.map((b) => b.amountMinor)).toEqual([64_500, 64_500]);
  });

  test('a policy-denied plan is rejected with POLICY_DENIED and reserves nothing', async () => {
    h = await createHarness();
    const plan = planVariant(1, (p) => {
      p.workflow.aiMode = 'ai_led';
      for (const o of p.options) o.contentKind = 'case_study';
    });
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, plan);
    expect(view).toMatchObject({
      created: true,
      state: 'rejected',
      reasonCode: 'POLICY_DENIED',
      outcome: 'deny',
    });
    expect(view.decisions).toContainEqual(
      expect.objectContaining({ ruleId: 'no-ai-led-claims', decision: 'deny' }),
    );
    expect(ledgerOf(h, plan.planId)).toEqual([]);
    expect(count(h, 'dispatches')).toBe(0);
    const events = await lineage(h, { planId: plan.planId });
    // One event: the arrival, with the state it entered and the decision per option (rule ids and codes).
    expect(events.map((e) => e.type)).toEqual(['plan.received']);
    expect(events[0]?.data).toMatchObject({
      state: 'rejected',
      reasonCode: 'POLICY_DENIED',
      reservations: [],
    });
    const decisions = events[0]?.data.decisions as Record<
      string,
      { outcome: string; rules: unknown[] }
    >;
    expect(Object.values(decisions).map((d) => d.outcome)).toContain('deny');
    expect(Object.values(decisions).flatMap((d) => d.rules)).toContainEqual(
      expect.objectContaining({ ruleId: 'no-ai-led-claims', decision: 'deny' }),
    );
  });

  test('a plan below every threshold is approved on arrival and its actions are queued', async () => {
    h = await createHarness();
    const plan = autoApprovablePlan(1);
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, plan);
    expect(view).toMatchObject({
      state: 'approved',
      outcome: 'allow',
      selectedOptionId: OPTION_2,
      gates: [],
    });
    // Reservations now last until the plan expires, not the approval window.
    expect(ledgerOf(h, plan.planId)).toEqual([
      expect.objectContaining({
        cap_id: 'tenant-month',
        amount_minor: OPTION_2_COST,
        status: 'reserved',
        expires_at: Date.parse(plan.expiresAt),
      }),
    ]);
    const outbox = rows<{
      idempotency_key: string;
      adapter: string;
      status: string;
      option_id: string;
    }>(h, 'select * from dispatches where plan_id = ?', plan.planId);
    expect(outbox).toEqual([
      expect.objectContaining({ adapter: 'customerio', status: 'pending', option_id: OPTION_2 }),
    ]);
    expect(outbox[0]?.idempotency_key).toMatch(/^hof_[0-9a-f]{40}$/);
    // The arrival records the approval and the actions queued: one event.
    const events = await lineage(h, { planId: plan.planId });
    expect(events.map((e) => e.type)).toEqual(['plan.received']);
    expect(events[0]?.data).toMatchObject({ state: 'approved' });
    const queued = events[0]?.data.queued as Record<string, unknown>[];
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({
      actionIndex: 0,
      actionId: 'nurture-broadcast',
      adapter: 'customerio',
      idempotencyKey: outbox[0]?.idempotency_key,
    });
  });
});
