import { planDigest } from '@handoff/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { signProvenance } from '../provenance/signing.js';
import {
  approverEntry,
  createHarness,
  defaultCaps,
  fixturePlan,
  type Harness,
  TENANT,
} from '../support/harness.js';
import { type ApprovalKit, approvalKit, withSubmittedPlan } from './approval-support.js';
import {
  APPROVAL_WINDOW_MS,
  count,
  expectGatewayError,
  ledgerOf,
  lineage,
  OPTION_1,
  OPTION_1_COST,
  OPTION_2,
  OPTION_2_COST,
  planVariant,
  rows,
  snapshot,
} from './helpers.js';

/** A EUR 100.00 monthly cap on customerio: option 2 (EUR 185.25) never fits under it. */
const CUSTOMERIO_100 = {
  capId: 'customerio-month',
  tenantId: TENANT,
  scope: { type: 'adapter', value: 'customerio' },
  period: 'month',
  limit: { amountMinor: 10_000, currency: 'EUR' },
};

let h: Harness;
let k: ApprovalKit;
let view: PlanView;
afterEach(async () => h?.close());

describe('quorum', () => {
  test('two distinct roles are needed: a second finance approver does not complete the gate', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    const first = await k.submit(await k.finance(view));
    expect(first).toMatchObject({ state: 'awaiting_approval', decisive: false });
    expect(first.gates[0]).toMatchObject({ approvers: ['fiona.finance'], satisfied: false });
    const sameRole = await k.submit(
      await k.finance(view, { key: h.keys.fred, sub: 'fred.finance' }),
    );
    expect(sameRole).toMatchObject({ state: 'awaiting_approval', decisive: false });
    expect(sameRole.gates[0]?.satisfied).toBe(false);
    expect(count(h, 'dispatches')).toBe(0);
    const done = await k.submit(await k.marketing(view));
    expect(done).toMatchObject({ state: 'approved', decisive: true, selectedOptionId: OPTION_1 });
    expect(done.gates[0]?.satisfied).toBe(true);
    expect(done.approvals.map((a) => a.approver).sort()).toEqual([
      'fiona.finance',
      'fred.finance',
      'mark.lead',
    ]);
    expect(count(h, 'dispatches', 'plan_id = ?', view.planId)).toBe(1);
    expect((await lineage(h, { planId: view.planId, types: ['approval.accepted'] })).length).toBe(
      3,
    );
  });
});

