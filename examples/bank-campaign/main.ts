/**
 * The main demo (`pnpm demo`): a term-deposit campaign on the real UCI Bank Marketing data, end to end.
 *
 * An example copilot (deterministic, standing in for an LLM) fits a propensity model on pre-call features, ranks the
 * bank's clients and proposes signed plans. A real gateway (SQLite file in .handoff/bank-campaign/) applies the
 * story's policy set and caps: one plan passes on its own, one waits for two signed approvals, one is denied, and of
 * three plans submitted at once the monthly cap holds two. Approved actions dispatch to local fakes of HubSpot,
 * Customer.io and a webhook receiver on 127.0.0.1, through one injected HTTP 429. An auditor traces one dispatched
 * action back to the data and the approvals and verifies the lineage. Exits 0 only if every expectation held.
 *
 * Run: `pnpm demo` from the repository root; `pnpm demo --keep` leaves the gateway running for the CLI.
 */
import { HandoffClientError, validatePlan } from '@handoff/copilot-adapter';
import type { PlanView } from '@handoff/gateway';
import type { HandoffPlan } from '@handoff/protocol';
import { TRPCClientError } from '@trpc/client';
import { readLineage } from '../shared/audit-step.js';
import { loadBankData } from '../shared/bank-data.js';
import { capUsage, printCapUsage } from '../shared/cap-usage.js';
import { dispatchUntilDrained, recordedRetries, totalOf } from '../shared/dispatch-step.js';
import { Expectations, writeStoryReport } from '../shared/expectations.js';
import { startPlatforms } from '../shared/platforms.js';
import { EXCLUDED_FEATURES, PRE_CALL_FEATURES } from '../shared/propensity-model.js';
import { rankClients } from '../shared/ranked-clients.js';
import { SkipClock } from '../shared/skip-clock.js';
import { keepServing, startStoryGateway } from '../shared/story-gateway.js';
import {
  detail,
  formatMoney,
  heading,
  paint,
  percent,
  showDecision,
  showPlan,
} from '../shared/terminal.js';
import { auditCallList } from './audit.js';
import { bankCampaignPlans } from './copilot.js';
import {
  APPROVERS,
  CALL_CENTRE_HOOK,
  CAPS,
  CUSTOMERIO,
  GATEWAY_ID,
  HUBSPOT_CALL_LIST_WORKFLOW,
  HUBSPOT_WAVE_WORKFLOWS,
  POLICY_FILE,
  TENANT,
} from './settings.js';
import { shadowStricterPolicy } from './shadow-step.js';

/** The sha256 of bank.csv recorded in examples/data/bank-marketing/SOURCE.md. */
const SOURCE_SHA256 = 'sha256:dc8d576e9bda0f41ee891251bd84bab9a39ce576cba715aac08adc2374a01fde';

const started = performance.now();
const keep = process.argv.includes('--keep');
const checks = new Expectations();
const clock = new SkipClock();

heading('1. The data and the copilot model');
const data = loadBankData();
checks.check(
  data.clients.length === 4521 && data.sha256 === SOURCE_SHA256,
  `bank.csv has 4,521 clients and the sha256 SOURCE.md records`,
);
const ranked = rankClients(data);
const ev = ranked.evaluation;
detail(`features used (pre-call only): ${Object.keys(PRE_CALL_FEATURES).join(', ')}`);
detail(
  `left out: ${Object.entries(EXCLUDED_FEATURES)
    .map(([k, why]) => `${k} (${why})`)
    .join('; ')}`,
);
detail(
  `naive Bayes fit on ${ranked.model.trainSize} clients; on the ${ev.holdoutSize} holdout clients: ` +
    `ROC AUC ${paint('bold', ev.auc.toFixed(3))}, base rate ${percent(ev.baseRate)}, ` +
    `top decile ${percent(ev.topDecileRate)} (lift ${paint('bold', ev.topDecileLift.toFixed(2))}x)`,
);
checks.check(
  Object.keys(PRE_CALL_FEATURES).every((f) => !(f in EXCLUDED_FEATURES)),
  'the model reads no post-call feature (duration, campaign, day, month)',
);
checks.check(ev.auc > 0.6 && ev.topDecileLift > 1.5, 'the model beats chance on the holdout');

