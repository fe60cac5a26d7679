/**
 * The marketing policy pack on the bank data: a gateway whose policy caps contact pressure across channels,
 * keeps do-not-contact lists (hashed), knows the platforms' minimum audiences, sends in waking hours, keeps a brand
 * floor and gates plans that take a budget across its 80 % line; and a stricter candidate policy tried in shadow
 * first. Each step checks what must hold; the story exits 0 only when everything did.
 *
 *   pnpm --filter @handoff/examples run policy-pack
 */
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createGatewayRuntime,
  generateApiKey,
  hashApiKey,
  ManualClock,
  openDatabaseSource,
  type PlanView,
  type Principal,
  validateConfig,
  verifyLineage,
} from '@handoff/gateway';
import { sha256Digest } from '@handoff/protocol';
import { clientEmail, loadBankData } from '../shared/bank-data.js';
import { Expectations, writeStoryReport } from '../shared/expectations.js';
import { startPlatforms } from '../shared/platforms.js';
import { rankClients, segment, segmentWhere } from '../shared/ranked-clients.js';
import { REPO_ROOT } from '../shared/story-gateway.js';
import { detail, heading } from '../shared/terminal.js';
import { storyPlan, TENANT } from './plans.js';

const startedAt = performance.now();
const checks = new Expectations();
const POLICY_FILE = join(import.meta.dirname, 'policy.yaml');
const STRICTER_FILE = join(import.meta.dirname, 'stricter.yaml');
const WORKFLOWS = ['87101', '87102', '87103', '87104', '87105'] as const;
const DAY = 86_400_000;

/** The hex SHA-256 of a client's normalised email: what a suppression list holds (never the email itself). */
const hashOf = (email: string) => sha256Digest(email.trim().toLowerCase()).slice('sha256:'.length);
const who = (id: string, role: Principal['roles'][number]): Principal => ({
  id,
  tenantId: TENANT,
  roles: [role],
  via: 'api_key',
});
const copilot = who('copilot', 'copilot');
const auditor = who('auditor', 'auditor');
const decisionOf = (view: PlanView, ruleId: string) =>
  view.decisions.find((d) => d.ruleId === ruleId);

heading('The bank, its ranked clients and a gateway with the policy pack');
const data = loadBankData();
const ranked = rankClients(data);
const clock = new ManualClock('2026-11-23T10:30:00Z'); // a Monday, 10:30 in Lisbon
const platforms = await startPlatforms({
  now: () => clock.now(),
  hubspot: { workflowIds: WORKFLOWS },
});
const dir = join(REPO_ROOT, '.handoff', 'bank-policy-pack');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const unsubscribed = join(dir, 'unsubscribed.txt');
const rankedEmail = (rank: number) => {
  const client = ranked.ranked[rank - 1]?.client;
  if (client === undefined) throw new Error(`no client at rank ${rank}`);
  return clientEmail(client);
};
writeFileSync(
  unsubscribed,
  `# do-not-contact, SHA-256 of normalised emails\n${hashOf(rankedEmail(70))}\n`,
);
const loaded = validateConfig(
  {
    gatewayId: 'gw-policy-pack',
    database: { path: 'gateway.db' },
    approvals: {},
    auth: {
      apiKeys: [
        {
          id: 'unused',
          tenantId: TENANT,
          roles: ['auditor'],
          keyHash: hashApiKey(generateApiKey()),
        },
      ],
    },
    policy: { file: POLICY_FILE },
    shadowPolicy: { file: STRICTER_FILE },
    suppressionLists: [{ id: 'unsubscribed', file: unsubscribed }],
    caps: [
      {
        capId: 'tenant-month',
        tenantId: TENANT,
        scope: { type: 'tenant', value: TENANT },
        period: 'month',
        limit: { amountMinor: 10_000, currency: 'EUR' },
        timeZone: 'Europe/Lisbon',
      },
    ],
  },
  dir,
);
const runtime = await createGatewayRuntime(loaded, {
  clock,
  adapters: platforms.adapters,
  fetch: platforms.fetch,
});
const { gateway, store } = runtime;
detail(
  `${data.clients.length} clients ranked; policy ${loaded.policySet.id}, shadow ${loaded.shadowPolicySet?.id}`,
);

const submit = (plan: Parameters<typeof storyPlan>[0]) =>
  gateway.submitPlan(copilot, storyPlan(plan));
const base = { clock, data, ranked, destination: 'hubspot' as const };

heading('1. First wave: a call list of the 40 likeliest clients');
const wave1 = await submit({
  ...base,
  segment: segment(ranked, 'wave-1', 1, 40),
  targetId: WORKFLOWS[0],
  costMinor: 2_000,
  title: 'Call the 40 likeliest clients',
});
checks.check(
  wave1.state === 'approved',
  'the first wave passes every rule and is approved',
  wave1.state,
);
const firstRun = await runtime.dispatcher.runDue();
checks.check(firstRun.succeeded === 1, 'it is dispatched to HubSpot (the sends are now counted)');

heading('2. Two days later, a second wave that overlaps the first');
clock.advance(2 * DAY);
const wave2 = await submit({
  ...base,
  segment: segment(ranked, 'wave-2', 21, 60),
  targetId: WORKFLOWS[1],
  costMinor: 2_000,
  title: 'Call clients ranked 21 to 60',
});
const pressure = decisionOf(wave2, 'contact-pressure');
checks.check(
  wave2.state === 'rejected' && pressure?.reasonCode === 'FREQUENCY_CAP_EXCEEDED',
  'the second wave would call 20 clients twice in 7 days: refused (FREQUENCY_CAP_EXCEEDED)',
  `${wave2.state} ${pressure?.reasonCode}`,
);
detail(pressure?.message ?? '');