describe('refusals of verified approvals that do not match the plan (each recorded)', () => {
  test('the same approver twice is APPROVAL_DUPLICATE_APPROVER', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    await k.submit(await k.finance(view));
    await k.expectRefused(
      await k.finance(view, { role: 'finance' }),
      'APPROVAL_DUPLICATE_APPROVER',
      view.planId,
    );
  });

  test('a role no gate asks for is APPROVAL_ROLE_NOT_REQUIRED', async () => {
    const legal = await generateSigningKeyPair({ alg: 'EdDSA' });
    ({ h, k, view } = await withSubmittedPlan({
      approvers: [approverEntry(legal, 'lena.legal', ['legal'])],
    }));
    await k.expectRefused(
      await k.finance(view, { key: legal, sub: 'lena.legal', role: 'legal' }),
      'APPROVAL_ROLE_NOT_REQUIRED',
      view.planId,
    );
  });

  test('a role the key is not registered with is APPROVAL_ROLE_NOT_HELD', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    await k.expectRefused(
      await k.finance(view, { role: 'marketing_lead' }),
      'APPROVAL_ROLE_NOT_HELD',
      view.planId,
    );
  });

  test('the submitting principal presenting approvals of its own plan is APPROVAL_SELF_APPROVAL', async () => {
    h = await createHarness();
    const self = h.callers.copilotApprover.principal;
    view = await h.gateway.submitPlan(self, fixturePlan());
    const before = snapshot(h);
    for (const token of [
      await h.sign(view, { key: h.keys.finance, sub: 'fiona.finance', role: 'finance' }),
      await h.sign(view, { key: h.keys.marketing, sub: 'mark.lead', role: 'marketing_lead' }),
    ]) {
      await expectGatewayError(h.gateway.submitApproval(self, token), 'APPROVAL_SELF_APPROVAL');
    }
    const after = snapshot(h);
    expect(after.lineage).toBe(before.lineage + 2);
    expect({ ...after, lineage: 0 }).toEqual({ ...before, lineage: 0 });
    expect((await h.gateway.getPlan(h.callers.auditor.principal, view.planId)).state).toBe(
      'awaiting_approval',
    );
  });

  test("the key that signed the plan's provenance cannot approve it, under any kid", async () => {
    const copilotKey = await generateSigningKeyPair({ alg: 'EdDSA' });
    h = await createHarness({
      provenance: {
        copilotKeys: [{ type: 'inline', jwks: { keys: [copilotKey.publicJwk] } }],
        required: true,
      },
      approvers: [approverEntry(copilotKey, 'sly.approver', ['finance'])],
    });
    k = approvalKit(h);
    const plan = fixturePlan();
    view = await h.gateway.submitPlan(
      h.callers.copilot.principal,
      plan,
      await signProvenance(plan, copilotKey),
    );
    await k.expectRefused(
      await k.finance(view, { key: copilotKey, sub: 'sly.approver' }),
      'APPROVAL_SELF_APPROVAL',
      view.planId,
    );
    expect((await k.submit(await k.finance(view))).approvals).toHaveLength(1);
  });

  test('a digest of another plan, or of a changed plan, is APPROVAL_DIGEST_MISMATCH', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    const other = await h.gateway.submitPlan(h.callers.copilot.principal, planVariant(1));
    await k.expectRefused(
      await k.finance({ ...view, digest: other.digest }),
      'APPROVAL_DIGEST_MISMATCH',
      view.planId,
    );
    const changed = fixturePlan();
    changed.objective.target = 0.5;
    await k.expectRefused(
      await k.finance({ ...view, digest: planDigest(changed) }),
      'APPROVAL_DIGEST_MISMATCH',
      view.planId,
    );
  });

  test('another policy version is APPROVAL_POLICY_MISMATCH', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    const policyVersion = `sha256:${'ab'.repeat(32)}`;
    await k.expectRefused(
      await k.finance({ ...view, policyVersion }),
      'APPROVAL_POLICY_MISMATCH',
      view.planId,
    );
  });

  test('an option that is not in the plan is APPROVAL_OPTION_INVALID', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    await k.expectRefused(
      await k.finance(view, { optionId: 'no-such-option' }),
      'APPROVAL_OPTION_INVALID',
      view.planId,
    );
  });

  test('maxSpend below the cost, or in another currency, is APPROVAL_SPEND_TOO_LOW; the exact cost is enough', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    const low = { amountMinor: OPTION_1_COST - 1, currency: 'EUR' as const };
    const tooLow = await k.expectRefused(
      await k.finance(view, { maxSpend: low }),
      'APPROVAL_SPEND_TOO_LOW',
      view.planId,
    );
    // In the units an approver types (`--max-spend 644.99 --currency EUR`), not minor units.
    expect(tooLow.message).toBe(
      `maxSpend EUR 644.99 does not cover the EUR 645.00 option ${view.recommendedOptionId} costs`,
    );
    const usd = { amountMinor: 10_000_000, currency: 'USD' as const };
    const otherCurrency = await k.expectRefused(
      await k.finance(view, { maxSpend: usd }),
      'APPROVAL_SPEND_TOO_LOW',
      view.planId,
    );
    expect(otherCurrency.message).toBe(
      `maxSpend is USD 100000.00, but option ${view.recommendedOptionId} is budgeted in EUR: approve in EUR`,
    );
    const exact = { amountMinor: OPTION_1_COST, currency: 'EUR' as const };
    expect((await k.submit(await k.finance(view, { maxSpend: exact }))).approvals).toHaveLength(1);
  });

  test('maxSpend above the option budget is APPROVAL_SPEND_WIDENED at /maxSpend/amountMinor; the budget itself is accepted', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    // The fixture's recommended option is budgeted EUR 645.00, its declared maximum.
    const wide = { amountMinor: OPTION_1_COST + 1, currency: 'EUR' as const };
    const widened = await k.expectRefused(
      await k.finance(view, { maxSpend: wide }),
      'APPROVAL_SPEND_WIDENED',
      view.planId,
    );
    const message = `maxSpend EUR 645.01 exceeds the EUR 645.00 budget of option ${view.recommendedOptionId}: an approver may narrow the maximum spend, never widen it (at most EUR 645.00)`;
    expect(widened.message).toBe(message);
    expect(widened.issues).toEqual([
      { path: '/maxSpend/amountMinor', code: 'APPROVAL_SPEND_WIDENED', message },
    ]);
    const budget = { amountMinor: OPTION_1_COST, currency: 'EUR' as const };
    const accepted = await k.submit(await k.finance(view, { maxSpend: budget }));
    expect(accepted.approvals.map((a) => a.maxSpend)).toEqual([budget]);
  });
});

