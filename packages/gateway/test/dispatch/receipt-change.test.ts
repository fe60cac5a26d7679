import { afterEach, describe, expect, test } from 'vitest';
import { renderTrace } from '../../src/audit/trace-report.js';
import { receiptChange } from '../../src/dispatch/receipt-change.js';
import { BROADCAST, BUDGET_MOVE, rollbackPlan } from '../rollback/rollback-support.js';
import { createHarness, type Harness } from '../support/harness.js';
import { scriptedAdapter } from './scripted-adapter.js';

/*
 * Receipts keep what the platform changed (issue 17): a budget move's receipt holds the budget before (read by the
 * adapter at dispatch) and after, and the trace shows both, in JSON and in its text report.
 */

let h: Harness;
afterEach(async () => h?.close());

describe('a budget move receipt', () => {
  test('keeps from and to, and the trace shows both', async () => {
    const ads = scriptedAdapter('google-ads', {
      dedupes: true,
      reversible: ['set_campaign_budget'],
    });
    h = await createHarness({ adapters: [ads.adapter] });
    const plan = await h.gateway.submitPlan(
      h.callers.copilot.principal,
      rollbackPlan([BUDGET_MOVE]),
    );
    expect(plan.state).toBe('approved');
    expect(await h.runtime.dispatcher.runDue()).toMatchObject({ succeeded: 1 });
    const trace = await h.gateway.traceLineage(h.callers.auditor.principal, {
      planId: plan.planId,
    });
    const receipts = trace.dispatches.flatMap((d) => d.receipts.map((r) => r.receipt));
    expect(receipts).toEqual([
      expect.objectContaining({
        status: 'succeeded',
        change: {
          kind: 'budget',
          from: { amountMinor: 10_000, currency: 'EUR' },
          to: { amountMinor: 11_000, currency: 'EUR' },
        },
      }),
    ]);
    expect(renderTrace(trace)).toMatch(
      /receipt sha256:[0-9a-f]{64}, budget 100\.00 EUR -> 110\.00 EUR/,
    );
  });
});

describe('receiptChange', () => {
  test('only a budget move with a captured budget has one: nothing is guessed', () => {
    const before = { previousBudget: { amountMinor: 10_000, currency: 'EUR' } };
    expect(receiptChange(BUDGET_MOVE, before)).toEqual({
      kind: 'budget',
      from: { amountMinor: 10_000, currency: 'EUR' },
      to: { amountMinor: 11_000, currency: 'EUR' },
    });
    expect(receiptChange(BUDGET_MOVE, undefined)).toBeUndefined();
    expect(receiptChange(BUDGET_MOVE, { previousBudget: { amountMinor: '1' } })).toBeUndefined();
    expect(receiptChange(BROADCAST, before)).toBeUndefined();
  });
});
