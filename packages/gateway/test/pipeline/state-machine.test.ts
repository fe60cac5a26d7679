import { afterEach, describe, expect, test } from 'vitest';
import {
  assertTransition,
  canTransition,
  HOLDING_STATES,
  isTerminal,
  PLAN_STATES,
  PLAN_TRANSITIONS,
  type PlanState,
  TERMINAL_STATES,
} from '../../src/plan-state.js';
import { createHarness, fixturePlan, type Harness } from '../support/harness.js';
import { sqliteOf } from '../support/sqlite-of.js';
import {
  APPROVAL_WINDOW_MS,
  approveByBoth,
  count,
  expectGatewayError,
  ledgerOf,
  planVariant,
  snapshot,
} from './helpers.js';

let h: Harness;
afterEach(async () => h?.close());

/** The lifecycle as specified, written out independently of the source so any drift in the table fails here. */
const EXPECTED: Record<PlanState, PlanState[]> = {
  received: ['awaiting_approval', 'approved', 'rejected', 'paused'],
  awaiting_approval: ['approved', 'rejected', 'cancelled', 'expired', 'paused'],
  approved: ['dispatching', 'cancelled', 'expired', 'paused'],
  dispatching: ['dispatched', 'partially_failed', 'failed', 'paused'],
  paused: ['awaiting_approval', 'approved', 'dispatching', 'cancelled', 'expired'],
  rejected: [],
  dispatched: [],
  partially_failed: [],
  failed: [],
  cancelled: [],
  expired: [],
};

function allowed(from: PlanState, to: PlanState, pausedFrom?: PlanState | null): boolean {
  try {
    assertTransition(from, to, pausedFrom);
    return true;
  } catch (error) {
    expect(error).toMatchObject({ code: 'ILLEGAL_TRANSITION', details: { from, to } });
    return false;
  }
}

describe('the transition table', () => {
  test('lists every state, and exactly the specified moves', () => {
    expect([...PLAN_STATES].sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const from of PLAN_STATES) {
      expect([...PLAN_TRANSITIONS[from]].sort(), from).toEqual([...EXPECTED[from]].sort());
    }
  });

  test('assertTransition allows exactly the table moves for every (from, to) pair outside paused', () => {
    let checked = 0;
    for (const from of PLAN_STATES.filter((s) => s !== 'paused')) {
      for (const to of PLAN_STATES) {
        const expected = EXPECTED[from].includes(to);
        expect(allowed(from, to), `${from} -> ${to}`).toBe(expected);
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(expected);
        checked += 1;
      }
    }
    expect(checked).toBe(10 * 11);
  });

  test('paused resumes only to pausedFrom, or ends as cancelled or expired', () => {
    const pausedFroms: (PlanState | null)[] = [...PLAN_STATES, null];
    for (const pausedFrom of pausedFroms) {
      for (const to of PLAN_STATES) {
        const expected =
          to === 'cancelled' ||
          to === 'expired' ||
          (to === pausedFrom && EXPECTED.paused.includes(to));
        expect(allowed('paused', to, pausedFrom), `paused(${pausedFrom}) -> ${to}`).toBe(expected);
      }
    }
    // Without pausedFrom, a paused plan can only end.
    expect(allowed('paused', 'awaiting_approval')).toBe(false);
    expect(allowed('paused', 'approved', 'awaiting_approval')).toBe(false);
    expect(allowed('paused', 'approved', 'approved')).toBe(true);
  });

  test('terminal states have no exits and are exactly the finished ones', () => {
    expect([...TERMINAL_STATES].sort()).toEqual(
      ['cancelled', 'dispatched', 'expired', 'failed', 'partially_failed', 'rejected'].sort(),
    );
    for (const from of PLAN_STATES) {
      expect(isTerminal(from), from).toBe(EXPECTED[from].length === 0);
      if (!isTerminal(from)) continue;
      for (const to of PLAN_STATES) {
        for (const pausedFrom of [null, ...PLAN_STATES]) {
          expect(allowed(from, to, pausedFrom), `${from} -> ${to}`).toBe(false);
        }
      }
    }
    expect([...HOLDING_STATES].sort()).toEqual(
      ['approved', 'awaiting_approval', 'dispatching', 'paused'].sort(),
    );
  });
});

