import { ApprovalViewSchema, type HandoffPlan } from '@handoff/protocol';
import { describe, expect, test } from 'vitest';
import {
  approvalView,
  approvalViewDigest,
  type ViewSource,
} from '../../src/console/approval-view.js';
import type { OptionEvaluation } from '../../src/policy/evaluate.js';
import { fixturePlan } from '../support/harness.js';

/*
 * The approval view model is a pure function of the stored plan, its record and its evaluation: the same inputs
 * give the same view and digest, the view holds every action with its full parameters, and changing any rendered
 * field changes the digest.
 */

function sourceOf(plan: HandoffPlan): ViewSource {
  const option = plan.options.find((o) => o.optionId === plan.recommendedOptionId);
  if (!option) throw new Error('fixture has no recommended option');
  const evaluation: OptionEvaluation = {
    optionId: option.optionId,
    outcome: 'require_approval',
    decisions: [],
    gates: [
      {
        gateId: 'two-person',
        roles: ['marketing_lead', 'finance'],
        quorum: 2,
        distinctRoles: true,
        reasonCode: 'TWO_PERSON_RULE',
      },
    ],
  };
  return {
    plan,
    planDigest: `sha256:${'c'.repeat(64)}`,
    tenantId: plan.tenantId,
    approvalDeadline: Date.parse('2026-11-22T09:30:00Z'),
    policyVersion: `sha256:${'d'.repeat(64)}`,
    option,
    evaluation,
  };
}

describe('the approval view model', () => {
  test('is a valid ApprovalView with every action and its full parameters, the gates and deadline', () => {
    const plan = fixturePlan();
    const view = approvalView(sourceOf(plan));
    expect(ApprovalViewSchema.safeParse(view).success).toBe(true);
    const option = plan.options.find((o) => o.optionId === plan.recommendedOptionId);
    expect(view.option.actions).toEqual(option?.actions);
    expect(view.option.recommended).toBe(true);
    expect(view.option.money.maxSpend).toEqual(option?.budget.amount);
    expect(view.gates).toEqual([
      expect.objectContaining({
        roles: ['marketing_lead', 'finance'],
        quorum: 2,
        deadline: '2026-11-22T09:30:00.000Z',
      }),
    ]);
  });

  test('the same stored plan gives the same digest; any rendered change gives another', () => {
    const digest = approvalViewDigest(approvalView(sourceOf(fixturePlan())));
    expect(approvalViewDigest(approvalView(sourceOf(fixturePlan())))).toBe(digest);
    const changes: ((plan: HandoffPlan) => void)[] = [
      (p) => {
        const action = p.options[0]?.actions[0];
        if (action) action.estimatedCost.amountMinor += 1;
      },
      (p) => {
        const option = p.options[0];
        if (option) option.audience.estimatedSize += 1;
      },
      (p) => {
        const option = p.options[0];
        if (option) option.risk.score = option.risk.score === 0 ? 0.1 : 0;
      },
      (p) => {
        const option = p.options[0];
        if (option) option.title = `${option.title} (edited)`;
      },
    ];
    for (const change of changes) {
      const plan = fixturePlan();
      plan.recommendedOptionId = plan.options[0]?.optionId ?? plan.recommendedOptionId;
      const before = approvalViewDigest(approvalView(sourceOf(structuredClone(plan))));
      change(plan);
      expect(approvalViewDigest(approvalView(sourceOf(plan)))).not.toBe(before);
    }
  });
});