describe('decisions', () => {
  test('a signed rejection rejects the plan and releases its budget', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    const result = await k.submit(await k.finance(view, { decision: 'reject' }));
    expect(result).toMatchObject({
      state: 'rejected',
      reasonCode: 'APPROVAL_REJECTED',
      decisive: true,
    });
    expect(ledgerOf(h, view.planId).map((l) => l.status)).toEqual(['released', 'released']);
    // One event records the rejection: the state it entered and the lines it released.
    const [accepted] = await lineage(h, { planId: view.planId, types: ['approval.accepted'] });
    expect(accepted?.data).toMatchObject({
      decision: 'reject',
      state: 'rejected',
      reasonCode: 'APPROVAL_REJECTED',
    });
    expect(accepted?.data.released).toHaveLength(2);
    expect(count(h, 'dispatches')).toBe(0);
  });

  test('approving the allowed non-recommended option approves it with its budget re-reserved', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    const result = await k.submit(await k.marketing(view, { optionId: OPTION_2 }));
    expect(result).toMatchObject({ state: 'approved', decisive: true, selectedOptionId: OPTION_2 });
    expect(
      ledgerOf(h, view.planId).map((l) => [l.cap_id, l.amount_minor, l.status, l.expires_at]),
    ).toEqual([
      ['hubspot-month', OPTION_1_COST, 'released', null],
      ['tenant-month', OPTION_1_COST, 'released', null],
      ['tenant-month', OPTION_2_COST, 'reserved', Date.parse(view.expiresAt)],
    ]);
    const outbox = rows<{ adapter: string; option_id: string }>(
      h,
      'select * from dispatches where plan_id = ?',
      view.planId,
    );
    expect(outbox).toEqual([
      expect.objectContaining({ adapter: 'customerio', option_id: OPTION_2 }),
    ]);
  });

  test('an approval the caps cannot hold is not consumed: refused BUDGET_EXCEEDED, the plan says why it waits, the same approver decides again', async () => {
    ({ h, k, view } = await withSubmittedPlan({ caps: [...defaultCaps(), CUSTOMERIO_100] }));
    const before = snapshot(h);
    const token = await k.marketing(view, { optionId: OPTION_2 });
    const error = await k.submit(token).then(
      () => expect.unreachable('expected BUDGET_EXCEEDED'),
      (e: unknown) =>
        e as {
          code: string;
          message: string;
          details: Record<string, unknown>;
          issues: unknown[];
        },
    );
    expect(error.code).toBe('BUDGET_EXCEEDED');
    expect(error.details).toMatchObject({
      optionId: OPTION_2,
      capId: 'customerio-month',
      limitMinor: 10_000,
      usedMinor: 0,
      requestedMinor: OPTION_2_COST,
    });
    expect(error.message).toContain(`0 of 10000 minor units used; ${OPTION_2_COST} more`);
    // On the wire the envelope carries issues, not details: the figures are in the one issue's sentence.
    const sentence = `Option "${OPTION_2}" asks ${OPTION_2_COST} minor units of EUR of cap "customerio-month" (month:2026-11), which has 0 of its 10000 used: 10000 left`;
    expect(error.issues).toEqual([{ path: '', code: 'BUDGET_EXCEEDED', message: sentence }]);
    // Nothing accepted, no token burned, the recommended reservation untouched: two events say why.
    expect(count(h, 'approvals')).toBe(before.approvals);
    expect(count(h, 'used_tokens')).toBe(0);
    expect(rows(h, 'select * from budget_ledger order by id')).toEqual(before.ledger);
    const events = (await lineage(h, { planId: view.planId })).slice(-2);
    expect(events.map((e) => [e.type, e.data.code, e.data.capId])).toEqual([
      ['budget.refused', 'BUDGET_EXCEEDED', 'customerio-month'],
      ['approval.refused', 'BUDGET_EXCEEDED', 'customerio-month'],
    ]);
    const waiting = await h.gateway.getPlan(h.callers.operator.principal, view.planId);
    expect(waiting).toMatchObject({
      state: 'awaiting_approval',
      reasonCode: 'BUDGET_EXCEEDED',
      budgetRefusal: { capId: 'customerio-month', headroomMinor: 10_000, message: sentence },
    });
    // Once there is headroom, the same approver presents the same token again: it completes the quorum.
    await h.gateway.setCaps(h.callers.operator.principal, defaultCaps());
    const approved = await k.submit(token);
    expect(approved).toMatchObject({
      state: 'approved',
      selectedOptionId: OPTION_2,
      reasonCode: null,
      budgetRefusal: null,
      decisive: true,
    });
    expect(
      approved.budget.filter((b) => b.status === 'reserved').map((b) => b.amountMinor),
    ).toEqual([OPTION_2_COST]);
  });

  test('a refused other option leaves the recommended one approvable by the same approver', async () => {
    ({ h, k, view } = await withSubmittedPlan({ caps: [...defaultCaps(), CUSTOMERIO_100] }));
    await expectGatewayError(
      k.submit(await k.marketing(view, { optionId: OPTION_2 })),
      'BUDGET_EXCEEDED',
    );
    await k.submit(await k.finance(view));
    const approved = await k.submit(await k.marketing(view));
    expect(approved).toMatchObject({
      state: 'approved',
      selectedOptionId: OPTION_1,
      reasonCode: null,
    });
    expect(
      approved.budget.filter((b) => b.status === 'reserved').map((b) => b.amountMinor),
    ).toEqual([OPTION_1_COST, OPTION_1_COST]);
    expect(count(h, 'dispatches', 'plan_id = ?', view.planId)).toBe(1);
  });

  test("each approval's view shows the plan's budget as stored: quorum pending, approved as held, approved on another option", async () => {
    const stored = async (planId: string) =>
      (await h.gateway.getPlan(h.callers.operator.principal, planId)).budget;
    ({ h, k, view } = await withSubmittedPlan());
    const pending = await k.submit(await k.finance(view));
    expect(pending.state).toBe('awaiting_approval');
    expect(pending.budget).toEqual(await stored(view.planId));
    const approved = await k.submit(await k.marketing(view));
    expect(approved.state).toBe('approved');
    expect(approved.budget).toEqual(await stored(view.planId));
    await h.close();
    ({ h, k, view } = await withSubmittedPlan());
    const moved = await k.submit(await k.marketing(view, { optionId: OPTION_2 }));
    expect(moved).toMatchObject({ state: 'approved', selectedOptionId: OPTION_2 });
    expect(moved.budget.map((b) => b.status)).toContain('released');
    expect(moved.budget).toEqual(await stored(view.planId));
  });

  test('a verified approval for an unknown plan, or one of another tenant, is NOT_FOUND and recorded without naming it', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    const foreign = await h.gateway.submitPlan(
      h.callers.otherCopilot.principal,
      planVariant(7, (p) => {
        p.tenantId = 'globex';
      }),
    );
    for (const planId of ['019a8f2e-5c4b-7d3e-9a1f-00000000dead', foreign.planId]) {
      const before = snapshot(h);
      await expectGatewayError(k.submit(await k.finance({ ...view, planId })), 'NOT_FOUND');
      expect(count(h, 'lineage_events')).toBe(before.lineage + 1);
      const last = rows<{ body: string }>(
        h,
        'select body from lineage_events order by id desc limit 1',
      )[0];
      const event = JSON.parse(last?.body ?? '{}');
      expect(event).toMatchObject({
        type: 'approval.refused',
        tenantId: TENANT,
        refs: {},
        data: { code: 'NOT_FOUND', verified: true },
      });
      expect(event.planId).toBeUndefined();
      expect(last?.body).not.toContain(planId);
    }
  });

  test('an approval after the window is PLAN_NOT_AWAITING_APPROVAL and expires the plan', async () => {
    ({ h, k, view } = await withSubmittedPlan());
    h.clock.advance(APPROVAL_WINDOW_MS);
    const seen = (await lineage(h, { planId: view.planId })).length;
    await expectGatewayError(k.submit(await k.finance(view)), 'PLAN_NOT_AWAITING_APPROVAL');
    const plan = await h.gateway.getPlan(h.callers.operator.principal, view.planId);
    expect(plan).toMatchObject({
      state: 'expired',
      reasonCode: 'APPROVAL_WINDOW_ELAPSED',
      approvals: [],
    });
    expect(ledgerOf(h, view.planId).map((l) => l.status)).toEqual(['released', 'released']);
    const added = (await lineage(h, { planId: view.planId })).slice(seen);
    expect(added.map((e) => e.type)).toEqual([
      'budget.released',
      'plan.state_changed',
      'approval.refused',
    ]);
    expect(added[1]?.data).toMatchObject({
      from: 'awaiting_approval',
      to: 'expired',
      reasonCode: 'APPROVAL_WINDOW_ELAPSED',
    });
    expect(added[2]?.data).toMatchObject({ code: 'PLAN_NOT_AWAITING_APPROVAL', verified: true });
    expect(await h.gateway.expireDue()).toBe(0);
  });
});
