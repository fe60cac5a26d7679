/**
 * The ad story's rollback step: the marketing team sees the +35 % push misfire, and two operators roll it back
 * through the gateway (`plans.rollback`: one asks, a second approves, as the gateway's default rollback policy
 * wants). The compensation goes through the gateway's outbox like any action, and the ad platform must end with the
 * budget it had before the move (the amount the adapter read at dispatch). Then they roll back the dispatched
 * announcement email too: a sent broadcast cannot be recalled (`ACTION_REVERSIBILITY` of `@handoff/protocol`), so
 * the gateway's answer and the lineage (`rollback.irreversible`) list it with its reason, and nothing is sent to the
 * email platform for it.
 *
 * It talks to the gateway only through its API and reads the platforms through {@link BudgetReader} and
 * {@link RequestLog}, so it works with whichever fakes the story dispatches to.
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

/** What the step reads of the email platform: every request it received (its fake's log). */
export interface RequestLog {
  readonly received: readonly unknown[];
}

/** What {@link rollbackStep} needs from the story. */
export interface RollbackStepInput {
  gw: StoryGateway;
  clock: SkipClock;
  checks: Expectations;
  /** A dispatched plan whose recommended option moves campaign budgets. */
  plan: HandoffPlan;
  platform: BudgetReader;
  /** A dispatched plan whose recommended option triggers a broadcast, and the platform it went to. */
  broadcast: { plan: HandoffPlan; platform: RequestLog };
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
  const { gw, clock, checks, plan, platform, broadcast } = input;
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

  const recalled = await rollbackBroadcast(input, broadcast);
  return {
    status: approved.status,
    compensations: approved.compensations.length,
    broadcastIrreversible: recalled.irreversible.length,
    budgetsMinorPerDay: Object.fromEntries(
      moves.map((m) => [m.campaignId, platform.budgetOf(m.campaignId)]),
    ),
  };
}

/**
 * Rolls the dispatched announcement back: the gateway queues nothing for a broadcast (the contract says a sent one
 * cannot be undone), lists it irreversible with its reason in the answer and the lineage, and sends nothing to the
 * email platform. A second operator approves when the gateway's rollback policy asks for one.
 */
async function rollbackBroadcast(
  input: RollbackStepInput,
  broadcast: RollbackStepInput['broadcast'],
) {
  const { gw, clock, checks } = input;
  const { plan, platform } = broadcast;
  heading('7b. ... and the announcement email, which cannot be recalled');
  const contract = reversibilityOf('trigger_broadcast');
  const reason = 'The offer the email announces is withdrawn with the push';
  const requestsBefore = platform.received.length;
  let answer = await gw.api.operator.plans.rollback.mutate({ planId: plan.planId, reason });
  if (answer.status === 'awaiting_approval') {
    answer = await gw.api.opsLead.plans.rollback.mutate({ planId: plan.planId, reason });
  }
  for (const i of answer.irreversible) {
    detail(`irreversible: ${i.actionId} (${i.type} on ${i.adapter}): ${i.reason}, ${i.message}`);
  }
  const run = totalOf((await dispatchUntilDrained(gw.runtime, clock)).passes);
  const [listed] = answer.irreversible;
  checks.check(
    answer.status === 'queued' &&
      answer.compensations.length === 0 &&
      answer.irreversible.length === 1 &&
      listed?.type === 'trigger_broadcast' &&
      listed.adapter === 'customerio' &&
      listed.reason === 'not_reversible' &&
      listed.message === contract.summary,
    "the rollback answer lists the sent broadcast as irreversible, with the contract's reason, and compensates nothing",
  );
  const { items } = await gw.api.auditor.lineage.query.query({ planId: plan.planId, limit: 500 });
  const recorded = items.filter((e) => e.type === 'rollback.irreversible');
  checks.check(
    recorded.length === 1 &&
      recorded[0]?.data.type === 'trigger_broadcast' &&
      recorded[0]?.data.reason === 'not_reversible' &&
      recorded[0]?.data.reverses === listed?.reverses &&
      items.some((e) => e.type === 'rollback.completed'),
    'the lineage records the broadcast as irreversible (rollback.irreversible, with its reason) and the rollback completed',
  );
  detail(
    `Customer.io requests: ${requestsBefore} before the rollback, ${platform.received.length} after`,
  );
  checks.check(
    run.succeeded + run.deadLettered === 0 && platform.received.length === requestsBefore,
    'nothing is sent to Customer.io for the broadcast: no compensation runs, no request reaches the platform',
  );
  return answer;
}
