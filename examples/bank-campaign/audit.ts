/**
 * The auditor step of the bank-campaign story, with the auditor's own API key: the gateway's `lineage.trace` of the
 * call list's HubSpot enrolment, read backwards from the platform receipt to the data (approvals with their key ids,
 * budget, policy decision, the plan and its copilot, the inputs it cites), each link checked against what the
 * auditor can recompute itself: the data file's sha256, the model's digest, the copilot's signature over the plan
 * digest, the approvers' JWKS. Then the whole lineage's hash chain is recomputed independently.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { anchorsFromJwks, type VerificationReport } from '@handoff/gateway';
import type { HandoffPlan } from '@handoff/protocol';
import { planDigest } from '@handoff/protocol';
import type { JWK } from 'jose';
import {
  type ChainVerdict,
  checkChain,
  checkDatabaseOffline,
  readLineage,
  verifyPlanSignature,
} from '../shared/audit-step.js';
import type { Expectations } from '../shared/expectations.js';
import type { StoryGateway } from '../shared/story-gateway.js';
import { detail, formatMoney, paint, verdict } from '../shared/terminal.js';
import { checkAgainstWitness, type WitnessFindings } from '../shared/witness-step.js';

type Trace = Awaited<ReturnType<StoryGateway['api']['auditor']['lineage']['trace']['query']>>;

/** What the auditor found, for the JSON report. */
export interface AuditFindings {
  planId: string;
  idempotencyKey: string | undefined;
  trace: Trace;
  chain: ChainVerdict;
  offline: VerificationReport;
  witness: WitnessFindings;
}

const short = (digest: string | undefined | null) => (digest ? `${digest.slice(0, 19)}…` : '-');

function printTrace(trace: Trace, key: string): void {
  const link = (label: string, text: string) =>
    detail(`${paint('dim', '<-')} ${paint(['bold', 'cyan'], label.padEnd(10))} ${text}`, 4);
  const dispatch = trace.dispatches.find((d) => d.idempotencyKey === key);
  detail(
    `${paint(['bold', 'cyan'], 'dispatch'.padEnd(13))} ${dispatch?.actionId} on ${dispatch?.adapter}: ` +
      `${verdict(dispatch?.status ?? '?')} after ${dispatch?.attempts} attempt(s), ` +
      `${dispatch?.events.length} events, receipt ${short(dispatch?.receiptDigest)}`,
  );
  for (const a of trace.approvals.accepted) {
    link(
      'approval',
      `${a.approver} as ${a.role}, key ${a.kid.slice(0, 12)}…, max ` +
        `${formatMoney(a.maxSpend.amountMinor, a.maxSpend.currency)}, token ${short(a.tokenDigest)}`,
    );
  }
  const lines = new Map<string, string>();
  for (const l of trace.budget.ledger) {
    const entry = `${formatMoney(l.amountMinor, l.currency)} ${l.status}`;
    lines.set(l.capId, [lines.get(l.capId), entry].filter(Boolean).join(', '));
  }
  link('budget', [...lines].map(([cap, text]) => `${cap}: ${text}`).join('; '));
  const selected = trace.plan.selectedOptionId;
  const evaluation = trace.policy.evaluations.find((e) => e.data.optionId === selected);
  link('policy', `${short(trace.policy.version)} option ${selected}: ${evaluation?.data.outcome}`);
  link(
    'plan',
    `${trace.plan.planId} digest ${short(trace.plan.digest)}, from ${trace.copilot?.vendor} ` +
      `${trace.copilot?.model} ${trace.copilot?.modelVersion}`,
  );
  for (const i of trace.inputs) link('data', `${i.inputId} ${i.uri} ${short(i.sha256)}`);
}

