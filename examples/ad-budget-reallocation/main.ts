/**
 * Ad budget reallocation under the budget-change guardrail, dispatched to the Meta Marketing API (its fake, served
 * on 127.0.0.1). The copilot reads which client groups of the bank data subscribed most (holdout rates) and
 * proposes moving the daily budgets of the Meta campaigns aimed at them. The gateway's guardrails bound each
 * `set_campaign_budget` move: a small rebalance passes, a +35 % push needs the marketing lead's signed override, and
 * a move of more than EUR 1,000.00 a day is denied whoever approves. The weakest audience's campaign is paused. A
 * campaign whose budget someone edits in Ads Manager after the copilot looked is refused by the adapter's preflight
 * before any spend. The pushed audience also gets an email announcing the offer (a Customer.io broadcast, on its fake);
 * a rollback undoes the push on Meta and reports the broadcast irreversible. Exits 0 only if every expectation held.
 *
 * Run: `pnpm --filter @handoff/examples run ads` (or `pnpm examples` for every story).
 */
import { join } from 'node:path';
import { money, validatePlan } from '@handoff/copilot-adapter';
import { PROTOCOL_VERSION_1_1 } from '@handoff/protocol';
import { checkChain, readLineage } from '../shared/audit-step.js';
import { loadBankData } from '../shared/bank-data.js';
import { dispatchUntilDrained, totalOf } from '../shared/dispatch-step.js';
import { Expectations, writeStoryReport } from '../shared/expectations.js';
import { startPlatforms } from '../shared/platforms.js';
import { rankClients } from '../shared/ranked-clients.js';
import { SkipClock } from '../shared/skip-clock.js';
import { monthlyEurCap, startStoryGateway } from '../shared/story-gateway.js';
import {
  detail,
  formatMoney,
  heading,
  percent,
  showDecision,
  showPlan,
} from '../shared/terminal.js';
import { ANNOUNCEMENT_BROADCAST } from './announcement.js';
import { adBudgetPlans, TENANT } from './copilot.js';
import { bankCampaigns, startMetaPlatform } from './meta-platform.js';

const startedAt = performance.now();
const checks = new Expectations();
const clock = new SkipClock();
const campaigns = bankCampaigns();
const meta = await startMetaPlatform(campaigns);
const platforms = await startPlatforms({
  now: () => clock.now(),
  customerio: { broadcastIds: [ANNOUNCEMENT_BROADCAST] },
});
const customerio = platforms.customerio;
if (!customerio) throw new Error('The story needs the Customer.io fake');
const before = new Map(campaigns.map((c) => [c.campaignId, c.dailyBudget.amountMinor]));
const nameOf = new Map(campaigns.map((c) => [c.campaignId, c.name]));

heading('1. Which audiences convert (holdout rates from the bank data)');
const data = loadBankData();
const ranked = rankClients(data);
const gw = await startStoryGateway({
  story: 'ad-budget-reallocation',
  gatewayId: 'gw-ads-demo',
  tenantId: TENANT,
  policyFile: join(import.meta.dirname, 'policy.yaml'),
  caps: [monthlyEurCap({ capId: 'tenant-month', tenantId: TENANT, limitMinor: 2_000_000 })],
  approvers: { marketing: { sub: 'm.rita@bank.example', role: 'marketing_lead' } },
  clock,
  adapters: [meta.adapter, ...platforms.adapters],
  fetch,
});
const plans = adBudgetPlans(data, ranked, campaigns, clock);
for (const { campaign, segment } of plans.order) {
  const { k, n } = segment.holdout;
  detail(
    `${campaign.name.padEnd(20)} ${formatMoney(campaign.dailyBudget.amountMinor, 'EUR')}/day  ` +
      `audience ${segment.segmentId}: ${k} of ${n} holdout clients subscribed, p50 ${percent(segment.rate.p50)}`,
  );
}

heading('2. The copilot proposes budget moves, a pause and an announcement email');
const all = [
  plans.rebalance,
  plans.push,
  plans.allIn,
  plans.pauseWeakest,
  plans.nudge,
  plans.announce,
];
for (const plan of all) {
  showPlan(plan);
}
checks.check(
  all.every((p) => validatePlan(p).ok),
  'six valid plans (the copilot signs each as it submits it)',
);

heading('3. The guardrails decide');
const rebalance = await gw.submitSigned(plans.rebalance);
showDecision('rebalance +/-15 %', rebalance);
const push = await gw.submitSigned(plans.push);
showDecision('push +35 %', push);
const allIn = await gw.submitSigned(plans.allIn);
showDecision('all in +300 %', allIn);
const paused = await gw.submitSigned(plans.pauseWeakest);
showDecision('pause the weakest', paused);
const announced = await gw.submitSigned(plans.announce);
showDecision('announce by email', announced);
checks.check(
  rebalance.state === 'approved',
  'a +/-15 % rebalance is within the guardrail and passes',
);
checks.check(
  push.state === 'awaiting_approval' &&
    push.gates.some((g) => g.gateId === 'budget-moves' && g.roles.includes('marketing_lead')),
  'a +35 % move exceeds +20 %: the soft guardrail asks for the marketing lead to override',
);
checks.check(
  allIn.state === 'rejected' &&
    allIn.decisions.some((d) => d.ruleId === 'budget-move-ceiling' && d.decision === 'deny'),
  'a move of more than EUR 1,000.00 a day is denied by the hard ceiling',
);
checks.check(paused.state === 'approved', 'pausing a campaign spends nothing and passes');
checks.check(
  announced.state === 'approved',
  'an email to the pushed audience through Customer.io passes (an allowed channel and adapter)',
);
const movesOf = (view: typeof allIn, ruleId: string) =>
  view.decisions.find((d) => d.ruleId === ruleId && d.decision === 'deny')?.actionPaths ?? [];