heading('2. A gateway and the platforms, on 127.0.0.1');
const platforms = await startPlatforms({
  now: () => clock.now(),
  hubspot: {
    workflowIds: [HUBSPOT_CALL_LIST_WORKFLOW, ...Object.values(HUBSPOT_WAVE_WORKFLOWS)],
  },
  customerio: {
    broadcastIds: [
      CUSTOMERIO.nurtureBroadcast,
      CUSTOMERIO.emailFirstBroadcast,
      CUSTOMERIO.waveEmailBroadcast,
    ],
  },
  webhook: { origin: new URL(CALL_CENTRE_HOOK).origin },
});
const gw = await startStoryGateway({
  story: 'bank-campaign',
  gatewayId: GATEWAY_ID,
  tenantId: TENANT,
  policyFile: POLICY_FILE,
  caps: CAPS,
  approvers: APPROVERS,
  clock,
  adapters: platforms.adapters,
  fetch: platforms.fetch,
});
detail(`gateway ${gw.url} (${gw.database.label})`);
for (const [id, url] of Object.entries(platforms.urls)) detail(`${id.padEnd(10)} fake at ${url}`);

heading('3. The copilot proposes plans (each signed with its key when submitted)');
const plans = bankCampaignPlans(data, ranked, clock);
const all = [plans.callList, plans.nurture, plans.successStories, ...plans.waves];
for (const plan of all) showPlan(plan);
checks.check(
  all.every((p) => validatePlan(p).ok),
  `all ${all.length} plans are valid HandoffPlans`,
);
const options = all.flatMap((p) => p.options);
checks.check(
  options.every((o) => o.forecast.p10 <= o.forecast.p50 && o.forecast.p50 <= o.forecast.p90),
  'every forecast is ordered p10 <= p50 <= p90',
);
checks.check(
  options.every((o) =>
    [o.budget.amount, ...o.actions.map((a) => a.estimatedCost)].every((m) =>
      Number.isSafeInteger(m.amountMinor),
    ),
  ),
  'every amount is integer minor units',
);

heading('4. The gateway decides');
const submit = (plan: HandoffPlan) => gw.submitSigned(plan);
const decided = new Map<string, PlanView>();
const show = (label: string, view: PlanView) => {
  decided.set(view.planId, view);
  showDecision(label, view);
};
const callList = await submit(plans.callList);
show('call list (EUR 540)', callList);
const nurture = await submit(plans.nurture);
show('nurture (EUR 50)', nurture);
const stories = await submit(plans.successStories);
show('AI-led success stories', stories);
detail(paint('dim', 'three second-wave call lists (EUR 180 each), submitted at the same time:'));
const waves = await Promise.all(plans.waves.map(submit));
for (const [i, view] of waves.entries()) show(`wave ${'abc'[i]}`, view);
for (const view of waves.filter((w) => w.state === 'rejected')) {
  const { items } = await gw.api.operator.lineage.query.query({
    planId: view.planId,
    types: ['budget.refused'],
  });
  const d = items[0]?.data ?? {};
  const eur = (minor: unknown) => formatMoney(Number(minor), 'EUR');
  detail(
    `${paint('red', 'refused')}: cap ${d.capId} (${d.periodKey}) had ${eur(d.usedMinor)} of ` +
      `${eur(d.limitMinor)} taken when it asked for ${eur(d.requestedMinor)}`,
    6,
  );
}
checks.check(
  callList.state === 'awaiting_approval' &&
    callList.gates.some((g) => g.roles.includes('finance') && g.roles.includes('marketing_lead')),
  'the EUR 540 call list waits for finance and the marketing lead',
);
checks.check(nurture.state === 'approved', 'the EUR 50 nurture broadcast passes on its own');
checks.check(
  stories.state === 'rejected' &&
    stories.reasonCode === 'POLICY_DENIED' &&
    stories.decisions.some((d) => d.ruleId === 'no-ai-led-claims' && d.decision === 'deny'),
  'AI-led case-study content is denied by no-ai-led-claims',
);
const refused = waves.filter((w) => w.state === 'rejected');
checks.check(
  waves.filter((w) => w.state === 'approved').length === 2 &&
    refused.length === 1 &&
    refused[0]?.reasonCode === 'BUDGET_EXCEEDED',
  'of three concurrent waves, two fit the monthly cap and one is refused BUDGET_EXCEEDED',
  waves.map((w) => `${w.state}:${w.reasonCode}`).join(', '),
);