describe('through the API, illegal moves are impossible', () => {
  test('cancelling a rejected plan is ILLEGAL_TRANSITION and changes nothing', async () => {
    h = await createHarness();
    const { copilot, operator } = h.callers;
    const denied = await h.gateway.submitPlan(
      copilot.principal,
      planVariant(1, (p) => {
        p.workflow.aiMode = 'ai_led';
        for (const o of p.options) o.contentKind = 'case_study';
      }),
    );
    expect(denied.state).toBe('rejected');
    const before = snapshot(h);
    await expectGatewayError(
      h.gateway.cancelPlan(operator.principal, denied.planId, 'x'),
      'ILLEGAL_TRANSITION',
    );
    await expectGatewayError(
      h.gateway.cancelPlan(copilot.principal, denied.planId, 'x'),
      'ILLEGAL_TRANSITION',
    );
    expect(snapshot(h)).toEqual(before);
    expect((await h.gateway.getPlan(operator.principal, denied.planId)).state).toBe('rejected');
  });

  test('cancelling a cancelled or expired plan is ILLEGAL_TRANSITION', async () => {
    h = await createHarness();
    const { copilot, operator } = h.callers;
    const a = await h.gateway.submitPlan(copilot.principal, planVariant(1));
    await h.gateway.cancelPlan(copilot.principal, a.planId, 'first');
    const before = snapshot(h);
    const again = await expectGatewayError(
      h.gateway.cancelPlan(operator.principal, a.planId, 'second'),
      'ILLEGAL_TRANSITION',
    );
    expect(again.details).toEqual({ from: 'cancelled', to: 'cancelled' });
    expect(snapshot(h)).toEqual(before);

    const b = await h.gateway.submitPlan(copilot.principal, planVariant(2));
    h.clock.advance(APPROVAL_WINDOW_MS);
    expect(await h.gateway.expireDue()).toBe(1);
    await expectGatewayError(
      h.gateway.cancelPlan(operator.principal, b.planId, 'late'),
      'ILLEGAL_TRANSITION',
    );
    expect((await h.gateway.getPlan(operator.principal, b.planId)).state).toBe('expired');
  });

  test('a dispatching or dispatched plan cannot be cancelled, and keeps its budget', async () => {
    h = await createHarness();
    const { copilot, operator } = h.callers;
    const view = await h.gateway.submitPlan(copilot.principal, fixturePlan());
    expect((await approveByBoth(h, view)).state).toBe('approved');
    // The in-process API has no dispatcher: move the row as one would.
    for (const state of ['dispatching', 'dispatched'] as const) {
      sqliteOf(h.runtime.store)
        .prepare('update plans set state = ? where plan_id = ?')
        .run(state, view.planId);
      const before = snapshot(h);
      const err = await expectGatewayError(
        h.gateway.cancelPlan(operator.principal, view.planId, 'stop'),
        'ILLEGAL_TRANSITION',
      );
      expect(err.details).toEqual({ from: state, to: 'cancelled' });
      expect(snapshot(h)).toEqual(before);
      expect(ledgerOf(h, view.planId).every((l) => l.status === 'reserved')).toBe(true);
    }
  });

  test('approving an approved plan is PLAN_NOT_AWAITING_APPROVAL and leaves it approved', async () => {
    h = await createHarness();
    const { copilot, approver, operator } = h.callers;
    const view = await h.gateway.submitPlan(copilot.principal, fixturePlan());
    const approved = await approveByBoth(h, view);
    expect(approved.state).toBe('approved');
    const outbox = count(h, 'dispatches');
    const token = await h.sign(view, { key: h.keys.fred, sub: 'fred.finance', role: 'finance' });
    await expectGatewayError(
      h.gateway.submitApproval(approver.principal, token),
      'PLAN_NOT_AWAITING_APPROVAL',
    );
    const after = await h.gateway.getPlan(operator.principal, view.planId);
    expect(after).toMatchObject({ state: 'approved', selectedOptionId: approved.selectedOptionId });
    expect(after.approvals).toHaveLength(2);
    expect(count(h, 'dispatches')).toBe(outbox);
  });
});