detail(`budget-moves flags in the all-in: ${movesOf(allIn, 'budget-moves').join(', ')}`);
checks.check(
  JSON.stringify(movesOf(allIn, 'budget-moves')) ===
    JSON.stringify([
      '/options/0/actions/0/params/newBudget/amountMinor',
      '/options/0/actions/1/params/newBudget/amountMinor',
    ]) &&
    movesOf(push, 'budget-moves').length === 1 &&
    movesOf(allIn, 'budget-move-ceiling').length === 1,
  'guardrail results name every move they concern by JSON path (both all-in moves, the one push move, the one over the ceiling)',
);
const negative = plans.rebalance.options.find((o) => o.optionId === 'shift-to-third')?.forecast;
detail(
  `shift-to-third forecast: conversion rate change p10/p50/p90 ${negative?.p10}/${negative?.p50}/${negative?.p90}, ` +
    `on ${negative?.basis?.sampleSize} holdout clients (${negative?.basis?.method})`,
);
checks.check(
  negative?.of === 'change' &&
    negative.p50 < 0 &&
    negative.p10 < 0 &&
    rebalance.state === 'approved' &&
    plans.rebalance.protocolVersion === PROTOCOL_VERSION_1_1,
  'a 1.1 plan states an option with a negative change forecast (p10 and p50 below zero) with its basis, and is accepted',
);

heading('4. The marketing lead overrides the +35 % push');
const amount = plans.push.options[0]?.budget.amount ?? money('0.00', 'EUR');
const overridden = await gw.api.approverDesk.approvals.submit.mutate({
  token: await gw.sign(push, 'marketing', amount),
});
detail(`m.rita@bank.example (marketing_lead): ${overridden.state}`);
checks.check(overridden.state === 'approved', 'one signed override approves it');

heading('5. Dispatch to Meta (preflight, then the write) and Customer.io');
const run = await dispatchUntilDrained(gw.runtime, clock);
const total = totalOf(run.passes);
for (const [id, was] of before) {
  const now = meta.budgetOf(id);
  detail(
    `${(nameOf.get(id) ?? id).padEnd(20)} ${formatMoney(was, 'EUR')} -> ${formatMoney(now, 'EUR')} a day, ${meta.statusOf(id)}`,
  );
}
const [first, second, third, last] = plans.order.map((o) => o.campaign.campaignId);
const was = (id: string | undefined) => before.get(id ?? '') ?? 0;
const budget = (id: string | undefined) => meta.budgetOf(id ?? '');
detail(`Customer.io: ${customerio.applied.length} broadcast trigger(s)`);
checks.check(
  total.succeeded === 5 && total.deadLettered === 0 && customerio.applied.length === 1,
  'three budget moves, a pause and the announcement broadcast applied',
);
checks.check(
  budget(second) === Math.floor((was(second) * 115) / 100) &&
    budget(last) === Math.floor((was(last) * 85) / 100) &&
    budget(first) === Math.floor((was(first) * 135) / 100) &&
    budget(third) === was(third),
  'Meta holds exactly the approved budgets; the denied all-in changed nothing',
);
checks.check(
  meta.statusOf(last ?? '') === 'PAUSED' && meta.statusOf(first ?? '') === 'ACTIVE',
  "the weakest audience's campaign is paused, the others still deliver",
);

heading('6. A budget edited in Ads Manager after the copilot looked');
meta.fake.edit(third ?? '', { daily_budget: was(third) - 5_000 });
detail(
  `someone sets ${nameOf.get(third ?? '')} to ${formatMoney(budget(third), 'EUR')} a day in Ads Manager`,
);
const nudge = await gw.submitSigned(plans.nudge);
showDecision('nudge +10 %', nudge);
const writesBefore = meta.fake.applied.length;
const nudged = totalOf((await dispatchUntilDrained(gw.runtime, clock)).passes);
const refusal = (await readLineage(gw.api.auditor)).find(
  (e) => e.planId === plans.nudge.planId && e.type === 'dispatch.preflight_failed',
);
detail(`preflight: ${JSON.stringify(refusal?.data.issues ?? [])}`);
checks.check(
  nudge.state === 'approved' &&
    nudged.deadLettered === 1 &&
    meta.fake.applied.length === writesBefore &&
    refusal?.data.code === 'CONFLICT',
  'the preflight refuses the stale move as CONFLICT before any write reaches Meta, and the lineage says so',
);
checks.check(
  (refusal?.data.observed as { currentBudget?: { amountMinor?: number } } | undefined)
    ?.currentBudget?.amountMinor ===
    was(third) - 5_000,
  "the refusal carries Meta's figure: the budget the platform holds now",
);

await (await import('./rollback-step.js')).rollbackStep({
  gw,
  clock,
  checks,
  plan: plans.push,
  platform: meta,
  broadcast: { plan: plans.announce, platform: customerio },
});

heading('8. The auditor verifies the lineage');
const chain = checkChain(await readLineage(gw.api.auditor), checks);

const code = writeStoryReport({
  story: 'ad-budget-reallocation',
  dir: gw.dir,
  startedAt,
  checks,
  facts: {
    decisions: {
      rebalance: rebalance.state,
      push: push.state,
      allIn: allIn.state,
      pause: paused.state,
      nudge: nudge.state,
      announce: announced.state,
    },
    budgetsMinorPerDay: Object.fromEntries(
      campaigns.map((c) => [c.name, meta.budgetOf(c.campaignId)]),
    ),
    statuses: Object.fromEntries(campaigns.map((c) => [c.name, meta.statusOf(c.campaignId)])),
    dispatch: total,
    chain,
  },
});
await gw.stop();
await meta.close();
await platforms.close();
process.exit(code);