heading('3. A Customer Match upload below Google’s minimum');
const young = segmentWhere(
  ranked,
  'cm-young-prior-success',
  'poutcome = success and age < 30',
  (c) => c.poutcome === 'success' && c.age < 30,
);
const upload = await submit({
  ...base,
  destination: 'google_ads',
  segment: young,
  targetId: 'cm-prior-success',
  costMinor: 500,
  title: 'Upload young prior subscribers to Customer Match',
});
const minimum = decisionOf(upload, 'platform-minimums');
checks.check(
  young.clients.length < 100 &&
    upload.state === 'rejected' &&
    minimum?.reasonCode === 'AUDIENCE_BELOW_MINIMUM',
  `a segment of ${young.clients.length} is below Customer Match's 100: refused (AUDIENCE_BELOW_MINIMUM)`,
  `${upload.state} ${minimum?.reasonCode}`,
);

heading('4. A call list naming an unsubscribed client');
const listed = await submit({
  ...base,
  segment: segment(ranked, 'wave-3', 61, 100),
  targetId: WORKFLOWS[2],
  costMinor: 2_000,
  title: 'Call clients ranked 61 to 100',
});
const dnc = decisionOf(listed, 'do-not-contact');
checks.check(
  listed.state === 'rejected' && dnc?.reasonCode === 'CONTACT_SUPPRESSED',
  'the client ranked 70 is on the do-not-contact list: refused at submission (CONTACT_SUPPRESSED)',
  `${listed.state} ${dnc?.reasonCode} ${dnc?.path}`,
);

heading('5. A client unsubscribes after approval, before the send');
const wave4 = await submit({
  ...base,
  segment: segment(ranked, 'wave-4', 101, 140),
  targetId: WORKFLOWS[3],
  costMinor: 2_000,
  title: 'Call clients ranked 101 to 140',
});
checks.check(
  wave4.state === 'approved',
  'the list is clean at submission and approved',
  wave4.state,
);
appendFileSync(unsubscribed, `${hashOf(rankedEmail(105))}\n`);
const secondRun = await runtime.dispatcher.runDue();
const [row] = await store.transaction((tx) => tx.outboxForPlan(TENANT, wave4.planId));
checks.check(
  secondRun.attempted === 0 && row?.status === 'dead' && row.lastError === 'CONTACT_SUPPRESSED',
  'the dispatcher checks again before sending: nothing is sent, the action fails with CONTACT_SUPPRESSED',
  `${secondRun.attempted} attempted, ${row?.status} ${row?.lastError}`,
);

heading('6. A plan that would take the month past its 80 % line');
const used = await store.transaction((tx) =>
  tx.usedBudget(TENANT, 'tenant-month', 'month:2026-11', clock.now()),
);
const near = await submit({
  ...base,
  segment: segment(ranked, 'wave-5', 141, 180),
  targetId: WORKFLOWS[4],
  costMinor: 8_100 - Number(used),
  title: 'Call clients ranked 141 to 180',
});
const line = decisionOf(near, 'near-cap');
checks.check(
  near.state === 'awaiting_approval' && line?.reasonCode === 'BUDGET_WARNING_LINE_CROSSED',
  'it is gated for finance approval, not refused (BUDGET_WARNING_LINE_CROSSED)',
  `${near.state} ${line?.reasonCode}`,
);
detail(line?.message ?? '');

heading('7. The stricter candidate, run in shadow beside the active policy');
const shadowEvents = await store.queryLineage({
  tenantId: TENANT,
  types: ['policy.shadow_evaluated'],
  limit: 100,
});
const changed = shadowEvents.filter((e) => e.data.changed === true).map((e) => e.planId);
checks.check(
  shadowEvents.length === 6 && changed.includes(wave1.planId),
  'every submission recorded what the candidate would decide; it would have refused the first wave',
  `${shadowEvents.length} events, ${changed.length} changed`,
);

heading('8. Replaying the recorded plans against the candidate');
const before = await store.queryLineage({ tenantId: TENANT, limit: 10_000 });
const report = await gateway.shadowPolicy(auditor, {
  policy: readFileSync(STRICTER_FILE, 'utf8'),
});
const after = await store.queryLineage({ tenantId: TENANT, limit: 10_000 });
const rule = report.rules.find((r) => r.ruleId === 'call-list-minimum');
for (const r of report.rules) {
  detail(`rule ${r.ruleId}: ${r.changed} decision(s) change ${JSON.stringify(r.transitions)}`);
}
detail(`outcomes: ${JSON.stringify(report.outcomes.transitions)}`);
checks.check(
  report.plansReplayed === 6 && (rule?.transitions['absent->deny'] ?? 0) === 5,
  'the report names the decisions the stricter policy changes: 5 call lists under 50 contacts',
  JSON.stringify(rule?.transitions),
);
checks.check(
  (report.outcomes.transitions['allow->deny'] ?? 0) === 2 &&
    (report.outcomes.transitions['require_approval->deny'] ?? 0) === 1,
  'and the outcomes it changes: 2 approved plans and 1 gated plan would have been refused',
  JSON.stringify(report.outcomes.transitions),
);
checks.check(after.length === before.length, 'the replay wrote nothing to the lineage');

heading('9. The lineage verifies, shadow events included');
await runtime.close();
await platforms.close();
const source = await openDatabaseSource(join(dir, 'gateway.db'));
const verified = await verifyLineage(source, { trust: 'unanchored' }).finally(() => source.close());
checks.check(
  verified.ok,
  'handoff lineage verify accepts the chain',
  JSON.stringify(verified).slice(0, 200),
);

process.exitCode = writeStoryReport({
  story: 'bank-policy-pack',
  dir,
  startedAt,
  checks,
  facts: { shadowReport: report },
});
