/**
 * The ad story's rollback step: the marketing team sees the +35 % push misfire, and two operators roll it back
 * through the gateway (`plans.rollback`: one asks, a second approves, as the gateway's default rollback policy
 * wants). The compensation goes through the gateway's outbox like any action, and the ad platform must end with the
 * budget it had before the move (the amount the adapter read at dispatch). A broadcast, by contract, could not be
 * undone: the step says so from the table the gateway applies (`ACTION_REVERSIBILITY` of `@handoff/protocol`).
 *
 * It talks to the gateway only through its API and reads the platform through {@link BudgetReader}, so it works
 * with whichever ad platform fake the story dispatches to.
 */
import { type HandoffPlan, reversibilityOf } from '@handoff/protocol';
import { dispatchUntilDrained, totalOf } from '../shared/dispatch-step.js';
import type { Expectations } from '../shared/expectations.js';
import type { SkipClock } from '../shared/skip-clock.js';
import type { StoryGateway } from '../shared/story-gateway.js';
import { detail, formatMoney, heading } from '../shared/terminal.js';

/** What the step reads of the ad platform: a campaign's daily budget, in integer minor units. */
export interface BudgetReader {
  budgetOf(campaignId: string): number;
}

/** What {@link rollbackStep} needs from the story. */
export interface RollbackStepInput {
  gw: StoryGateway;
  clock: SkipClock;
  checks: Expectations;
  /** A dispatched plan whose recommended option moves campaign budgets. */
  plan: HandoffPlan;
  platform: BudgetReader;
}

/** The budget moves of the plan's recommended option: campaign, budget before and after (minor units). */
function movesOf(plan: HandoffPlan) {
  const option = plan.options.find((o) => o.optionId === plan.recommendedOptionId);
  return (option?.actions ?? []).flatMap((a) =>
    a.type === 'set_campaign_budget'
      ? [
          {
            campaignId: a.params.campaignId,
            from: a.params.currentBudget.amountMinor,
            to: a.params.newBudget.amountMinor,
            currency: a.params.currentBudget.currency,
          },
        ]
      : [],
  );
}

/** Rolls `plan` back through the gateway and checks the platform and the lineage; returns the facts. */
export async function rollbackStep(input: RollbackStepInput) {
  const { gw, clock, checks, plan, platform } = input;
  heading('7. Two operators roll the push back');
  const moves = movesOf(plan);
  const reason = 'The push doubled the cost per subscription in its first day';
  const asked = await gw.api.operator.plans.rollback.mutate({ planId: plan.planId, reason });
  detail(`operator asks: ${asked.status}, ${asked.approvals.required} more operator must approve`);
  checks.check(
    asked.status === 'awaiting_approval' && asked.compensations.length === moves.length,
    'a rollback waits for a second operator (deny by default), with one compensation per budget move',
  );
  const approved = await gw.api.opsLead.plans.rollback.mutate({ planId: plan.planId, reason });
  for (const c of approved.compensations) {
    detail(`compensation ${c.idempotencyKey} reverses ${c.reverses} (${c.type}: ${c.method})`);
  }
  checks.check(approved.status === 'queued', 'the second operator approves: the undo is queued');

  const run = totalOf((await dispatchUntilDrained(gw.runtime, clock)).passes);
  for (const m of moves) {
    const now = platform.budgetOf(m.campaignId);
    detail(
      `${m.campaignId.padEnd(20)} ${formatMoney(m.to, m.currency)} -> ${formatMoney(now, m.currency)} a day`,
    );
  }
  checks.check(
    run.succeeded === moves.length &&
      moves.every((m) => platform.budgetOf(m.campaignId) === m.from),
    'the platform ends with the budgets it had before the move',
  );
  const { items } = await gw.api.auditor.lineage.query.query({ planId: plan.planId, limit: 500 });
  const reversed = items.filter((e) => e.type === 'rollback.succeeded').map((e) => e.data.reverses);
  checks.check(
    items.some((e) => e.type === 'rollback.completed') &&
      approved.compensations.every((c) => reversed.includes(c.reverses)),
    'the lineage links each compensation to the move it reverses, and the rollback completed',
  );

  const broadcast = reversibilityOf('trigger_broadcast');
  detail(`a broadcast: reversible ${broadcast.reversible} (${broadcast.summary})`);
  checks.check(
    !broadcast.reversible && broadcast.method === 'none',
    'a broadcast is reported irreversible: a rollback lists it, never skips it',
  );
  return {
    status: approved.status,
    compensations: approved.compensations.length,
    budgetsMinorPerDay: Object.fromEntries(
      moves.map((m) => [m.campaignId, platform.budgetOf(m.campaignId)]),
    ),
  };
}