/** Traces the call list's enrolment and verifies the lineage, recording each finding as an expectation. */
export async function auditCallList(input: {
  gw: StoryGateway;
  checks: Expectations;
  plan: HandoffPlan;
  dataSha256: string;
  modelDigest: string;
}): Promise<AuditFindings> {
  const { gw, checks, plan } = input;
  const auditor = gw.api.auditor;
  const planTrace = await auditor.lineage.trace.query({ planId: plan.planId });
  const key =
    planTrace.dispatches.find((d) => d.actionId === 'enroll-call-list')?.idempotencyKey ?? '';
  const trace = await auditor.lineage.trace.query({ idempotencyKey: key });
  printTrace(trace, key);

  checks.check(
    trace.inputs.some((i) => i.inputId === 'bank-marketing' && i.sha256 === input.dataSha256) &&
      trace.inputs.some((i) => i.inputId === 'propensity-model' && i.sha256 === input.modelDigest),
    'the trace reaches the data file by its sha256 and the model by its digest',
  );
  const signed = await verifyPlanSignature(
    gw.signatures.get(plan.planId) ?? '',
    gw.copilotKey.publicJwk,
  );
  const atGateway = trace.events.find((e) => e.type === 'plan.received');
  const provenance = atGateway?.data.provenance as { kid?: string } | undefined;
  detail(
    `${paint('dim', '<-')} ${paint(['bold', 'cyan'], 'signature'.padEnd(10))} copilot key ` +
      `${String(provenance?.kid).slice(0, 12)}… verified by the gateway at submission ` +
      `(#${atGateway?.seq}), and again by the auditor: ${verdict(signed.ok ? 'valid' : 'broken')}`,
    4,
  );
  checks.check(
    signed.ok &&
      signed.planDigest === trace.plan.digest &&
      trace.plan.digest === planDigest(plan) &&
      provenance?.kid === gw.copilotKey.kid,
    'the plan digest is the one the copilot signed: verified by the gateway and by the auditor',
    signed.ok ? undefined : signed.reason,
  );
  const kids = new Set(Object.values(gw.approvers).map((a) => a.key.publicJwk.kid));
  const accepted = trace.approvals.accepted;
  checks.check(
    accepted.length === 2 &&
      new Set(accepted.map((a) => a.role)).size === 2 &&
      accepted.every((a) => kids.has(a.kid)),
    "two approvals, finance and marketing_lead, each by a key in the approvers' JWKS",
  );
  const dispatch = trace.dispatches.find((d) => d.idempotencyKey === key);
  checks.check(
    dispatch?.status === 'succeeded' &&
      dispatch.receipts.length > 0 &&
      trace.budget.ledger.every((l) => l.status !== 'reserved') &&
      trace.budget.ledger.some((l) => l.status === 'committed'),
    'the enrolment succeeded with a stored receipt, and its budget moved from reserved to committed',
  );
  // The sequencer puts every waiting event into the transparency log now (a served gateway does so every
  // checkpoints.intervalMs), one signed tree head per batch, each appended to the witness file outside the
  // database: what an operator ships off the machine.
  const treeHead = await gw.runtime.sequencer?.sequenceAll();
  detail(
    `tree head signed: ${treeHead?.treeSize} events, root ${short(treeHead?.rootHash)}, key ${treeHead?.kid}, ` +
      'appended to witness.jsonl',
  );
  const events = await readLineage(auditor);
  const chain = checkChain(events, checks);
  // The auditor's trust anchors, from outside the database: the gateway's checkpoint JWKS and the approvers'
  // JWKS the gateway was configured with.
  const jwks = (name: string) =>
    JSON.parse(readFileSync(join(gw.dir, 'keys', name), 'utf8')) as { keys: JWK[] };
  const trust = anchorsFromJwks(jwks('checkpoint.jwks.json'), jwks('approvers.jwks.json'));
  const offline = await checkDatabaseOffline(gw.database.location, trust, checks);
  const witness = await checkAgainstWitness({
    database: gw.database.location,
    witnessFile: join(gw.dir, 'witness.jsonl'),
    trust,
    auditor,
    eventHash: dispatch?.events.at(-1)?.hash ?? '',
    checks,
  });
  return { planId: plan.planId, idempotencyKey: key || undefined, trace, chain, offline, witness };
}
