/**
 * Ad budget reallocation under the budget-change guardrail. The copilot reads which client groups of the bank data
 * subscribed most (holdout rates) and proposes moving the daily budgets of the ad campaigns aimed at them. The
 * gateway's guardrails bound each `set_campaign_budget` move: a small rebalance passes, a +35 % push needs the
 * marketing lead's signed override, and a move of more than EUR 1,000.00 a day is denied whoever approves. Approved
 * moves dispatch through an example adapter to an in-memory ad platform. Exits 0 only if every expectation held.
 *
 * Run: `pnpm --filter @handoff/examples run ads` (or `pnpm examples` for every story).
 */
import { join } from 'node:path';
import { money, validatePlan } from '@handoff/copilot-adapter';
import { checkChain, readLineage } from '../shared/audit-step.js';
import { loadBankData } from '../shared/bank-data.js';
import { dispatchUntilDrained, totalOf } from '../shared/dispatch-step.js';
import { Expectations, writeStoryReport } from '../shared/expectations.js';
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
import { adBudgetPlans, TENANT } from './copilot.js';
import { createExampleAdsAdapter, ExampleAdsPlatform } from './example-ads-platform.js';

const startedAt = performance.now();
const checks = new Expectations();
const clock = new SkipClock();
const platform = new ExampleAdsPlatform([
  { campaignId: 'search-retired', channel: 'paid_search', dailyBudget: money('400.00', 'EUR') },
  { campaignId: 'social-students', channel: 'paid_social', dailyBudget: money('300.00', 'EUR') },
  { campaignId: 'display-management', channel: 'display', dailyBudget: money('500.00', 'EUR') },
  { campaignId: 'display-blue-collar', channel: 'display', dailyBudget: money('600.00', 'EUR') },
]);
const before = new Map([...platform.campaigns].map(([id, c]) => [id, c.dailyBudget.amountMinor]));

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
  adapters: [createExampleAdsAdapter(platform)],
  fetch,
});
const plans = adBudgetPlans(data, ranked, [...platform.campaigns.values()], clock);
for (const { campaign, segment } of plans.order) {
  const { k, n } = segment.holdout;
  detail(
    `${campaign.campaignId.padEnd(20)} ${formatMoney(campaign.dailyBudget.amountMinor, 'EUR')}/day  ` +
      `audience ${segment.segmentId}: ${k} of ${n} holdout clients subscribed, p50 ${percent(segment.rate.p50)}`,
  );
}

heading('2. The copilot proposes budget moves');
const all = [plans.rebalance, plans.push, plans.allIn];
for (const plan of all) {
  showPlan(plan);
}
checks.check(
  all.every((p) => validatePlan(p).ok),
  'three valid plans (the copilot signs each as it submits it)',
);

heading('3. The guardrails decide');
const rebalance = await gw.submitSigned(plans.rebalance);
showDecision('rebalance +/-15 %', rebalance);
const push = await gw.submitSigned(plans.push);
showDecision('push +35 %', push);
const allIn = await gw.submitSigned(plans.allIn);
showDecision('all in +300 %', allIn);
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

heading('4. The marketing lead overrides the +35 % push');
const amount = plans.push.options[0]?.budget.amount ?? money('0.00', 'EUR');
const overridden = await gw.api.approverDesk.approvals.submit.mutate({
  token: await gw.sign(push, 'marketing', amount),
});
detail(`m.rita@bank.example (marketing_lead): ${overridden.state}`);
checks.check(overridden.state === 'approved', 'one signed override approves it');

heading('5. Dispatch to the ad platform');
const run = await dispatchUntilDrained(gw.runtime, clock);
const total = totalOf(run.passes);
for (const [id, c] of platform.campaigns) {
  const was = before.get(id) ?? 0;
  const now = c.dailyBudget.amountMinor;
  detail(`${id.padEnd(20)} ${formatMoney(was, 'EUR')} -> ${formatMoney(now, 'EUR')} a day`);
}
const budget = (id: string) => platform.budgetOf(id);
const [first, second, , last] = plans.order.map((o) => o.campaign.campaignId);
checks.check(total.succeeded === 3 && total.deadLettered === 0, 'three budget moves applied');
checks.check(
  budget(second ?? '') === Math.floor(((before.get(second ?? '') ?? 0) * 115) / 100) &&
    budget(last ?? '') === Math.floor(((before.get(last ?? '') ?? 0) * 85) / 100) &&
    budget(first ?? '') === Math.floor(((before.get(first ?? '') ?? 0) * 135) / 100),
  'the platform holds exactly the approved budgets; the denied all-in changed nothing',
);

await (await import('./rollback-step.js')).rollbackStep({
  gw,
  clock,
  checks,
  plan: plans.push,
  platform,
});

heading('6. The auditor verifies the lineage');
const chain = checkChain(await readLineage(gw.api.auditor), checks);

const code = writeStoryReport({
  story: 'ad-budget-reallocation',
  dir: gw.dir,
  startedAt,
  checks,
  facts: {
    decisions: { rebalance: rebalance.state, push: push.state, allIn: allIn.state },
    budgetsMinorPerDay: Object.fromEntries(
      [...platform.campaigns].map(([id, c]) => [id, c.dailyBudget.amountMinor]),
    ),
    dispatch: total,
    chain,
  },
});
await gw.stop();
process.exit(code);
