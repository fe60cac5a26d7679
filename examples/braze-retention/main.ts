/**
 * A churn-style retention flow through the Braze adapter. The copilot picks the at-risk clients of the bank data
 * (previous campaign failed; the data has no churn label, see README), ranks them by propensity and proposes a
 * Braze win-back: a Canvas for the likeliest 50 and a reminder scheduled three days later. An SMS blast is refused
 * by the retention policy's channel allowlist. At dispatch, the connection drops right after Braze accepted the
 * Canvas trigger: Braze offers no idempotency key, so the gateway marks it IN DOUBT and never re-sends it; the
 * operator checks Braze, finds the Canvas sent once, and confirms it; the plan then settles as dispatched.
 * Exits 0 only if every expectation held.
 *
 * Run: `pnpm --filter @handoff/examples run retention` (or `pnpm examples` for every story).
 */
import { join } from 'node:path';
import { validatePlan } from '@handoff/copilot-adapter';
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
  heading,
  paint,
  percent,
  showDecision,
  showPlan,
  verdict,
} from '../shared/terminal.js';
import { BRAZE, retentionPlans, TENANT, WINBACK_SIZE } from './copilot.js';

const startedAt = performance.now();
const checks = new Expectations();
const clock = new SkipClock();

heading('1. Who is at risk');
const data = loadBankData();
const ranked = rankClients(data);
const plans = retentionPlans(data, ranked, clock);
detail(
  `${plans.atRisk.clients.length} clients whose previous campaign failed; holdout rate ` +
    `${percent(plans.atRisk.holdout.k / plans.atRisk.holdout.n)} (${plans.atRisk.holdout.k} of ` +
    `${plans.atRisk.holdout.n}); the ${WINBACK_SIZE} best ranked: ${plans.top.holdout.k} of ` +
    `${plans.top.holdout.n} holdout clients subscribed`,
);

heading('2. Braze (fake, on 127.0.0.1) and the gateway');
const platforms = await startPlatforms({
  now: () => clock.now(),
  braze: {
    canvasIds: [BRAZE.winbackCanvas],
    campaignIds: [BRAZE.reminderCampaign, BRAZE.atRiskCampaign],
  },
});
const gw = await startStoryGateway({
  story: 'braze-retention',
  gatewayId: 'gw-retention-demo',
  tenantId: TENANT,
  policyFile: join(import.meta.dirname, 'policy.yaml'),
  caps: [monthlyEurCap({ capId: 'tenant-month', tenantId: TENANT, limitMinor: 50_000 })],
  approvers: {},
  clock,
  adapters: platforms.adapters,
  fetch: platforms.fetch,
});
detail(`gateway ${gw.url}; braze fake ${platforms.urls.braze}`);

heading('3. The copilot proposes; the gateway decides');
for (const plan of [plans.winback, plans.smsBlast]) {
  showPlan(plan);
}
checks.check(
  validatePlan(plans.winback).ok && validatePlan(plans.smsBlast).ok,
  'two valid plans (the copilot signs each as it submits it)',
);
const winback = await gw.submitSigned(plans.winback);
showDecision('win-back', winback);
const sms = await gw.submitSigned(plans.smsBlast);
showDecision('SMS blast', sms);
checks.check(winback.state === 'approved', 'the EUR 3.00 win-back passes on its own');
checks.check(
  sms.state === 'rejected' &&
    sms.decisions.some((d) => d.ruleId === 'retention-channels' && d.decision === 'deny'),
  'the SMS blast is denied by the retention channel allowlist',
);

heading('4. Dispatch: the connection drops after Braze accepted the Canvas trigger');
const braze = platforms.braze;
braze?.inject({ kind: 'reset', applied: true });
const run = await dispatchUntilDrained(gw.runtime, clock);
const total = totalOf(run.passes);
const doubtful = await gw.api.operator.dispatch.list.query({
  planId: winback.planId,
  statuses: ['in_doubt'],
});
const canvasCalls = () =>
  braze?.applied.filter((c) => c.path.includes('/canvas/trigger/send')) ?? [];
detail(
  `dispatcher: ${JSON.stringify(total)}; in doubt: ${doubtful.map((r) => r.actionId).join(', ')}`,
);
detail(
  `Braze received ${braze?.received.length} request(s), applied ${braze?.applied.length}; ` +
    `Canvas sends applied: ${canvasCalls().length}; schedules: ${braze?.schedules.size}`,
);
checks.check(
  total.inDoubt === 1 && total.succeeded === 1 && doubtful[0]?.actionId === 'winback-canvas',
  'the Canvas trigger is in doubt; the reminder was scheduled',
);
checks.check(
  canvasCalls().length === 1 &&
    braze?.received.filter((c) => c.path.includes('canvas')).length === 1,
  'Braze applied the Canvas once and the gateway never re-sent it (no idempotency key)',
);
const waiting = await gw.copilot.status(winback.planId);
checks.check(
  waiting.state === 'dispatching' && waiting.budget.some((b) => b.status === 'reserved'),
  'the plan waits for the operator, its budget still reserved',
  waiting.state,
);

heading('5. The operator checks Braze and confirms');
const key = doubtful[0]?.idempotencyKey ?? '';
await gw.api.operator.dispatch.confirm.mutate({
  idempotencyKey: key,
  reason: `Braze shows ${canvasCalls().length} Canvas send for these ${WINBACK_SIZE} users`,
});
const settled = await gw.copilot.status(winback.planId);
detail(
  `win-back: ${verdict(settled.state)}; budget ${settled.budget.map((b) => `${b.capId} ${b.amountMinor} ${b.status}`).join(', ')}`,
);
checks.check(
  settled.state === 'dispatched' && settled.budget.some((b) => b.status === 'committed'),
  'once confirmed, the plan settles dispatched and its spend is committed',
);

heading('6. The auditor verifies the lineage');
const events = await readLineage(gw.api.auditor);
const confirmed = events.find(
  (e) =>
    e.type === 'dispatch.succeeded' && e.data.idempotencyKey === key && e.actor.type === 'operator',
);
detail(
  `${paint('bold', 'dispatch.in_doubt')} then ${paint('bold', 'dispatch.succeeded')} confirmed by ` +
    `${confirmed?.actor.type}:${confirmed?.actor.id} (${confirmed?.data.confirmedBy ?? 'operator'})`,
);
checks.check(
  events.some((e) => e.type === 'dispatch.in_doubt' && e.data.idempotencyKey === key) &&
    confirmed !== undefined,
  "the lineage records the doubt and the operator's confirmation",
);
const chain = checkChain(events, checks);

const code = writeStoryReport({
  story: 'braze-retention',
  dir: gw.dir,
  startedAt,
  checks,
  facts: {
    atRisk: { clients: plans.atRisk.clients.length, holdout: plans.atRisk.holdout },
    decisions: { winback: winback.state, smsBlast: sms.state },
    dispatch: total,
    braze: { received: braze?.received.length, applied: braze?.applied.length },
    finalState: settled.state,
    chain,
  },
});
await gw.stop();
await platforms.close();
process.exit(code);