detail(
  paint('dim', 'a copy of the nurture plan, changed after the copilot signed it (budget doubled):'),
);
const tampered = structuredClone(plans.nurture);
const firstOption = tampered.options[0];
if (firstOption) firstOption.budget.amount.amountMinor *= 2;
const forged = await gw.copilot
  .submit(tampered, { signature: gw.signatures.get(plans.nurture.planId) ?? '' })
  .then(
    () => undefined,
    (error: unknown) => error,
  );
const forgedReason =
  forged instanceof HandoffClientError ? forged.issues.map((i) => i.code).join(', ') : undefined;
detail(
  `${paint('red', 'refused')}: ${forged instanceof HandoffClientError ? forged.code : 'accepted'} ${forgedReason}`,
  6,
);
checks.check(
  forged instanceof HandoffClientError &&
    forged.code === 'UNAUTHENTICATED' &&
    forgedReason === 'PROVENANCE_DIGEST_MISMATCH',
  'a plan changed after the copilot signed it is refused: the signature no longer matches its digest',
);

heading('5. Two people sign the call list');
const maxSpend = plans.callList.options[0]?.budget.amount ?? { amountMinor: 0, currency: 'EUR' };
// The finance key claiming to be the marketing lead: its registration says who it is, so it is refused.
const borrowed = await gw.api.approverDesk.approvals.submit
  .mutate({
    token: await gw.sign(callList, 'finance', maxSpend, {
      sub: APPROVERS.marketing.sub,
      role: APPROVERS.marketing.role,
    }),
  })
  .then(
    () => 'accepted',
    (error: unknown) =>
      error instanceof TRPCClientError ? String(error.data?.handoff?.code) : 'failed',
  );
detail(
  `the finance key signing as ${APPROVERS.marketing.sub}: ${paint('red', 'refused')} ${borrowed}`,
);
checks.check(
  borrowed === 'APPROVAL_SUBJECT_MISMATCH',
  "one approver's key cannot sign as another approver: identity comes from the key's registration",
);
const afterFinance = await gw.api.approverDesk.approvals.submit.mutate({
  token: await gw.sign(callList, 'finance', maxSpend),
});
detail(
  `${APPROVERS.finance.sub} (finance): ${afterFinance.state}, decisive ${afterFinance.decisive}`,
);
const afterLead = await gw.api.approverDesk.approvals.submit.mutate({
  token: await gw.sign(callList, 'marketing', maxSpend),
});
detail(
  `${APPROVERS.marketing.sub} (marketing_lead): ${afterLead.state}, decisive ${afterLead.decisive}`,
);
checks.check(
  !afterFinance.decisive && afterLead.decisive && afterLead.state === 'approved',
  'one signature is not enough; the second, from another role, approves',
);

heading('6. Money per cap, before dispatch');
const before = await capUsage(gw.api.operator);
printCapUsage(before);
const tenantCap = before.find((c) => c.capId === 'tenant-month');
checks.check(
  tenantCap !== undefined &&
    tenantCap.reservedMinor + tenantCap.committedMinor === 54_000 + 5_000 + 2 * 18_000 &&
    tenantCap.reservedMinor + tenantCap.committedMinor <= tenantCap.limitMinor,
  'the tenant cap holds EUR 950.00 of its EUR 1,000.00: never overspent',
);

