/**
 * Outcomes against forecasts on the real UCI Bank Marketing data (`pnpm --filter @handoff/examples run outcomes`).
 *
 * Two example copilots forecast, for each job segment, how many of the segment's clients will subscribe, from the
 * HISTORY half of the data (odd rows). Their plans are dispatched through a real gateway to a local webhook fake.
 * After the 30-day horizon an analytics job (role `reporter`) reports each plan's outcome: how many of the segment's
 * HELD-OUT clients (even rows) really subscribed, from their recorded `y`. The gateway's calibration report then
 * shows each copilot's interval coverage, p50 bias and pinball loss; the story recomputes every figure by hand and
 * checks they agree, whatever they are. Last, each copilot submits an `ai_led` plan: `forecast_calibration` gates
 * the copilot whose figures break the policy's bounds (the deliberately overconfident one must be among them), and
 * the approver's view carries its figures. Exits 0 only if every expectation held.
 */
import { HandoffClient, HandoffClientError } from '@handoff/copilot-adapter';
import type { OutcomeReport } from '@handoff/protocol';
import { HANDOFF_PROTOCOL_VERSION } from '@handoff/protocol';
import { BANK_DOI, loadBankData } from '../shared/bank-data.js';
import { dispatchUntilDrained } from '../shared/dispatch-step.js';
import { Expectations, writeStoryReport } from '../shared/expectations.js';
import { startPlatforms } from '../shared/platforms.js';
import { SkipClock } from '../shared/skip-clock.js';
import { monthlyEurCap, startStoryGateway } from '../shared/story-gateway.js';
import { detail, heading, paint, percent } from '../shared/terminal.js';
import { type JobSegment, jobSegments, segmentPlan } from './copilot.js';
import { close, handFigures, type Tally } from './hand-calibration.js';
import {
  CAMPAIGN_HOOK,
  COPILOTS,
  type CopilotVariant,
  GATEWAY_ID,
  HORIZON_DAYS,
  isHeldOut,
  POLICY_FILE,
  TENANT,
} from './settings.js';

const started = performance.now();
const checks = new Expectations();
const clock = new SkipClock();
const VARIANTS: CopilotVariant[] = ['honest', 'overconfident'];
const DAY = 86_400_000;

heading('1. The data, split in two');
const data = loadBankData();
const segments = jobSegments(data);
const heldOut = segments.flatMap((s) => s.heldOut);
checks.check(
  heldOut.every((c) => isHeldOut(c)) &&
    segments.every((s) => s.history.n + s.heldOut.length <= data.clients.length),
  'forecasts read only the history half; outcomes come only from held-out clients',
);
for (const s of segments) {
  const real = s.heldOut.filter((c) => c.subscribed).length;
  detail(
    `${s.job.padEnd(14)} history ${s.history.k}/${s.history.n}, held out ${s.heldOut.length} (really subscribed: ${real})`,
  );
}

heading('2. A gateway, a webhook fake, two copilots');
const platforms = await startPlatforms({
  now: () => clock.now(),
  webhook: { origin: new URL(CAMPAIGN_HOOK).origin },
});
const gw = await startStoryGateway({
  story: 'bank-outcomes',
  gatewayId: GATEWAY_ID,
  tenantId: TENANT,
  policyFile: POLICY_FILE,
  caps: [monthlyEurCap({ capId: 'tenant-month', tenantId: TENANT, limitMinor: 1_000_000 })],
  approvers: { lead: { sub: 'm.lead', role: 'marketing_lead' } },
  clock,
  adapters: platforms.adapters,
  fetch: platforms.fetch,
});
const reporter = new HandoffClient({ url: gw.url, credential: gw.apiKeys.reporter, clock });

/** Every plan of round 1: its segment, variant and forecast. */
const plans: { planId: string; segment: JobSegment; variant: CopilotVariant; tally: Tally }[] = [];
for (const segment of segments) {
  for (const variant of VARIANTS) {
    const plan = segmentPlan({ clock, data, segment, variant, aiMode: 'ai_assisted' });
    const submitted = await gw.submitSigned(plan);
    const { p10, p50, p90 } = plan.options[0]?.forecast ?? { p10: 0, p50: 0, p90: 0 };
    const observed = segment.heldOut.filter((c) => c.subscribed).length;
    plans.push({
      planId: submitted.planId,
      segment,
      variant,
      tally: { planId: submitted.planId, p10, p50, p90, observed },
    });
  }
}
const drained = await dispatchUntilDrained(gw.runtime, clock);
const states = await Promise.all(plans.map((p) => gw.copilot.status(p.planId)));
checks.check(
  drained.leftPending === 0 && states.every((s) => s.state === 'dispatched'),
  `all ${plans.length} plans (${segments.length} segments x 2 copilots) dispatched to the webhook`,
  states.map((s) => s.state).join(','),
);

