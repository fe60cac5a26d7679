import { describe, expect, test } from 'vitest';
import { draftPlan, type Refusal, repairFromRefusal } from './agent.js';

const NOW = Date.parse('2026-11-21T09:30:00Z');

function refusalOf(issues: { path: string; code: string }[]): Refusal {
  return {
    ok: false,
    error: { code: 'VALIDATION_FAILED', message: 'x' },
    hints: {
      code: 'VALIDATION_FAILED',
      hint: 'x',
      issues: issues.map((i) => ({ ...i, hint: 'h' })),
    },
    repairPrompt: 'x',
  };
}

describe('the scripted agent', () => {
  test('its draft has the two mistakes the story expects the gateway to refuse', () => {
    const draft = draftPlan(NOW) as {
      createdAt: string;
      options: { budget: { amount: unknown } }[];
    };
    expect(draft.createdAt).toBe('2026-11-21T10:30:00+01:00');
    expect(draft.options[0]?.budget.amount).toEqual({ amountMinor: 645.5, currency: 'EUR' });
  });

  test('repairs by path and code only: minor units, UTC, and a new planId', () => {
    const draft = draftPlan(NOW) as { planId: string; createdAt: string };
    const { plan, fixed, unfixed } = repairFromRefusal(
      draft,
      refusalOf([
        { path: '/createdAt', code: 'INVALID_FORMAT' },
        { path: '/options/0/budget/amount/amountMinor', code: 'MONEY_NOT_INTEGER' },
      ]),
    );
    const repaired = plan as {
      planId: string;
      createdAt: string;
      options: { budget: { amount: unknown } }[];
    };
    expect(fixed).toHaveLength(2);
    expect(unfixed).toEqual([]);
    expect(repaired.createdAt).toBe('2026-11-21T09:30:00Z');
    expect(repaired.options[0]?.budget.amount).toEqual({ amountMinor: 64_550, currency: 'EUR' });
    expect(repaired.planId).not.toBe(draft.planId);
    // The draft itself is left as it was.
    expect(draft.createdAt).toContain('+01:00');
  });

  test('an issue it has no repair for is reported, not guessed at', () => {
    const { unfixed } = repairFromRefusal(
      draftPlan(NOW),
      refusalOf([{ path: '/options/0/forecast/p10', code: 'FORECAST_NOT_MONOTONIC' }]),
    );
    expect(unfixed).toEqual(['/options/0/forecast/p10 FORECAST_NOT_MONOTONIC']);
  });
});