heading('7. Dispatch, through one HTTP 429 from HubSpot');
platforms.hubspot?.inject({ kind: 'rate_limit', retryAfterSeconds: 2 });
const run = await dispatchUntilDrained(gw.runtime, clock);
for (const [i, p] of run.passes.entries()) {
  const counts = Object.entries(p).filter(([, n]) => n > 0);
  detail(`pass ${i + 1}: ${counts.map(([k, n]) => `${k} ${n}`).join(', ')}`);
}
const retries = recordedRetries(await readLineage(gw.api.auditor));
for (const r of retries) {
  const plan = all.find((p) => p.planId === r.planId)?.workflow.workflowId;
  detail(
    `${paint('yellow', 'retry')}: ${r.adapter} answered ${r.platformStatus} ${r.code} (Retry-After ` +
      `${r.retryAfterMs} ms) for ${plan}; the gateway scheduled ${r.delayMs} ms and retried ` +
      `${r.retriedAfterMs} ms later (the clock skipped ahead ${run.skippedMs} ms: no sleep)`,
  );
}
const total = totalOf(run.passes);
const hubspot = platforms.hubspot;
const enrolled = new Set(hubspot?.enrollments.map((e) => `${e.workflowId}/${e.email}`));
detail(
  `HubSpot: ${hubspot?.received.length} requests, ${hubspot?.enrollments.length} enrolments; ` +
    `Customer.io: ${platforms.customerio?.applied.length} broadcast trigger(s); ` +
    `webhook: ${platforms.webhook?.applied.length} verified delivery`,
);
checks.check(
  total.retryScheduled === 1 && total.succeeded === 5 && total.deadLettered === 0,
  'five actions succeed; the 429 is retried once, after its Retry-After',
  JSON.stringify(total),
);
const retry = retries[0];
checks.check(
  retries.length === 1 &&
    retry?.platformStatus === 429 &&
    retry.retryAfterMs === 2_000 &&
    (retry.retriedAfterMs ?? 0) >= 2_000 &&
    run.leftPending === 0,
  "HubSpot's 429 was retried no sooner than its Retry-After (2 s)",
  JSON.stringify(retries),
);
checks.check(
  hubspot?.enrollments.length === 150 && enrolled.size === 150,
  '150 HubSpot enrolments (90 + 2 x 30), none twice',
);
checks.check(
  platforms.customerio?.applied.length === 1 && platforms.webhook?.applied.length === 1,
  'one Customer.io broadcast and one signed call-centre webhook delivered',
);
const settled = await Promise.all(
  [callList, nurture, ...waves.filter((w) => w.state === 'approved')].map((v) =>
    gw.copilot.status(v.planId),
  ),
);
checks.check(
  settled.every((v) => v.state === 'dispatched'),
  'every approved plan ends dispatched',
  settled.map((v) => v.state).join(', '),
);
const after = await capUsage(gw.api.operator);
printCapUsage(after);

heading('8. The auditor traces the call list back to the data and the approvals');
const audit = await auditCallList({
  gw,
  checks,
  plan: plans.callList,
  dataSha256: data.sha256,
  modelDigest: ranked.modelDigest,
});

heading('9. The auditor tries a stricter policy in shadow over the recorded plans');
const shadow = await shadowStricterPolicy({ gw, checks, plansRecorded: all.length });

const finalStates = new Map(
  await Promise.all(
    all.map(async (p) => [p.planId, (await gw.copilot.status(p.planId)).state] as const),
  ),
);
const decisionOf = (planId: string) => {
  const view = decided.get(planId);
  return view && { state: view.state, reasonCode: view.reasonCode, outcome: view.outcome };
};
const code = writeStoryReport({
  story: 'bank-campaign',
  dir: gw.dir,
  startedAt: started,
  checks,
  facts: {
    gateway: { url: gw.url, dir: gw.dir, gatewayId: GATEWAY_ID },
    model: { ...ev, features: Object.keys(PRE_CALL_FEATURES), excluded: EXCLUDED_FEATURES },
    plans: all.map((p) => ({
      planId: p.planId,
      workflowId: p.workflow.workflowId,
      recommendedOptionId: p.recommendedOptionId,
      options: p.options.map((o) => ({
        optionId: o.optionId,
        budget: o.budget,
        forecast: o.forecast,
        risk: o.risk.score,
      })),
      atSubmission: decisionOf(p.planId),
      finalState: finalStates.get(p.planId),
    })),
    approvals: { finance: afterFinance.state, marketingLead: afterLead.state },
    caps: { beforeDispatch: before, afterDispatch: after },
    dispatch: { ...run, total, retries },
    audit,
    shadow,
  },
});

if (keep) {
  await keepServing(gw, plans.callList.planId, () => platforms.close());
  process.exit(code);
} else {
  await gw.stop();
  await platforms.close();
  process.exit(code);
}