heading('3. Outcomes from the held-out clients');
function report(p: (typeof plans)[number]): OutcomeReport {
  return {
    protocolVersion: HANDOFF_PROTOCOL_VERSION,
    kind: 'OutcomeReport',
    reportId: `${p.segment.segmentId}-${p.variant}`,
    tenantId: TENANT,
    planId: p.planId,
    observed: { unit: 'count', kpi: 'conversions', value: p.tally.observed },
    observedAt: new Date(clock.now()).toISOString(),
    interim: false,
    observer: { type: 'analytics_job', id: 'bank-outcomes-job' },
    source: {
      uri: BANK_DOI,
      sha256: data.sha256,
      description: `Column y of the held-out clients (even rows) whose job is ${p.segment.job}`,
    },
  };
}
const first = plans[0];
if (!first) throw new Error('no segment');
const early = await reporter.reportOutcome(report(first)).catch((e: unknown) => e);
checks.check(
  early instanceof HandoffClientError && early.code === 'OUTCOME_HORIZON_NOT_OVER',
  'a final outcome before the 30-day horizon is refused (OUTCOME_HORIZON_NOT_OVER)',
);
clock.skip((HORIZON_DAYS + 1) * DAY);
const recorded = [];
for (const p of plans) recorded.push(await reporter.reportOutcome(report(p)));
checks.check(
  recorded.every((r) => r.created && r.position !== undefined),
  `${recorded.length} outcome reports recorded by the reporter key, each in the lineage`,
);

heading('4. Calibration, per copilot');
const calibration = await gw.api.auditor.copilots.calibration.query();
const hand: Record<CopilotVariant, ReturnType<typeof handFigures>> = {
  honest: handFigures(plans.filter((p) => p.variant === 'honest').map((p) => p.tally)),
  overconfident: handFigures(
    plans.filter((p) => p.variant === 'overconfident').map((p) => p.tally),
  ),
};
const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((id) => b.includes(id));
for (const variant of VARIANTS) {
  const row = calibration.copilots.find(
    (r) => r.copilot?.promptVersion === COPILOTS[variant].promptVersion,
  );
  const h = hand[variant];
  detail(
    `${paint('bold', variant)} (${COPILOTS[variant].promptVersion}): ${row?.outcomes} outcomes, ` +
      `${percent(row?.inside.share ?? 0)} inside p10-p90 (${percent(row?.below.share ?? 0)} below, ${percent(row?.above.share ?? 0)} above), ` +
      `p50 bias ${row?.p50Bias.toFixed(2)} clients (${percent(row?.p50RelativeBias ?? 0)}), pinball loss ${row?.pinballLoss.toFixed(3)}`,
  );
  checks.check(
    row !== undefined &&
      row.outcomes === h.outcomes &&
      sameSet(row.inside.planIds, h.inside) &&
      sameSet(row.below.planIds, h.below) &&
      sameSet(row.above.planIds, h.above) &&
      close(row.inside.share, h.coverage) &&
      close(row.p50Bias, h.p50Bias) &&
      close(row.p50RelativeBias, h.p50RelativeBias) &&
      close(row.pinballLoss, h.pinballLoss),
    `${variant}: the gateway's figures and plans per band equal the story's hand computation`,
  );
}
const workflowRow = calibration.workflows.find((w) => w.workflowId === 'segment-calls');
checks.check(
  workflowRow?.outcomes === plans.length,
  'the workflow row counts every outcome of both copilots',
);
checks.check(
  hand.overconfident.coverage <= hand.honest.coverage,
  'narrowing the same p50s cannot cover more outcomes: the overconfident copilot covers no more than the honest one',
);

heading('5. forecast_calibration on ai_led work');
const FLOOR = 0.5;
const BOUND = 0.3;
for (const variant of VARIANTS) {
  const plan = segmentPlan({ clock, data, segment: first.segment, variant, aiMode: 'ai_led' });
  const submitted = await gw.submitSigned(plan);
  const view = await gw.api.approverDesk.plans.get.query({ planId: submitted.planId });
  const decision = view.decisions.find((d) => d.ruleId === 'calibrated-copilots');
  const h = hand[variant];
  const shouldGate = h.coverage < FLOOR || Math.abs(h.p50RelativeBias ?? 0) > BOUND;
  const gated = view.gates.some((g) => g.gateId === 'calibrated-copilots');
  detail(`${variant}: ${decision?.reasonCode} -> ${view.state}`);
  checks.check(
    gated === shouldGate && view.state === (gated ? 'awaiting_approval' : 'approved'),
    `${variant}: gated exactly when its coverage < ${percent(FLOOR)} or |p50 bias| > ${percent(BOUND)}`,
    `${decision?.reasonCode}, ${view.state}`,
  );
  checks.check(
    view.calibration?.outcomes === h.outcomes && close(view.calibration?.inside.share, h.coverage),
    `${variant}: the approver's view (plans.get) carries the copilot's figures`,
  );
  if (variant === 'overconfident') {
    checks.check(
      gated,
      'the deliberately overconfident copilot may not run ai_led work unattended',
    );
  }
}

await gw.stop();
await platforms.close();
process.exit(
  writeStoryReport({
    story: 'bank-outcomes',
    dir: gw.dir,
    startedAt: started,
    checks,
    facts: { segments: segments.length, plans: plans.length, calibration: calibration.copilots },
  }),
);
